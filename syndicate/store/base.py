"""What every part of the store shares: the engine, the schema check, transactions.

Each concept (articles; later subscriptions, deliveries, audit rows...) is a
subclass of StoreBase in its own module, and `Store` combines them, so a new
table brings a migration, a module and one more base class, and nothing else
changes.

Transactions: every public method runs in a transaction of its own, unless
the calling thread is inside `transaction()`, in which case it joins that one
and everything commits or rolls back together.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, text

from ..config import Config
from ..errors import ConfigError
from ..ingest.dates import DateError, site_zone
from .engine import WRITE, is_sqlite, make_engine, translated
from .migrate import check_schema, current_revision, head_revision, known_revisions, upgrade


class StoreBase:
    """The database seam: open it with a URL (or a Config), use it, close it."""

    def __init__(self, url: str, *, site_tz: str = "UTC", auto_upgrade: bool = False) -> None:
        """Open the database at `url`, checking its schema is current.

        `site_tz` is the zone in which a date without a time counts as
        midnight. With `auto_upgrade`, a fresh or behind SQLite database is
        migrated here; PostgreSQL is never migrated implicitly: a schema
        that is not at head raises SchemaOutOfDate. A database that cannot
        be reached raises RuntimeFailure.
        """
        try:
            site_zone(site_tz)
        except DateError as error:
            raise ConfigError(f"site.timezone: {error}") from None
        self.url = url
        self.site_tz = site_tz
        self.engine = make_engine(url)
        self._local = threading.local()
        try:
            self._ensure_schema(auto_upgrade=auto_upgrade)
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def open(cls, config: Config, *, auto_upgrade: bool = False) -> Self:
        """The store named by `[database] url`, with `[site] timezone` for dates."""
        return cls(config.database.url, site_tz=config.site.timezone, auto_upgrade=auto_upgrade)

    def _ensure_schema(self, *, auto_upgrade: bool) -> None:
        current = current_revision(self.engine)
        if current == head_revision():
            return
        upgradable = current is None or current in known_revisions()
        if auto_upgrade and upgradable and is_sqlite(self.engine.url):
            upgrade(self.engine)
        check_schema(self.engine)

    def check_schema(self) -> None:
        """Raise SchemaOutOfDate unless the database is (still) at head."""
        check_schema(self.engine)

    def close(self) -> None:
        """Close every pooled connection; the store is not used afterwards."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything the store does in this thread inside the block is one
        transaction: committed when the block ends, rolled back when it raises.
        Nested blocks join the outermost one."""
        if self._active() is not None:
            yield
            return
        with self._connect(write=True) as connection:
            self._local.connection = connection
            try:
                yield
            finally:
                self._local.connection = None

    def _active(self) -> Connection | None:
        connection: Connection | None = getattr(self._local, "connection", None)
        return connection

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        """The current transaction's connection, or a new transaction (taking
        SQLite's write lock at once when `write`)."""
        active = self._active()
        if active is not None:
            yield active
            return
        with translated(self.engine.url, "database error"):
            with self.engine.connect() as connection:
                if write:
                    connection.execution_options(**WRITE)
                with connection.begin():
                    yield connection

    def _lock(self, connection: Connection, key: int) -> None:
        """Serialize writers of one kind across processes until the transaction
        ends: a PostgreSQL advisory lock; on SQLite the write lock taken at
        BEGIN IMMEDIATE already does this."""
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
