"""What every command shares: the settings and the store, opened lazily."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ..config import Config, load_config
from ..feeddefs import FeedDef, load_feeds
from ..lifecycle import Newsroom
from ..pushdesk import PushDesk
from ..store import Store


class Env:
    def __init__(self, config_path: str | None, *, traceback: bool = False) -> None:
        self.config_path = config_path
        self.traceback = traceback
        self._config: Config | None = None
        self._store: Store | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            for warning in self._config.warnings:
                click.echo(f"warning: {warning}", err=True)
        return self._config

    def store(self, *, auto_upgrade: bool = True) -> Store:
        """The store; a fresh SQLite file is created and migrated on first use."""
        if self._store is None:
            self._store = Store.open(self.config, auto_upgrade=auto_upgrade)
        return self._store

    def feeds(self) -> list[FeedDef]:
        return load_feeds(self.config)

    def newsroom(self) -> Newsroom:
        return Newsroom(self.store(), self.config, self.feeds())

    def desk(self) -> PushDesk:
        return PushDesk(self.store(), self.config, self.feeds())

    def now(self) -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_env = click.make_pass_decorator(Env)
