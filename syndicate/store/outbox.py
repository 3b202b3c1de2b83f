"""The deliveries outbox: the truth about pushes.

A delivery exists as a row before any network IO happens and is marked
delivered only after the partner answered 2xx. Rows are unique per
(subscription, article, version, event, push id), so enqueueing twice is
harmless. Workers claim due rows with a lease (claimed_by, claimed_until):
on PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED, on SQLite inside a
write transaction; a row whose lease ran out (its worker died) is claimed
again, and its webhook-id (the row id) is the same.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, case, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..errors import NotFoundError
from .base import StoreBase
from .tables import attempts, deliveries, subscriptions
from .wake import notify


@dataclass(frozen=True, slots=True)
class NewDelivery:
    subscription_id: str
    article_id: str
    version: int
    event: str
    event_at: datetime
    push_id: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    subscription_id: str
    article_id: str
    version: int
    event: str
    push_id: str
    state: str
    attempts: int
    next_attempt_at: datetime
    claimed_by: str | None
    claimed_until: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    event_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subscription": self.subscription_id,
            "article": self.article_id,
            "version": self.version,
            "event": self.event,
            "push_id": self.push_id,
            "state": self.shown_state,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat()
            if self.state == "pending"
            else None,
            "created_at": self.created_at.isoformat(),
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "last_status": self.last_status,
            "last_error": self.last_error,
        }

    @property
    def shown_state(self) -> str:
        """`failed`: still pending, after at least one failed attempt."""
        return "failed" if self.state == "pending" and self.attempts else self.state


@dataclass(frozen=True, slots=True)
class Attempt:
    attempted_at: datetime
    status: int | None
    ms: int
    error: str | None
    response: str | None
    worker: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to, and what follows from it."""

    attempted_at: datetime
    status: int | None
    ms: int
    ok: bool
    error: str | None = None
    response: str | None = None
    retry_at: datetime | None = None  # None and not ok: the delivery is dead


_COMPLETE = (
    update(deliveries)
    .where(deliveries.c.id == bindparam("b_id"))
    .values(
        attempts=deliveries.c.attempts + 1,
        last_status=bindparam("b_status"),
        last_error=bindparam("b_error"),
        claimed_by=None,
        claimed_until=None,
    )
)
SUCCESS_RESOLUTION = timedelta(seconds=10)
"""last_success_at moves only when it is this much older (or the subscription
was failing): a busy subscription's row is not rewritten, and locked, by
every success of every worker."""
_SUCCEEDED = (
    update(subscriptions)
    .where(
        subscriptions.c.id == bindparam("b_sub"),
        or_(
            subscriptions.c.consecutive_failures > 0,
            subscriptions.c.last_success_at.is_(None),
            subscriptions.c.last_success_at < bindparam("b_stale"),
        ),
    )
    .values(last_success_at=bindparam("b_at"), consecutive_failures=0, failing_since=None)
)
_FAILED = (
    update(subscriptions)
    .where(subscriptions.c.id == bindparam("b_sub"))
    .values(
        last_failure_at=bindparam("b_last"),
        consecutive_failures=subscriptions.c.consecutive_failures + bindparam("b_count"),
        failing_since=func.coalesce(subscriptions.c.failing_since, bindparam("b_first")),
    )
)


HELD_SUBSCRIPTIONS = select(subscriptions.c.id).where(subscriptions.c.state != "active")
"""Subscriptions whose pending rows wait (paused, disabled, ended). Claims
say NOT IN this small set rather than IN the active ones: PostgreSQL then
filters while it reads the due index in order and stops at the batch size,
where a join with the active set made it sort every pending row."""


def new_delivery_id() -> str:
    return "msg_" + secrets.token_hex(12)


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(**dict(row._mapping))


class OutboxStore(StoreBase):
    def enqueue(self, rows: Iterable[NewDelivery], now: datetime) -> list[str]:
        """Insert what is not there yet; the ids of the new rows."""
        values = [
            {
                "id": new_delivery_id(),
                "subscription_id": r.subscription_id,
                "article_id": r.article_id,
                "version": r.version,
                "event": r.event,
                "push_id": r.push_id,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "event_at": r.event_at,
            }
            for r in rows
        ]
        if not values:
            return []
        with self._connect(write=True) as connection:
            make = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            statement = make(deliveries).on_conflict_do_nothing().returning(deliveries.c.id)
            # executemany with RETURNING: SQLAlchemy sends multi-row INSERTs
            ids = list(connection.execute(statement, values).scalars())
            if ids:
                notify(connection)
        return ids

    def claim(
        self, worker: str, limit: int, now: datetime, lease_until: datetime
    ) -> list[Delivery]:
        """Due rows, leased to `worker` until `lease_until`."""
        due = (
            select(deliveries.c.id)
            .where(
                deliveries.c.state == "pending",
                deliveries.c.next_attempt_at <= now,
                or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
                deliveries.c.subscription_id.not_in(HELD_SUBSCRIPTIONS),
            )
            .order_by(deliveries.c.next_attempt_at, deliveries.c.version)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self._connect(write=True) as connection:
            if connection.dialect.name == "postgresql":
                # Read the due index in order and stop at the batch: statistics
                # lag behind a burst of new rows, and a plan that sorts every
                # pending row costs 10-100x more than the index walk.
                connection.execute(text("SET LOCAL enable_sort = off"))
            rows = connection.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(due.scalar_subquery()))
                .values(claimed_by=worker, claimed_until=lease_until)
                .returning(*deliveries.c)
            ).all()
        return sorted((_delivery(r) for r in rows), key=lambda d: (d.next_attempt_at, d.version))

    def next_due(self) -> datetime | None:
        """When a pending delivery of an active subscription can next be
        claimed: its due time, or for a claimed row the end of its lease (so
        idle workers do not spin on rows a busy one holds). Rows of paused
        subscriptions wait for a resume and are not counted."""
        claimable = case(
            (
                deliveries.c.claimed_until > deliveries.c.next_attempt_at,
                deliveries.c.claimed_until,
            ),
            else_=deliveries.c.next_attempt_at,
        )
        query = select(func.min(claimable)).where(
            deliveries.c.state == "pending",
            deliveries.c.subscription_id.not_in(HELD_SUBSCRIPTIONS),
        )
        with self._connect() as connection:
            found: datetime | None = connection.execute(query).scalar_one_or_none()
        return found

    def extend(self, ids: Sequence[str], worker: str, until: datetime) -> None:
        """Keep claimed rows that wait for a partner slot."""
        if not ids:
            return
        with self._connect(write=True) as connection:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(list(ids)), deliveries.c.claimed_by == worker)
                .values(claimed_until=until)
            )

    def release(self, ids: Sequence[str], worker: str) -> None:
        """Give claimed rows back (a worker stopping before it sent them)."""
        if not ids:
            return
        with self._connect(write=True) as connection:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(list(ids)), deliveries.c.claimed_by == worker)
                .values(claimed_by=None, claimed_until=None)
            )

    def complete(self, delivery: Delivery, outcome: Outcome, worker: str) -> None:
        """Record an attempt; the delivery is delivered, retried later or dead."""
        self.complete_many([(delivery, outcome)], worker)

    def complete_many(self, done: Sequence[tuple[Delivery, Outcome]], worker: str) -> None:
        """Record several attempts in one transaction (each statement compiled
        once and executed with many rows: this is the worker's hot path)."""
        if not done:
            return
        delivered: list[dict[str, Any]] = []
        retried: list[dict[str, Any]] = []
        dead: list[dict[str, Any]] = []
        last_success: dict[str, datetime] = {}
        failures: dict[str, tuple[int, datetime, datetime]] = {}
        for delivery, outcome in sorted(done, key=lambda d: d[0].id):
            row = {
                "b_id": delivery.id,
                "b_status": outcome.status,
                "b_error": outcome.error,
                "b_at": outcome.attempted_at,
                "b_retry": outcome.retry_at,
            }
            if outcome.ok:
                delivered.append(row)
            elif outcome.retry_at is not None:
                retried.append(row)
            else:
                dead.append(row)
            sub, at = delivery.subscription_id, outcome.attempted_at
            if outcome.ok:
                last_success[sub] = max(at, last_success.get(sub, at))
            else:
                count, first, last = failures.get(sub, (0, at, at))
                failures[sub] = (count + 1, min(first, at), max(last, at))
        # one row per subscription, in id order: workers recording at the same
        # time lock shared subscriptions in the same order and never deadlock
        # failures first, then the successes that came after them (a success
        # resets the count; a failure after a success in the batch stands)
        succeeded = [
            {"b_sub": k, "b_at": v, "b_stale": v - SUCCESS_RESOLUTION}
            for k, v in sorted(last_success.items())
            if k not in failures or failures[k][2] < v
        ]
        failed = [
            {"b_sub": k, "b_count": n, "b_first": first, "b_last": last}
            for k, (n, first, last) in sorted(failures.items())
        ]
        with self._connect(write=True) as connection:
            connection.execute(
                insert(attempts),
                [
                    {
                        "delivery_id": delivery.id,
                        "attempted_at": outcome.attempted_at,
                        "status": outcome.status,
                        "ms": outcome.ms,
                        "error": outcome.error,
                        "response": outcome.response,
                        "worker": worker,
                    }
                    for delivery, outcome in done
                ],
            )
            for rows, extra in (
                (delivered, {"state": "delivered", "delivered_at": bindparam("b_at")}),
                (retried, {"next_attempt_at": bindparam("b_retry")}),
                (dead, {"state": "dead"}),
            ):
                if rows:
                    connection.execute(_COMPLETE.values(**extra), rows)
            if failed:
                connection.execute(_FAILED, failed)
            if succeeded:
                connection.execute(_SUCCEEDED, succeeded)

    # -- reading and operating ---------------------------------------------------------

    def deliveries(
        self,
        *,
        state: str | None = None,
        subscription_id: str | None = None,
        article_id: str | None = None,
        limit: int | None = 200,
    ) -> list[Delivery]:
        query = select(deliveries).order_by(deliveries.c.created_at.desc(), deliveries.c.id)
        if state == "failed":
            query = query.where(deliveries.c.state == "pending", deliveries.c.attempts > 0)
        elif state == "pending":
            query = query.where(deliveries.c.state == "pending", deliveries.c.attempts == 0)
        elif state is not None:
            query = query.where(deliveries.c.state == state)
        if subscription_id is not None:
            query = query.where(deliveries.c.subscription_id == subscription_id)
        if article_id is not None:
            query = query.where(deliveries.c.article_id == article_id)
        with self._connect() as connection:
            return [_delivery(r) for r in connection.execute(query.limit(limit))]

    def delivery(self, delivery_id: str) -> tuple[Delivery, list[Attempt]]:
        with self._connect() as connection:
            row = connection.execute(
                select(deliveries).where(deliveries.c.id == delivery_id)
            ).one_or_none()
            if row is None:
                raise NotFoundError(f"no delivery {delivery_id!r}")
            tries = connection.execute(
                select(
                    attempts.c.attempted_at,
                    attempts.c.status,
                    attempts.c.ms,
                    attempts.c.error,
                    attempts.c.response,
                    attempts.c.worker,
                )
                .where(attempts.c.delivery_id == delivery_id)
                .order_by(attempts.c.id)
            ).all()
        return _delivery(row), [Attempt(*t) for t in tries]

    def retry(self, ids: Sequence[str] | None, now: datetime) -> int:
        """Replay deliveries (the given ones, or every dead one) from scratch."""
        query = update(deliveries).values(
            state="pending", attempts=0, next_attempt_at=now, claimed_by=None, claimed_until=None
        )
        if ids is None:
            query = query.where(deliveries.c.state == "dead")
        else:
            query = query.where(deliveries.c.id.in_(list(ids)), deliveries.c.state != "pending")
        with self._connect(write=True) as connection:
            count = int(connection.execute(query).rowcount)
            if count:
                notify(connection)
        return count

    def recipients(self, article_id: str) -> list[str]:
        """Subscriptions that received any version of the article."""
        query = (
            select(deliveries.c.subscription_id)
            .where(deliveries.c.article_id == article_id, deliveries.c.state == "delivered")
            .distinct()
        )
        with self._connect() as connection:
            return sorted(connection.execute(query).scalars())

    def counts(self, ids: Sequence[str] | None = None) -> dict[str, int]:
        """Deliveries by shown state (pending, failed, delivered, dead)."""
        failed = (deliveries.c.state == "pending") & (deliveries.c.attempts > 0)
        query = select(deliveries.c.state, failed.label("failed"), func.count()).group_by(
            deliveries.c.state, failed
        )
        if ids is not None:
            query = query.where(deliveries.c.id.in_(list(ids)))
        out = {"pending": 0, "failed": 0, "delivered": 0, "dead": 0}
        with self._connect() as connection:
            for state, is_failed, count in connection.execute(query):
                out["failed" if is_failed else state] += count
        return out

    def delivery_counts_by_url(self) -> list[tuple[str, bool, str, int]]:
        """(state, failed before, subscription URL, count): what /metrics shows."""
        failed = (deliveries.c.state == "pending") & (deliveries.c.attempts > 0)
        query = (
            select(deliveries.c.state, failed.label("failed"), subscriptions.c.url, func.count())
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .group_by(deliveries.c.state, failed, subscriptions.c.url)
        )
        with self._connect() as connection:
            return [(r[0], bool(r[1]), r[2], r[3]) for r in connection.execute(query)]

    def oldest_due(self, now: datetime) -> datetime | None:
        """The due time of the longest-waiting pending delivery that is due."""
        query = select(func.min(deliveries.c.next_attempt_at)).where(
            deliveries.c.state == "pending", deliveries.c.next_attempt_at <= now
        )
        with self._connect() as connection:
            found: datetime | None = connection.execute(query).scalar_one_or_none()
        return found

    def dead_subscription_deliveries(self, sub_id: str, now: datetime, reason: str) -> int:
        """A subscription ended or was disabled: its pending rows will not be sent."""
        with self._connect(write=True) as connection:
            return int(
                connection.execute(
                    update(deliveries)
                    .where(deliveries.c.subscription_id == sub_id, deliveries.c.state == "pending")
                    .values(state="dead", last_error=reason, claimed_by=None, claimed_until=None)
                ).rowcount
            )

    def prune(self, before: datetime) -> int:
        """Delete delivered and dead rows (with their attempts) older than `before`."""
        with self._connect(write=True) as connection:
            old = select(deliveries.c.id).where(
                deliveries.c.state.in_(("delivered", "dead")), deliveries.c.created_at < before
            )
            connection.execute(delete(attempts).where(attempts.c.delivery_id.in_(old)))
            return int(
                connection.execute(
                    delete(deliveries).where(
                        deliveries.c.state.in_(("delivered", "dead")),
                        deliveries.c.created_at < before,
                    )
                ).rowcount
            )
