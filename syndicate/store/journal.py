"""Small logs the push side keeps: public changes (what a cron push sends),
cron runs (each fires once per feed and scheduled time across the
cluster), IndexNow URLs, worker heartbeats and the audit list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .base import StoreBase
from .tables import audit, changes, indexnow, push_runs, workers


@dataclass(frozen=True, slots=True)
class ChangeRow:
    at: datetime
    article_id: str
    version: int
    event: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: datetime
    actor: str
    host: str
    action: str
    article_id: str | None
    version: int | None
    detail: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "host": self.host,
            "action": self.action,
            "article": self.article_id,
            "version": self.version,
            "detail": self.detail,
        }


class JournalStore(StoreBase):
    # -- changes ---------------------------------------------------------------------

    def add_change(self, article_id: str, version: int, event: str, at: datetime) -> None:
        with self._connect(write=True) as connection:
            connection.execute(
                insert(changes).values(at=at, article_id=article_id, version=version, event=event)
            )

    def changes_between(self, after: datetime | None, until: datetime) -> list[ChangeRow]:
        query = select(
            changes.c.at, changes.c.article_id, changes.c.version, changes.c.event
        ).where(changes.c.at <= until)
        if after is not None:
            query = query.where(changes.c.at > after)
        with self._connect() as connection:
            return [ChangeRow(*r) for r in connection.execute(query.order_by(changes.c.id))]

    # -- cron runs -------------------------------------------------------------------

    def claim_run(self, feed_id: str, scheduled_at: datetime, now: datetime) -> datetime | None:
        """Take the run of `feed_id` scheduled at `scheduled_at`: the previous
        run's scheduled time (None for a first run) when this process got it;
        AlreadyRun when another worker has it already."""
        with self._connect(write=True) as connection:
            previous = connection.execute(
                select(func.max(push_runs.c.scheduled_at)).where(push_runs.c.feed_id == feed_id)
            ).scalar_one_or_none()
            try:
                with connection.begin_nested():
                    connection.execute(
                        insert(push_runs).values(
                            feed_id=feed_id, scheduled_at=scheduled_at, ran_at=now, enqueued=0
                        )
                    )
            except IntegrityError:
                raise AlreadyRun(feed_id, scheduled_at) from None
        return previous

    def finish_run(self, feed_id: str, scheduled_at: datetime, enqueued: int) -> None:
        with self._connect(write=True) as connection:
            connection.execute(
                update(push_runs)
                .where(push_runs.c.feed_id == feed_id, push_runs.c.scheduled_at == scheduled_at)
                .values(enqueued=enqueued)
            )

    def runs(self, feed_id: str) -> list[tuple[datetime, int]]:
        query = (
            select(push_runs.c.scheduled_at, push_runs.c.enqueued)
            .where(push_runs.c.feed_id == feed_id)
            .order_by(push_runs.c.scheduled_at)
        )
        with self._connect() as connection:
            return [(r.scheduled_at, r.enqueued) for r in connection.execute(query)]

    # -- IndexNow --------------------------------------------------------------------

    def queue_urls(self, urls: list[str], now: datetime) -> None:
        if not urls:
            return
        with self._connect(write=True) as connection:
            connection.execute(insert(indexnow), [{"url": u, "queued_at": now} for u in urls])

    def unsent_urls(self, limit: int) -> list[tuple[int, str]]:
        query = (
            select(indexnow.c.id, indexnow.c.url)
            .where(indexnow.c.sent_at.is_(None))
            .order_by(indexnow.c.id)
            .limit(limit)
        )
        with self._connect() as connection:
            return [(r.id, r.url) for r in connection.execute(query)]

    def mark_urls_sent(self, ids: list[int], now: datetime) -> None:
        with self._connect(write=True) as connection:
            connection.execute(update(indexnow).where(indexnow.c.id.in_(ids)).values(sent_at=now))

    # -- workers ---------------------------------------------------------------------

    def heartbeat(self, worker_id: str, host: str, pid: int, now: datetime) -> None:
        with self._connect(write=True) as connection:
            done = connection.execute(
                update(workers).where(workers.c.worker_id == worker_id).values(seen_at=now)
            )
            if done.rowcount == 0:
                connection.execute(
                    insert(workers).values(
                        worker_id=worker_id, host=host, pid=pid, started_at=now, seen_at=now
                    )
                )

    def last_heartbeat(self) -> datetime | None:
        with self._connect() as connection:
            found: datetime | None = connection.execute(
                select(func.max(workers.c.seen_at))
            ).scalar_one_or_none()
        return found

    def live_workers(self, since: datetime) -> list[str]:
        """Workers heard from since `since`."""
        query = select(workers.c.worker_id).where(workers.c.seen_at >= since)
        with self._connect() as connection:
            return sorted(connection.execute(query).scalars())

    def forget_workers(self, before: datetime) -> int:
        """Drop workers not heard from since `before` (each process start is a new id)."""
        with self._connect(write=True) as connection:
            return int(
                connection.execute(delete(workers).where(workers.c.seen_at < before)).rowcount
            )

    # -- audit -----------------------------------------------------------------------

    def add_audit(
        self,
        *,
        at: datetime,
        actor: str,
        host: str,
        action: str,
        article_id: str | None = None,
        version: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        with self._connect(write=True) as connection:
            connection.execute(
                insert(audit).values(
                    at=at,
                    actor=actor,
                    host=host,
                    action=action,
                    article_id=article_id,
                    version=version,
                    detail=json.dumps(detail, ensure_ascii=False) if detail else None,
                )
            )

    def audit_rows(self, article_id: str | None = None, limit: int = 500) -> list[AuditRow]:
        query = select(
            audit.c.at,
            audit.c.actor,
            audit.c.host,
            audit.c.action,
            audit.c.article_id,
            audit.c.version,
            audit.c.detail,
        ).order_by(audit.c.id.desc())
        if article_id is not None:
            query = query.where(audit.c.article_id == article_id)
        with self._connect() as connection:
            rows = connection.execute(query.limit(limit)).all()
        return [AuditRow(*row[:6], json.loads(row[6]) if row[6] else None) for row in rows]


class AlreadyRun(Exception):
    """Another worker took this cron run."""

    def __init__(self, feed_id: str, scheduled_at: datetime) -> None:
        super().__init__(f"push of {feed_id} scheduled at {scheduled_at.isoformat()} already ran")
