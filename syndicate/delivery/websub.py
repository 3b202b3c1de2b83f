"""The WebSub hub (W3C Recommendation) for our own feeds.

A subscription request is checked at once (topic, callback, lease, secret)
and answered 202 Accepted; intent is verified afterwards: a GET to the
callback (its own query string kept) with hub.mode, hub.topic, an
unguessable single-use hub.challenge and hub.lease_seconds. Only a 2xx
answer echoing the challenge makes the subscription active (or renews the
same topic and callback, or ends it for an unsubscribe). Leases always
expire. Content distribution goes through the outbox like any delivery.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..config import Config
from ..errors import InputError
from ..feeddefs import FeedDef
from ..store import Store
from ..urls import FEED_EXTENSIONS, Urls
from .http import Transport

log = logging.getLogger("syndicate.websub")
MAX_SECRET_BYTES = 199
_FORMATS = {ext: fmt for fmt, ext in FEED_EXTENSIONS.items()}


class HubRefusal(InputError):
    """A subscription request the hub refuses; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Intent:
    mode: str  # subscribe | unsubscribe
    topic: str
    feed_id: str
    fmt: str
    callback: str
    lease_seconds: int
    secret: str | None


def topic_of(topic: str, feeds: list[FeedDef], config: Config) -> tuple[str, str]:
    """(feed id, format) of one of our public subscription documents."""
    base = Urls(config.site.base_url).absolute("/feeds/")
    if not topic.startswith(base):
        raise HubRefusal(f"hub.topic {topic!r} is not a feed of this hub", 404)
    name, _, ext = topic[len(base) :].partition(".")
    fmt = _FORMATS.get(ext)
    feed = next((f for f in feeds if f.id == name), None)
    if feed is None or fmt is None or fmt not in feed.formats or "/" in name:
        raise HubRefusal(f"hub.topic {topic!r} is not a feed of this hub", 404)
    if feed.partners_only:
        raise HubRefusal(f"hub.topic {topic!r} is for partners and cannot be subscribed here", 403)
    return feed.id, fmt


def parse_request(
    form: Mapping[str, str], feeds: list[FeedDef], config: Config, transport: Transport
) -> Intent:
    """Check a subscription request; unknown hub.* parameters are ignored."""
    mode = form.get("hub.mode", "")
    if mode not in ("subscribe", "unsubscribe"):
        raise HubRefusal("hub.mode must be subscribe or unsubscribe")
    topic = form.get("hub.topic", "")
    if not topic:
        raise HubRefusal("hub.topic is missing")
    feed_id, fmt = topic_of(topic, feeds, config)
    callback = form.get("hub.callback", "")
    if urlsplit(callback).scheme not in ("http", "https"):
        raise HubRefusal("hub.callback must be an http or https URL")
    try:
        transport.check(callback)
    except InputError as exc:
        raise HubRefusal(f"hub.callback refused: {exc.message}", 403) from None
    settings = config.websub
    lease = settings.lease_seconds
    if form.get("hub.lease_seconds"):
        try:
            lease = int(form["hub.lease_seconds"])
        except ValueError:
            raise HubRefusal("hub.lease_seconds must be a whole number of seconds") from None
    lease = max(settings.min_lease_seconds, min(settings.max_lease_seconds, lease))
    secret = form.get("hub.secret") or None
    if secret is not None and len(secret.encode("utf-8")) > MAX_SECRET_BYTES:
        raise HubRefusal("hub.secret must be under 200 bytes")
    return Intent(mode, topic, feed_id, fmt, callback, lease, secret)


def challenge_url(intent: Intent, challenge: str) -> str:
    parts = urlsplit(intent.callback)
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        ("hub.mode", intent.mode),
        ("hub.topic", intent.topic),
        ("hub.challenge", challenge),
        ("hub.lease_seconds", str(intent.lease_seconds)),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def verify(intent: Intent, store: Store, transport: Transport, now: datetime) -> bool:
    """Verify intent with the subscriber; on success make the change."""
    challenge = secrets.token_urlsafe(32)
    result = transport.get(challenge_url(intent, challenge))
    echoed = result.body.decode("utf-8", "replace").strip() if result.body else ""
    if not (result.ok and echoed == challenge):
        log.info(
            "websub %s of %s for %s not verified: %s",
            intent.mode,
            intent.topic,
            intent.callback,
            result.error or f"status {result.status}, challenge not echoed",
        )
        return False
    until = now + timedelta(seconds=intent.lease_seconds)
    with store.transaction():  # one subscription per topic and callback, whatever races
        store.lock_websub()
        existing = store.websub_subscription(intent.feed_id, intent.fmt, intent.callback)
        if intent.mode == "unsubscribe":
            if existing is not None:
                store.set_subscription_state(existing.id, "ended", now, "unsubscribed")
                store.dead_subscription_deliveries(
                    existing.id, now, "subscription ended: unsubscribed"
                )
            return True
        if existing is None:
            store.add_subscription(
                kind="websub",
                feed_id=intent.feed_id,
                url=intent.callback,
                format=intent.fmt,
                now=now,
                secret=intent.secret,
                lease_until=until,
            )
        else:
            store.update_subscription(
                existing.id,
                now,
                secret=intent.secret,
                lease_until=until,
                state="active",
                state_reason=None,
            )
    log.info(
        "websub subscription to %s for %s verified until %s", intent.topic, intent.callback, until
    )
    return True


class RateLimit:
    """At most `per_minute` requests per key (callback host, client address)
    in any minute: a token bucket per key, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._clock = time.monotonic

    def allow(self, *keys: str) -> bool:
        now = self._clock()
        with self._lock:
            levels = {}
            for key in keys:
                level, at = self._buckets.get(key, (self.capacity, now))
                levels[key] = min(self.capacity, level + (now - at) * self.rate)
            if any(level < 1 for level in levels.values()):
                return False
            for key, level in levels.items():
                self._buckets[key] = (level - 1, now)
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            return True
