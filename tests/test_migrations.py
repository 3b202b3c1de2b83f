"""Alembic migrations: they build exactly the tables the code declares, run
once however many upgrades start together, and a stale schema is refused."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier as BarrierType
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from syndicate.config import Config
from syndicate.errors import RuntimeFailure, SchemaOutOfDate
from syndicate.store import Store, check_schema, current_revision, head_revision, upgrade
from syndicate.store.engine import make_engine
from syndicate.store.migrate import MIGRATIONS, OUT_OF_DATE, alembic_config
from syndicate.store.tables import metadata

from .conftest import NOW, PgServer
from .test_store import simple


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


ALL = [p.name[:4] for p in sorted(MIGRATIONS.joinpath("versions").glob("[0-9]*.py"))]


def test_head_is_the_last_migration() -> None:
    assert ALL[0] == "0001"
    assert head_revision() == ALL[-1]


def test_upgrade_builds_exactly_the_declared_tables(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    assert upgrade(empty_db_url) == ALL
    assert current_revision(empty_db_url) == head_revision()
    check_schema(empty_db_url)
    assert table_names(empty_db_url) == {"alembic_version", *metadata.tables}
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(db_url: str) -> None:
    with Store(db_url) as store:
        store.save(simple("urn:kept"), now=NOW)
    assert upgrade(db_url) == []
    assert upgrade(db_url) == []
    assert current_revision(db_url) == head_revision()
    with Store(db_url) as store:
        assert store.count() == 1


def test_check_schema_refuses_an_empty_or_behind_database(db_url: str) -> None:
    check_schema(db_url)
    command.downgrade(alembic_config(db_url), "base")
    assert current_revision(db_url) is None
    assert table_names(db_url) == {"alembic_version"}
    with pytest.raises(SchemaOutOfDate) as caught:
        check_schema(db_url)
    assert str(caught.value) == OUT_OF_DATE
    assert OUT_OF_DATE == "database schema is out of date: run `syndicate db upgrade`"
    with pytest.raises(SchemaOutOfDate):
        Store(db_url)
    assert upgrade(db_url) == ALL
    check_schema(db_url)


def test_a_database_migrated_by_newer_code_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="newer"):
        check_schema(db_url)
    with pytest.raises(SchemaOutOfDate, match="newer"):
        Store(db_url, auto_upgrade=True)
    with pytest.raises(RuntimeFailure, match="cannot upgrade"):
        upgrade(db_url)


def test_auto_upgrade_migrates_a_fresh_sqlite_file(config: Config, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(SchemaOutOfDate, match="syndicate db upgrade"):
        Store(url)
    with Store.open(config.with_database(url), auto_upgrade=True) as store:
        assert store.count() == 0
    assert current_revision(url) == head_revision()


@pytest.mark.postgres
def test_postgres_is_never_upgraded_implicitly(pg_server: PgServer, config: Config) -> None:
    url = pg_server.create_database()
    with pytest.raises(SchemaOutOfDate, match="syndicate db upgrade"):
        Store.open(config.with_database(url), auto_upgrade=True)
    assert current_revision(url) is None


def test_unreachable_database_is_a_runtime_failure() -> None:
    with pytest.raises(RuntimeFailure, match="cannot reach the database"):
        current_revision("postgresql+psycopg://postgres@127.0.0.1:1/nothing")


Outcome = tuple[list[str], str | None]
"""What one process applied, and its error if it failed."""


def _upgrade_when_released(
    barrier: BarrierType, url: str, results: multiprocessing.Queue[Outcome]
) -> None:
    barrier.wait(timeout=60)
    try:
        results.put((upgrade(url), None))
    except BaseException as error:
        results.put(([], repr(error)))


def run_upgrades_together(url: str, processes: int) -> list[str]:
    """Release `processes` processes calling `upgrade(url)` at the same instant;
    the revisions they applied, all together."""
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(processes)
    results: multiprocessing.Queue[Outcome] = fork.Queue()
    running = [
        fork.Process(target=_upgrade_when_released, args=(barrier, url, results))
        for _ in range(processes)
    ]
    for process in running:
        process.start()
    outcomes = [results.get(timeout=120) for _ in running]
    for process in running:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert [error for _, error in outcomes] == [None] * processes
    return [revision for applied, _ in outcomes for revision in applied]


@pytest.mark.postgres
def test_concurrent_upgrades_on_postgres_apply_each_migration_once(pg_server: PgServer) -> None:
    url = pg_server.create_database()
    assert run_upgrades_together(url, 10) == ALL
    assert current_revision(url) == head_revision()
    check_schema(url)


def test_concurrent_upgrades_on_sqlite_apply_each_migration_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'race.db'}"
    assert run_upgrades_together(url, 6) == ALL
    check_schema(url)
