"""The public side of one web process: documents from syndicate.public, each
kept for `[server] cache_seconds` before the database is asked again, and
partner tokens checked against the store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from ..config import Config
from ..delivery.http import Transport
from ..delivery.websub import RateLimit
from ..public import Body, Public
from ..store import Store
from ..tokens import token_hash
from ..worker import transport_settings
from .representation import Compressed, Representation

CACHE_LIMIT = 4096


class Site:
    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.public = Public(store, config)
        self.compressed = Compressed()
        self.ttl = config.server.cache_seconds
        self._documents: dict[str, tuple[float, Representation]] = {}
        self._partners: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()
        self.hub_limit = RateLimit(config.websub.requests_per_minute)
        self._transport: Transport | None = None

    @property
    def transport(self) -> Transport:
        """For WebSub verification GETs (the SSRF guard included)."""
        if self._transport is None:
            self._transport = Transport(transport_settings(self.config))
        return self._transport

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    async def representation(
        self,
        key: str,
        build: Callable[[], Body],
        *,
        cache_control: str = "public, max-age=60",
        links: tuple[tuple[str, str], ...] = (),
    ) -> Representation:
        """The cached representation of `key` while it is fresh, else a new one
        (built in a worker thread: the store is synchronous)."""
        found = self._documents.get(key)
        if found is not None and time.monotonic() - found[0] < self.ttl:
            return found[1]
        return await run_in_threadpool(self._build, key, build, cache_control, links)

    def _build(
        self,
        key: str,
        build: Callable[[], Body],
        cache_control: str,
        links: tuple[tuple[str, str], ...],
    ) -> Representation:
        """One build at a time per process: the renderers' caches and feedgen
        templates are not shared across threads, and a burst of requests for
        a stale document makes it once."""
        with self._lock:
            found = self._documents.get(key)
            if found is not None and time.monotonic() - found[0] < self.ttl:
                return found[1]
            body = build()
            rep = Representation.of(
                body.data, body.media_type, body.modified, cache_control=cache_control, links=links
            )
            if len(self._documents) >= CACHE_LIMIT:
                self._documents.clear()
            self._documents[key] = (time.monotonic(), rep)
            return rep

    async def partner(self, token: str | None) -> str | None:
        """The partner holding `token`, if it is a live token."""
        if not token:
            return None
        digest = token_hash(token)
        found = self._partners.get(digest)
        if found is not None and time.monotonic() - found[0] < self.ttl:
            return found[1]
        name = await run_in_threadpool(self.store.partner_by_token_hash, digest)
        if len(self._partners) >= CACHE_LIMIT:
            self._partners.clear()
        self._partners[digest] = (time.monotonic(), name)
        return name
