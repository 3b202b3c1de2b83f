"""Schema versions: Alembic migrations shipped inside the package.

Alembic is configured in code, so no alembic.ini is needed at run time.
`upgrade` is `alembic upgrade head`; it is safe to start several at once:
on PostgreSQL the migration environment holds a transaction-level advisory
lock (MIGRATION_LOCK_KEY) while it reads the current revision and migrates,
on SQLite the migrating transaction begins with the write lock taken. Either
way the others wait, then find the database at head and do nothing.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from ..errors import RuntimeFailure, SchemaOutOfDate
from .engine import WRITE, make_engine, translated

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
MIGRATION_LOCK_KEY = 0x53594E44_4D494752
"""pg_advisory_xact_lock key held while migrating ("SYNDMIGR" in ASCII)."""

OUT_OF_DATE = "database schema is out of date: run `syndicate db upgrade`"

_alembic_lock = threading.Lock()
"""Alembic's `context` and `op` are module-level proxies: one migration run
per process at a time."""


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config for the packaged migrations (for `syndicate db` commands)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


@functools.cache
def head_revision() -> str:
    """The newest revision this version of syndicate knows."""
    head = _script().get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise RuntimeError(f"no migrations in {MIGRATIONS}")
    return head


@functools.cache
def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _script().walk_revisions())


Target = str | Engine | Connection
"""A database URL, an engine, or a connection (used as it is)."""


@contextmanager
def _connected(target: Target, *, write: bool = False) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
        return
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with translated(engine.url, "cannot reach the database"):
            connection = engine.connect()
        with connection:
            if write:
                connection.execution_options(**WRITE)
            yield connection
    finally:
        if isinstance(target, str):
            engine.dispose()


def current_revision(target: Target) -> str | None:
    """The revision the database is at; None for an empty database."""
    with _connected(target) as connection:
        with translated(connection.engine.url, "cannot read the schema revision"):
            revision = MigrationContext.configure(connection).get_current_revision()
            if connection.in_transaction() and not isinstance(target, Connection):
                connection.rollback()
            return revision


def check_schema(target: Target) -> None:
    """Raise SchemaOutOfDate unless the database is at head."""
    current = current_revision(target)
    if current == head_revision():
        return
    if current is not None and current not in known_revisions():
        raise SchemaOutOfDate(
            f"database schema revision {current!r} is unknown to this version of "
            "syndicate: it was migrated by a newer one"
        )
    raise SchemaOutOfDate(OUT_OF_DATE)


def upgrade(target: str | Engine) -> list[str]:
    """Migrate the database to head; the revisions this call applied, oldest first
    (an empty list when it was already at head)."""
    with _connected(target, write=True) as connection:
        config = alembic_config()
        applied: list[str] = []
        config.attributes["connection"] = connection
        config.attributes["applied"] = applied
        with translated(connection.engine.url, "cannot upgrade the database schema"):
            with _alembic_lock:
                try:
                    command.upgrade(config, "head")
                except CommandError as error:
                    raise RuntimeFailure(f"cannot upgrade the database schema: {error}") from None
            if connection.in_transaction():
                connection.commit()
        return applied
