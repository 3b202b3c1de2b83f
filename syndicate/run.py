"""`syndicate run`: everything on one machine, for a first look or a small
newsroom: the database (a SQLite file, made when missing), the sample
articles (ingested into an empty database), the web app and the worker in
one process."""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import click
import uvicorn

from . import intake
from .config import Config
from .errors import InputError
from .feeddefs import load_feeds
from .ingest.files import discover, load_request
from .lifecycle import Actor, Newsroom
from .store import Store
from .urls import Urls
from .web.app import create_app
from .worker import Worker

log = logging.getLogger("syndicate.run")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def local_base_url(config: Config, host: str, port: int) -> Config:
    """A base URL on this machine follows the port actually served."""
    parts = urlsplit(config.site.base_url)
    if parts.hostname not in LOCAL_HOSTS or parts.port == port:
        return config
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = urlunsplit((parts.scheme, f"{shown}:{port}", parts.path, "", ""))
    return dataclasses.replace(config, site=dataclasses.replace(config.site, base_url=base))


def ingest_examples(store: Store, config: Config) -> int:
    """The sample articles, into an empty database; how many were stored."""
    if store.count() or not config.ingest.examples.is_dir():
        return 0
    newsroom = Newsroom(store, config, load_feeds(config))
    now, actor, stored = datetime.now(UTC), Actor.here(), 0
    for path in discover([config.ingest.examples]):
        try:
            checked = intake.check(load_request(path, config), config, now)
        except InputError as exc:
            click.echo(f"skipped {exc.located()}", err=True)
            continue
        intake.store(newsroom, checked, now, actor)
        stored += 1
    return stored


def run(config: Config, host: str, port: int) -> None:
    config = local_base_url(config, host, port)
    with Store.open(config, auto_upgrade=True) as store:
        count = ingest_examples(store, config)
        if count:
            click.echo(f"ingested {count} sample articles from {config.ingest.examples}")
        worker = Worker(store, config)
        thread = threading.Thread(target=worker.run, name="worker", daemon=True)
        thread.start()
        urls = Urls(config.site.base_url)
        click.echo(
            "\n".join(
                [
                    f"syndicate is running on http://{host}:{port}",
                    f"  home page        {urls.home()}",
                    f"  front-page feed  {urls.feed('front-page', 'rss')}",
                    f"  sitemap          {urls.sitemap_index()}",
                    f"  admin API        {urls.openapi()}",
                    f"  health           {urls.healthz()}",
                    f"  metrics          {urls.metrics()}",
                    "press Ctrl-C to stop",
                ]
            )
        )
        try:
            uvicorn.run(create_app(config, store), host=host, port=port, log_level="warning")
        finally:
            worker.stop()
            thread.join(timeout=max(10.0, config.delivery.deadline + 5))
