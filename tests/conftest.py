"""Shared fixtures: settings, the ../shared folder, hypothesis profiles."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from syndicate.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_78b82998d6f40e3e.txt"
EXAMPLES = REPO / "examples"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current renderers instead of comparing",
    )


def need_shared(path: Path) -> Path:
    """Skip, with the reason, when the ../shared folder beside the repository is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent: the ../shared folder beside the repository is needed")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Defaults only, rooted in a temporary folder, with the environment ignored."""
    cfg_file = tmp_path / "config.toml"
    cfg_file.write_text('[site]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    return load_config(cfg_file, environ={})


@pytest.fixture
def seed_path() -> Path:
    return need_shared(SEED)


# ---------------------------------------------------------------------------
# Database fixtures (store): a real SQLite file and a real PostgreSQL server.
#
# `empty_db_url` is a fresh database with no tables, once per backend: a new
# SQLite file under tmp_path, or the session's PostgreSQL test database with
# its public schema dropped and recreated. `db_url` is the same migrated to
# head, `store` a Store open on it. `pg_server` creates further databases
# (dropped at session end). PostgreSQL comes from SYNDICATE_TEST_PG_URL; when
# it cannot be reached its tests are skipped, or fail the run under CI=true.
# ---------------------------------------------------------------------------

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import URL, make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from syndicate.store import Store, upgrade  # noqa: E402

if TYPE_CHECKING:
    from .newsroom import Newsroom

PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _autocommit_engine(url: str | URL) -> sa.Engine:
    return sa.create_engine(
        url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5}
    )


@dataclass
class PgServer:
    """The test PostgreSQL server: makes uniquely named databases, drops them at the end."""

    url: URL
    admin: sa.Engine
    created: list[str] = field(default_factory=list)

    def create_database(self) -> str:
        name = f"syndicate_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = make_url(os.environ.get("SYNDICATE_TEST_PG_URL", PG_DEFAULT_URL))
    admin = _autocommit_engine(url)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as error:
        admin.dispose()
        why = " ".join(str(error.orig).split())
        reason = (
            f"PostgreSQL at {url.render_as_string(hide_password=True)} is unreachable "
            f"(set SYNDICATE_TEST_PG_URL): {why}"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    server = PgServer(url, admin)
    try:
        yield server
    finally:
        server.drop_all()
        admin.dispose()


@pytest.fixture(scope="session")
def pg_test_url(pg_server: PgServer) -> str:
    """One database for the whole session; `empty_db_url` empties it per test."""
    return pg_server.create_database()


def reset_pg_database(url: str) -> None:
    engine = _autocommit_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database without tables, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'syndicate.db'}"
    url: str = request.getfixturevalue("pg_test_url")
    reset_pg_database(url)
    return url


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A fresh database migrated to head."""
    upgrade(empty_db_url)
    return empty_db_url


@pytest.fixture
def store(db_url: str, config: Config) -> Iterator[Store]:
    """A Store on a fresh database (site timezone Europe/Berlin, from `config`)."""
    with Store.open(config.with_database(db_url)) as opened:
        yield opened


# --------------------------- end of database fixtures ----------------------


# -------------------- a newsroom: settings, feeds and a store ---------------


@pytest.fixture
def newsroom(tmp_path: Path) -> Iterator[Newsroom]:
    """A newsroom on a fresh SQLite file with the feeds of tests/newsroom.py."""
    from .newsroom import Newsroom, settings

    config = settings(tmp_path, "sqlite:///var/syndicate.db")
    with Store.open(config, auto_upgrade=True) as opened:
        yield Newsroom(opened, config)


@pytest.fixture
def any_newsroom(db_url: str, tmp_path: Path) -> Iterator[Newsroom]:
    """The same newsroom, on SQLite and on PostgreSQL."""
    from .newsroom import Newsroom, settings

    config = settings(tmp_path, db_url)
    with Store.open(config) as opened:
        yield Newsroom(opened, config)
