"""One delivery attempt: build the request, send it, judge the answer,
record it. Runs in a worker thread; every outcome is written to the store
before the thread lets go of the delivery."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import Config, parse_duration
from ..errors import SyndicateError
from ..public import Public
from ..store import Store
from ..store.outbox import Delivery, Outcome
from ..store.subscriptions import Subscription
from .http import Result, Transport
from .payload import Request, webhook_request, websub_request
from .retry import judge

log = logging.getLogger("syndicate.delivery")


@dataclass(frozen=True, slots=True)
class Attempted:
    delivery: Delivery
    verdict: str
    status: int | None
    ms: int


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

    def request(self, delivery: Delivery, sub: Subscription, now: datetime) -> Request:
        if sub.kind == "websub":
            return websub_request(sub, self.public, now)
        article = self.store.get(delivery.article_id, delivery.version)
        return webhook_request(delivery, sub, article, self.config, now)

    def __call__(self, delivery: Delivery) -> Attempted:
        now = self.clock()
        sub = self.store.subscription(delivery.subscription_id)
        try:
            request = self.request(delivery, sub, now)
            result = self.transport.post(request.url, request.body, request.headers)
        except SyndicateError as exc:  # refused URL, unrenderable article: no retry helps
            result = Result(status=None, elapsed_ms=0, error=f"not sent: {exc.message}")
            judged_verdict, retry_at = "dead", None
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
            judged_verdict, retry_at = judged.verdict, judged.retry_at
        outcome = Outcome(
            attempted_at=now,
            status=result.status,
            ms=result.elapsed_ms,
            ok=judged_verdict == "delivered",
            error=result.error,
            response=result.body_start or None,
            retry_at=retry_at,
        )
        self.store.complete(delivery, outcome, self.worker_id)
        log.info(
            "delivery %s sub=%s article=%s version=%d attempt=%d status=%s ms=%d verdict=%s",
            delivery.id,
            sub.id,
            delivery.article_id,
            delivery.version,
            delivery.attempts + 1,
            result.status if result.status is not None else result.error,
            result.elapsed_ms,
            judged_verdict,
        )
        self.after(sub, judged_verdict, now)
        return Attempted(delivery, judged_verdict, result.status, result.elapsed_ms)

    def after(self, sub: Subscription, verdict: str, now: datetime) -> None:
        """410 ends a subscription; failing for too long disables it."""
        if verdict == "gone":
            self.end(sub, "ended", "the partner answered 410 Gone", now)
            return
        if verdict == "delivered":
            return
        fresh = self.store.subscription(sub.id)
        limit = timedelta(days=self.config.delivery.disable_after_days)
        if fresh.state == "active" and fresh.failing_since and now - fresh.failing_since >= limit:
            self.end(
                fresh,
                "disabled",
                f"no success since {fresh.failing_since.isoformat()} "
                f"({fresh.consecutive_failures} failed attempts)",
                now,
            )

    def end(self, sub: Subscription, state: str, reason: str, now: datetime) -> None:
        with self.store.transaction():
            self.store.set_subscription_state(sub.id, state, now, reason)  # type: ignore[arg-type]
            self.store.dead_subscription_deliveries(sub.id, now, f"subscription {state}: {reason}")
        log.warning("subscription %s %s: %s", sub.id, state, reason)
