"""Engines for the two supported databases, and the one place driver errors become ours.

SQLite (the default, one machine): WAL journal, foreign keys on, a busy
timeout, and transactions begun by SQLAlchemy rather than by the sqlite3
module, so DDL is transactional and a writer can take the write lock up front
(`BEGIN IMMEDIATE`, see WRITE) instead of failing half-way when another
process writes at the same time.

PostgreSQL (several workers or hosts): psycopg 3, `postgresql+psycopg://...`,
with a connect timeout and a liveness check on checkout.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from ..errors import ConflictError, RuntimeFailure

BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10

BEGIN_OPTION = "syndicate_sqlite_begin"
WRITE: dict[str, Any] = {BEGIN_OPTION: "IMMEDIATE"}
"""Execution options for a connection that will write: on SQLite its
transactions begin with the write lock taken; elsewhere they change nothing."""


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except exc.ArgumentError:
        raise RuntimeFailure(f"not a database URL: {url!r}") from None


def shown_url(url: str | URL) -> str:
    """The URL with any password masked, for messages."""
    parsed = parse_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    parsed = parse_url(url) if isinstance(url, str) else url
    return parsed.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL; None for in-memory databases."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str) -> Engine:
    """An engine for `url`; the folder of a SQLite file is created when missing.
    A bare `postgresql://` URL means psycopg 3."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_driver_name() != "psycopg":
            raise RuntimeFailure(
                f"use the psycopg driver for PostgreSQL: postgresql+psycopg://... "
                f"(got {shown_url(parsed)})"
            )
        return create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        )
    raise RuntimeFailure(
        f"unsupported database {shown_url(parsed)}: use sqlite:///PATH or postgresql+psycopg://..."
    )


def _sqlite_engine(url: URL) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RuntimeFailure(
                f"cannot create the database folder {path.parent}: {error.strerror or error}"
            ) from None
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        _while_busy(lambda: _sqlite_settings(cursor))
    finally:
        cursor.close()


def _sqlite_settings(cursor: sqlite3.Cursor) -> None:
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA journal_mode").fetchone() != ("wal",):
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")


def _while_busy(action: Callable[[], None]) -> None:
    """Retry what SQLite refuses as busy without waiting on the busy timeout
    (switching a new file to WAL while another process opens it)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(BEGIN_OPTION, "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def reason(error: exc.DBAPIError) -> str:
    """The driver's message on one line, without SQL or a traceback."""
    text = " ".join(str(error.orig).split()) if error.orig is not None else ""
    return text or type(error).__name__


@contextmanager
def translated(url: str | URL, doing: str) -> Iterator[None]:
    """Turn driver errors into RuntimeFailure (ConflictError for constraint
    violations); every other exception passes unchanged."""
    try:
        yield
    except exc.IntegrityError as error:
        raise ConflictError(f"{doing}: the database refused a change: {reason(error)}") from None
    except exc.DBAPIError as error:
        raise RuntimeFailure(f"{doing} ({shown_url(url)}): {reason(error)}") from None
