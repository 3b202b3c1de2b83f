"""Subscriptions: webhook endpoints registered by operators, and WebSub
subscribers of our feeds. Each has a state and delivery statistics."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, insert, select, update

from ..errors import NotFoundError
from ..feeddefs import Filters
from ..model import Article
from .base import StoreBase
from .tables import deliveries, subscriptions
from .wake import notify

WEBSUB_LOCK_KEY = 0x53594E44_57535542
"""pg_advisory_xact_lock key held while a WebSub verification is stored ("SYNDWSUB")."""

Kind = Literal["webhook", "websub"]
State = Literal["pending", "active", "paused", "disabled", "ended"]
STATES: tuple[str, ...] = ("pending", "active", "paused", "disabled", "ended")


def filters_to_json(filters: Filters | None) -> str | None:
    if filters is None:
        return None
    data = {
        key: sorted(getattr(filters, key))
        for key in ("sections", "keywords", "subjects", "languages")
        if getattr(filters, key)
    }
    return json.dumps(data, sort_keys=True) if data else None


def filters_from_json(text: str | None) -> Filters | None:
    if not text:
        return None
    data: dict[str, list[str]] = json.loads(text)
    return Filters(**{key: frozenset(values) for key, values in data.items()})


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    kind: Kind
    feed_id: str
    url: str
    format: str
    name: str | None
    secret: str | None
    previous_secret: str | None
    previous_secret_until: datetime | None
    embargoed: bool
    filters: Filters | None
    state: State
    state_reason: str | None
    created_at: datetime
    updated_at: datetime
    lease_until: datetime | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    consecutive_failures: int
    failing_since: datetime | None

    def secrets(self, now: datetime) -> list[str]:
        """The secrets to sign with: the current one, and the previous one
        during a rotation's grace period."""
        found = [self.secret] if self.secret else []
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            found.append(self.previous_secret)
        return found

    def wants(self, article: Article) -> bool:
        """Narrower filters of the subscription itself (the feed's apply first)."""
        return self.filters is None or self.filters.matches(article)

    def as_dict(self) -> dict[str, Any]:
        """Without the secrets."""

        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "kind": self.kind,
            "feed": self.feed_id,
            "url": self.url,
            "format": self.format,
            "name": self.name,
            "embargoed": self.embargoed,
            "filters": json.loads(filters_to_json(self.filters) or "null"),
            "state": self.state,
            "state_reason": self.state_reason,
            "created_at": when(self.created_at),
            "lease_until": when(self.lease_until),
            "last_success_at": when(self.last_success_at),
            "last_failure_at": when(self.last_failure_at),
            "consecutive_failures": self.consecutive_failures,
            "failing_since": when(self.failing_since),
        }


def new_id() -> str:
    return "sub_" + secrets.token_hex(8)


def _from_row(row: Row[Any]) -> Subscription:
    data = dict(row._mapping)
    data["filters"] = filters_from_json(data["filters"])
    return Subscription(**data)


class SubscriptionStore(StoreBase):
    def add_subscription(
        self,
        *,
        kind: Kind,
        feed_id: str,
        url: str,
        format: str,
        now: datetime,
        name: str | None = None,
        secret: str | None = None,
        embargoed: bool = False,
        filters: Filters | None = None,
        state: State = "active",
        lease_until: datetime | None = None,
    ) -> Subscription:
        sub_id = new_id()
        with self._connect(write=True) as connection:
            connection.execute(
                insert(subscriptions).values(
                    id=sub_id,
                    kind=kind,
                    feed_id=feed_id,
                    url=url,
                    format=format,
                    name=name,
                    secret=secret,
                    embargoed=embargoed,
                    filters=filters_to_json(filters),
                    state=state,
                    created_at=now,
                    updated_at=now,
                    lease_until=lease_until,
                    consecutive_failures=0,
                )
            )
        return self.subscription(sub_id)

    def subscription(self, sub_id: str) -> Subscription:
        with self._connect() as connection:
            row = connection.execute(
                select(subscriptions).where(subscriptions.c.id == sub_id)
            ).one_or_none()
        if row is None:
            raise NotFoundError(f"no subscription {sub_id!r}")
        return _from_row(row)

    def subscriptions_by_id(self, ids: Iterable[str]) -> dict[str, Subscription]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        with self._connect() as connection:
            rows = connection.execute(select(subscriptions).where(subscriptions.c.id.in_(wanted)))
            return {row.id: _from_row(row) for row in rows}

    def subscriptions(
        self,
        *,
        feed_id: str | None = None,
        kind: Kind | None = None,
        states: Iterable[str] | None = None,
    ) -> list[Subscription]:
        query = select(subscriptions).order_by(subscriptions.c.created_at, subscriptions.c.id)
        if feed_id is not None:
            query = query.where(subscriptions.c.feed_id == feed_id)
        if kind is not None:
            query = query.where(subscriptions.c.kind == kind)
        if states is not None:
            query = query.where(subscriptions.c.state.in_(list(states)))
        with self._connect() as connection:
            return [_from_row(row) for row in connection.execute(query)]

    def lock_websub(self) -> None:
        """Serialize WebSub verifications until the surrounding transaction
        ends, so two racing requests for one callback make one subscription
        (SQLite's write lock does this already; PostgreSQL needs the lock)."""
        with self._connect(write=True) as connection:
            self._lock(connection, WEBSUB_LOCK_KEY)

    def websub_subscription(self, feed_id: str, fmt: str, callback: str) -> Subscription | None:
        query = select(subscriptions).where(
            subscriptions.c.kind == "websub",
            subscriptions.c.feed_id == feed_id,
            subscriptions.c.format == fmt,
            subscriptions.c.url == callback,
            subscriptions.c.state != "ended",
        )
        with self._connect() as connection:
            row = connection.execute(query.limit(1)).one_or_none()
        return _from_row(row) if row is not None else None

    def update_subscription(self, sub_id: str, now: datetime, **values: Any) -> Subscription:
        if "filters" in values:
            values["filters"] = filters_to_json(values["filters"])
        with self._connect(write=True) as connection:
            done = connection.execute(
                update(subscriptions)
                .where(subscriptions.c.id == sub_id)
                .values(updated_at=now, **values)
            )
            if values.get("state") == "active":  # its waiting rows may be claimed again
                notify(connection)
        if done.rowcount == 0:
            raise NotFoundError(f"no subscription {sub_id!r}")
        return self.subscription(sub_id)

    def set_subscription_state(
        self, sub_id: str, state: State, now: datetime, reason: str | None = None
    ) -> Subscription:
        extra: dict[str, Any] = {}
        if state == "active":
            extra = {"consecutive_failures": 0, "failing_since": None}
        return self.update_subscription(sub_id, now, state=state, state_reason=reason, **extra)

    def expire_leases(self, now: datetime) -> list[str]:
        """End WebSub subscriptions whose lease has run out; their pending
        deliveries go dead, since nobody is listening any more."""
        query = select(subscriptions.c.id).where(
            subscriptions.c.kind == "websub",
            subscriptions.c.state.in_(("active", "pending")),
            subscriptions.c.lease_until <= now,
        )
        with self._connect(write=True) as connection:
            ended = list(connection.execute(query).scalars())
            if ended:
                connection.execute(
                    update(subscriptions)
                    .where(subscriptions.c.id.in_(ended))
                    .values(state="ended", state_reason="lease expired", updated_at=now)
                )
                connection.execute(
                    update(deliveries)
                    .where(deliveries.c.subscription_id.in_(ended), deliveries.c.state == "pending")
                    .values(
                        state="dead",
                        last_error="subscription ended: lease expired",
                        claimed_by=None,
                        claimed_until=None,
                    )
                )
        return ended
