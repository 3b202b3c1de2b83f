"""One delivery attempt: build the request, send it, judge the answer.

Attempts run in worker threads and touch the database only to read an
article they have not seen yet; their outcomes are recorded by the drain
loop in batches (syndicate.worker), and only then is a delivery marked
delivered. Webhook bodies are the same for every subscriber of one format,
so each is rendered once and only signed per delivery.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config import Config, parse_duration
from ..errors import RuntimeFailure, SyndicateError
from ..model import Article
from ..public import Public
from ..store import Store
from ..store.outbox import Delivery, Outcome
from ..store.subscriptions import Subscription
from .http import Result, Transport
from .payload import Request, webhook_body, websub_request
from .retry import judge
from .signing import webhook_headers

log = logging.getLogger("syndicate.delivery")
RECORD_TRIES = 3
CACHE = 256


@dataclass(frozen=True, slots=True)
class Attempted:
    delivery: Delivery
    subscription: Subscription
    outcome: Outcome
    verdict: str


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class Attempter:
    def __init__(
        self,
        store: Store,
        config: Config,
        transport: Transport,
        clock: Callable[[], datetime],
        worker_id: str,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.transport = transport
        self.clock = clock
        self.worker_id = worker_id
        self.rng = rng or random.Random()
        self.public = Public(store, config)
        self.schedule = [parse_duration(s) for s in config.delivery.retry_schedule]
        self._articles = _Lru(CACHE)
        self._bodies = _Lru(CACHE)
        self._public_lock = threading.Lock()

    def article(self, article_id: str, version: int) -> Article:
        found: Article = self._articles.get(
            (article_id, version), lambda: self.store.get(article_id, version)
        )
        return found

    def request(self, delivery: Delivery, sub: Subscription, now: datetime) -> Request:
        if sub.kind == "websub":
            with self._public_lock:  # the feed renderers are not shared across threads
                return websub_request(sub, self.public, now)
        article = self.article(delivery.article_id, delivery.version)
        early = article.embargo is not None and article.embargo > now
        key = (article.id, article.version, sub.format, delivery.event, delivery.event_at, early)
        body: bytes = self._bodies.get(
            key,
            lambda: webhook_body(delivery.event, delivery.event_at, sub, article, self.config, now),
        )
        signed_at = datetime.now(UTC)  # signatures use real time, whatever the scheduling clock
        headers = {
            "Content-Type": "application/json",
            **webhook_headers(delivery.id, signed_at, body, sub.secrets(signed_at)),
        }
        return Request(sub.url, body, headers)

    def __call__(self, delivery: Delivery, sub: Subscription) -> Attempted:
        now = self.clock()
        try:
            request = self.request(delivery, sub, now)
            result = self.transport.post(request.url, request.body, request.headers)
        except SyndicateError as exc:  # refused URL, unrenderable article: no retry helps
            result = Result(status=None, elapsed_ms=0, error=f"not sent: {exc.message}")
            verdict, retry_at = "dead", None
        else:
            judged = judge(
                result.status,
                result.error,
                result.headers,
                attempts_done=delivery.attempts + 1,
                schedule=self.schedule,
                jitter=self.config.delivery.jitter,
                max_retry_after=self.config.delivery.max_retry_after,
                now=now,
                rng=self.rng,
            )
            verdict, retry_at = judged.verdict, judged.retry_at
        outcome = Outcome(
            attempted_at=now,
            status=result.status,
            ms=result.elapsed_ms,
            ok=verdict == "delivered",
            error=result.error,
            response=result.body_start or None,
            retry_at=retry_at,
        )
        return Attempted(delivery, sub, outcome, verdict)

    def record(self, done: Sequence[Attempted]) -> None:
        """Write outcomes (one transaction), then end or disable what must be.
        A transaction the database aborts (a deadlock, a failover) is tried
        again; when it keeps failing the outcomes are lost but not the
        deliveries: their leases run out and they are sent again, same id."""
        outcomes = [(a.delivery, a.outcome) for a in done]
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                self.store.complete_many(outcomes, self.worker_id)
                break
            except RuntimeFailure as error:
                if attempt == RECORD_TRIES:
                    log.error("cannot record %d outcomes: %s", len(outcomes), error)
                    return
                log.warning("recording outcomes failed (%s); trying again", error)
                time.sleep(0.05 * attempt)
        for a in done:
            d, o = a.delivery, a.outcome
            log.info(
                "delivery %s sub=%s article=%s version=%d attempt=%d status=%s ms=%d verdict=%s",
                d.id,
                a.subscription.id,
                d.article_id,
                d.version,
                d.attempts + 1,
                o.status if o.status is not None else o.error,
                o.ms,
                a.verdict,
            )
        for sub_id, verdict, at in {
            (a.subscription.id, a.verdict, a.outcome.attempted_at) for a in done
        }:
            self.after(sub_id, verdict, at)

    def after(self, sub_id: str, verdict: str, now: datetime) -> None:
        """410 ends a subscription; failing for too long disables it."""
        if verdict == "gone":
            self.end(sub_id, "ended", "the partner answered 410 Gone", now)
            return
        if verdict == "delivered":
            return
        fresh = self.store.subscription(sub_id)
        limit = timedelta(days=self.config.delivery.disable_after_days)
        if fresh.state == "active" and fresh.failing_since and now - fresh.failing_since >= limit:
            self.end(
                sub_id,
                "disabled",
                f"no success since {fresh.failing_since.isoformat()} "
                f"({fresh.consecutive_failures} failed attempts)",
                now,
            )

    def end(self, sub_id: str, state: str, reason: str, now: datetime) -> None:
        with self.store.transaction():
            self.store.set_subscription_state(sub_id, state, now, reason)  # type: ignore[arg-type]
            self.store.dead_subscription_deliveries(sub_id, now, f"subscription {state}: {reason}")
        log.warning("subscription %s %s: %s", sub_id, state, reason)
