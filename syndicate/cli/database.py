"""db upgrade | db current."""

from __future__ import annotations

import click

from ..store import migrate
from ..store.engine import shown_url
from .context import Env, pass_env


@click.group()
def db() -> None:
    """The database schema."""


@db.command()
@pass_env
def upgrade(env: Env) -> None:
    """Apply every pending migration (safe to run from several processes at once)."""
    applied = migrate.upgrade(env.config.database.url)
    done = f"applied {', '.join(applied)}" if applied else "already up to date"
    click.echo(f"{shown_url(env.config.database.url)}: {done} (head {migrate.head_revision()})")


@db.command()
@pass_env
def current(env: Env) -> None:
    """Print the schema revision of the database and the newest one known."""
    revision = migrate.current_revision(env.config.database.url)
    click.echo(f"current: {revision or 'empty'}\nhead:    {migrate.head_revision()}")


COMMANDS = [db]
