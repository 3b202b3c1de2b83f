"""The Alembic environment, run by syndicate.store.schema.upgrade.

It migrates on the connection handed in through `config.attributes` (or on
`sqlalchemy.url`), in one transaction. On PostgreSQL that transaction first
takes an advisory lock, so concurrent upgrades apply each migration once:
the current revision is read only after the lock is held.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection, text

from syndicate.store.engine import WRITE, make_engine
from syndicate.store.migrate import MIGRATION_LOCK_KEY
from syndicate.store.tables import metadata


def migrate(connection: Connection) -> None:
    applied: list[str] = context.config.attributes.setdefault("applied", [])

    def on_version_apply(
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        applied.extend(step.up_revision_ids)

    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=metadata,
        transactional_ddl=True,
        render_as_batch=sqlite,
        compare_type=True,
        on_version_apply=on_version_apply,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


def run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported")
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        migrate(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url to migrate")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execution_options(**WRITE)
            migrate(connection)
    finally:
        engine.dispose()


run()
