"""A newsroom wired for push tests: settings allowing partners on 127.0.0.0/8
only, short timeouts, a clock the test moves, and a worker to run in bursts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from syndicate.config import Config
from syndicate.feeddefs import load_feeds
from syndicate.lifecycle import Actor, Committed, Newsroom
from syndicate.model import Article
from syndicate.store import Store
from syndicate.worker import Worker

from .newsroom import T0, settings

PUSH_FEEDS = {
    "all": 'title = "Everything"\ncontent = "full"\n',
    "world": 'title = "World"\n[filters]\nsections = ["World"]\n',
    "briefing": 'title = "Briefing"\npush = "0 6 * * *"\n',
}
ACTOR = Actor("editor", "desk-1")


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Pushroom:
    store: Store
    config: Config
    clock: Clock = field(default_factory=Clock)

    @property
    def newsroom(self) -> Newsroom:
        return Newsroom(self.store, self.config, load_feeds(self.config))

    def ingest(self, story: Article) -> Committed:
        return self.newsroom.commit(story, self.clock(), ACTOR, "ingest")

    def worker(self, **kwargs: object) -> Worker:
        return Worker(self.store, self.config, clock=self.clock, **kwargs)  # type: ignore[arg-type]

    def drain(self) -> Worker:
        worker = self.worker()
        try:
            worker.run(burst=True)
        finally:
            worker.transport.close()
        return worker


PUSH_SETTINGS = {
    "delivery": (
        'allow_networks = ["127.0.0.0/8"]\nconnect_timeout = 2.0\nread_timeout = 2.0\n'
        "deadline = 3.0\njitter = 0.0"
    ),
    "worker": "poll_ms = 10\nlease_seconds = 2",
    "server": "cache_seconds = 0",
}


def push_settings(folder: Path, db_url: str, **extra: str) -> Config:
    return settings(folder, db_url, PUSH_FEEDS, **{**PUSH_SETTINGS, **extra})


@contextmanager
def pushroom(
    folder: Path, db_url: str = "sqlite:///var/syndicate.db", **extra: str
) -> Iterator[Pushroom]:
    config = push_settings(folder, db_url, **extra)
    with Store.open(config, auto_upgrade=True) as store:
        yield Pushroom(store, config)
