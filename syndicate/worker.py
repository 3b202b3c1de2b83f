"""`syndicate worker`: drains the outbox and runs the scheduled jobs.

The drain loop claims due deliveries (with a lease), keeps at most
`[delivery] concurrency` in flight and at most `per_partner` per partner
(host and port), so a slow partner never holds up the others, and looks for
new rows every `[worker] poll_ms` when idle. APScheduler runs the periodic
jobs: `tick` (embargo releases, cron pushes that came due, WebSub lease
expiry), housekeeping (retention), heartbeats and IndexNow.

`run(burst=True)` does one tick, drains what is due and returns, without
APScheduler: tests drive it, with an injectable clock for scheduling (the
signatures on the wire use real time). SIGTERM and SIGINT stop the claiming;
deliveries in flight finish (each within its deadline), claimed rows not yet
sent are released, and the worker exits 0.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from apscheduler.schedulers.background import BackgroundScheduler

from . import fanout
from .config import Config
from .cron import trigger
from .delivery.attempt import Attempted, Attempter
from .delivery.http import Transport, TransportSettings
from .delivery.indexnow import submit_pending
from .feeddefs import load_feeds
from .ingest.dates import site_zone
from .lifecycle import Newsroom
from .store import Store
from .store.outbox import Delivery
from .store.subscriptions import Subscription
from .store.wake import Listener

log = logging.getLogger("syndicate.worker")
CATCH_UP = timedelta(days=1)
RECORD_EVERY = 0.1  # seconds an outcome may wait to be written with others
RECORD_BATCH = 64  # outcomes that are written at once, without waiting longer


def partner_of(url: str) -> str:
    """A partner is a host and port: its deliveries share its limit."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def transport_settings(config: Config) -> TransportSettings:
    d = config.delivery
    return TransportSettings(
        connect_timeout=d.connect_timeout,
        read_timeout=d.read_timeout,
        deadline=d.deadline,
        max_response_bytes=d.max_response_bytes,
        concurrency=d.concurrency,
        per_partner=d.per_partner,
        allow_networks=d.allow_networks,
    )


@dataclass
class Stats:
    attempted: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    enqueued: int = 0

    def count(self, done: Attempted) -> None:
        self.attempted += 1
        self.verdicts[done.verdict] += 1


class Recorder:
    """Writes outcomes on a thread of its own, one batch at a time and in
    order, so the drain loop keeps partners busy while the database works.
    Leaving the block waits for the last batch."""

    def __init__(self, record: Callable[[list[Attempted]], None]) -> None:
        self.record = record
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="record")
        self.last: Future[None] | None = None

    def submit(self, batch: list[Attempted]) -> None:
        """Hand over `batch` (emptied here); waits while the previous one is written."""
        if not batch:
            return
        self.wait()
        self.last = self.pool.submit(self.record, list(batch))
        batch.clear()

    def wait(self) -> None:
        if self.last is not None:
            last, self.last = self.last, None
            last.result()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown()


class Worker:
    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        transport: Transport | None = None,
        clock: Callable[[], datetime] | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.transport = transport or Transport(transport_settings(config))
        self.attempter = Attempter(store, config, self.transport, self.clock, self.id)
        self.stopping = threading.Event()
        self.listener = Listener(store.engine, self.stopping)
        self.stats = Stats()
        self._cron_checked: dict[str, datetime] = {}
        self._last_housekeeping: float | None = None

    # -- scheduled work --------------------------------------------------------------

    def newsroom(self) -> Newsroom:
        return Newsroom(self.store, self.config, load_feeds(self.config))

    def tick(self) -> int:
        """Embargo releases, cron pushes due by now, WebSub lease expiry: rows enqueued."""
        now = self.clock()
        newsroom = self.newsroom()
        enqueued = len(newsroom.release_embargoes(now))
        zone = site_zone(self.config.site.timezone)
        for feed in newsroom.feeds:
            if feed.push == "immediate":
                continue
            for scheduled in self.due_runs(feed.id, feed.push, zone, now):
                ids = fanout.run_cron(self.store, feed, scheduled, now)
                if ids is not None:
                    log.info(
                        "cron push feed=%s scheduled=%s enqueued=%d",
                        feed.id,
                        scheduled.isoformat(),
                        len(ids),
                    )
                    enqueued += len(ids)
        for sub_id in self.store.expire_leases(now):
            log.info("websub subscription %s ended: lease expired", sub_id)
        self.stats.enqueued += enqueued
        return enqueued

    def due_runs(self, feed_id: str, expression: str, zone: Any, now: datetime) -> list[datetime]:
        """Fire times of a cron push between the last one looked at (or the last
        run anyone made, at most a day back) and now."""
        start = self._cron_checked.get(feed_id)
        if start is None:
            runs = self.store.runs(feed_id)
            start = max(runs[-1][0], now - CATCH_UP) if runs else now - timedelta(minutes=1)
        cron = trigger(expression, zone)
        due: list[datetime] = []
        point = cron.get_next_fire_time(None, start + timedelta(microseconds=1))
        while point is not None and point <= now and len(due) < 1440:
            due.append(point.astimezone(UTC))
            point = cron.get_next_fire_time(point, point + timedelta(microseconds=1))
        self._cron_checked[feed_id] = now
        return due

    def housekeeping(self) -> None:
        now = self.clock()
        pruned = self.store.prune(now - timedelta(days=self.config.delivery.retention_days))
        if pruned:
            log.info("pruned %d delivered and dead deliveries", pruned)
        self.store.forget_workers(now - timedelta(days=1))

    def heartbeat(self) -> None:
        self.store.heartbeat(self.id, socket.gethostname(), os.getpid(), datetime.now(UTC))

    def indexnow(self) -> int:
        """Submit the queued URLs to IndexNow; how many were accepted."""
        if not self.config.indexnow.enabled:
            return 0
        return submit_pending(self.store, self.config, self.transport, self.clock())

    # -- the drain -----------------------------------------------------------------------

    def drain(self, *, burst: bool, max_jobs: int | None = None) -> int:
        """Deliver due rows until stopped (or, in a burst, until nothing is due)."""
        settings = self.config.delivery
        lease = timedelta(seconds=max(self.config.worker.lease_seconds, settings.deadline + 5))
        poll = self.config.worker.poll_ms / 1000
        # rows held at once: every thread busy and as many queued behind them,
        # or a whole batch: each claim walks the outbox's index, so fewer and
        # larger claims cost the database less
        window = max(2 * settings.concurrency, self.config.worker.batch)
        busy: dict[str, int] = defaultdict(int)
        queued: dict[str, deque[tuple[Delivery, Subscription]]] = defaultdict(deque)
        flying: dict[Future[Attempted], tuple[str, Delivery]] = {}
        unrecorded: list[Attempted] = []
        first_unrecorded = 0.0
        extended = time.monotonic()  # held rows' leases were last renewed
        done_count = 0
        with (
            ThreadPoolExecutor(settings.concurrency, thread_name_prefix="deliver") as pool,
            Recorder(self._record) as recorder,
        ):
            while True:
                now = self.clock()
                waiting = sum(len(q) for q in queued.values())
                room = window - len(flying) - waiting
                if max_jobs is not None:
                    room = min(room, max_jobs - done_count - len(flying) - waiting)
                claimed: list[Delivery] = []
                # claim in batches: when half the window is free, or when idle
                wanted = 2 * room >= window or not (flying or waiting)
                if room > 0 and wanted and not self.stopping.is_set():
                    claimed = self.store.claim(self.id, room, now, now + lease)
                    subs = self.store.subscriptions_by_id(d.subscription_id for d in claimed)
                    for delivery in claimed:
                        sub = subs[delivery.subscription_id]
                        queued[partner_of(sub.url)].append((delivery, sub))
                sending = {(d.subscription_id, d.article_id) for _, d in flying.values()}
                for key, line in queued.items():
                    later: list[tuple[Delivery, Subscription]] = []
                    while (
                        line
                        and busy[key] < settings.per_partner
                        and len(flying) < settings.concurrency
                    ):
                        delivery, sub = line.popleft()
                        story = (delivery.subscription_id, delivery.article_id)
                        if story in sending:  # one story at a time per subscriber: in order
                            later.append((delivery, sub))
                            continue
                        sending.add(story)
                        busy[key] += 1
                        flying[pool.submit(self.attempter, delivery, sub)] = (key, delivery)
                    line.extendleft(reversed(later))
                if waiting and time.monotonic() - extended > lease.total_seconds() / 3:
                    held = [d.id for line in queued.values() for d, _ in line]
                    self.store.extend(held, self.id, now + lease)
                    extended = time.monotonic()
                if flying:
                    finished, _ = wait(flying, timeout=poll, return_when=FIRST_COMPLETED)
                    for future in finished:
                        key, delivery = flying.pop(future)
                        busy[key] -= 1
                        done_count += 1
                        try:
                            unrecorded.append(future.result())
                        except Exception:  # it could not judge itself: the lease frees the row
                            log.exception("delivery %s failed in the worker", delivery.id)
                    if unrecorded and not first_unrecorded:
                        first_unrecorded = time.monotonic()
                    # outcomes are written in batches: few, short write transactions
                    if unrecorded and (
                        len(unrecorded) >= RECORD_BATCH
                        or not flying
                        or time.monotonic() - first_unrecorded > RECORD_EVERY
                    ):
                        recorder.submit(unrecorded)
                        first_unrecorded = 0.0
                    continue
                recorder.submit(unrecorded)
                if self.stopping.is_set() or (max_jobs is not None and done_count >= max_jobs):
                    break
                if claimed or any(queued.values()):
                    continue
                if burst and not self._due_now():
                    break
                self._idle(poll)
            self.store.release([d.id for line in queued.values() for d, _ in line], self.id)
        return done_count

    def _record(self, done: list[Attempted]) -> None:
        self.attempter.record(done)
        for attempted in done:
            self.stats.count(attempted)

    def _due_now(self) -> bool:
        due = self.store.next_due()
        return due is not None and due <= self.clock()

    def _idle(self, poll: float) -> None:
        """Sleep until a row may be due: at most one poll interval, less when
        a row comes due sooner, and on PostgreSQL only until NOTIFY says rows
        were enqueued."""
        due = self.store.next_due()
        now = self.clock()
        if due is not None and due <= now:
            return
        wait = poll if due is None else min(poll, (due - now).total_seconds())
        self.listener.wait(wait)

    # -- running -------------------------------------------------------------------------

    def run(self, *, burst: bool = False, max_jobs: int | None = None) -> Stats:
        if burst:
            self.tick()
            self.drain(burst=True, max_jobs=max_jobs)
            return self.stats
        scheduler = BackgroundScheduler(timezone=UTC)
        worker = self.config.worker
        scheduler.add_job(
            self._guarded(self.tick), "interval", seconds=worker.embargo_seconds, id="tick"
        )
        scheduler.add_job(
            self._guarded(self.housekeeping),
            "interval",
            minutes=worker.housekeeping_minutes,
            id="housekeeping",
        )
        scheduler.add_job(
            self._guarded(self.heartbeat),
            "interval",
            seconds=worker.heartbeat_seconds,
            id="heartbeat",
        )
        if self.config.indexnow.enabled:
            scheduler.add_job(
                self._guarded(self.indexnow),
                "interval",
                seconds=self.config.indexnow.interval_seconds,
                id="indexnow",
            )
        self.heartbeat()
        self.tick()
        scheduler.start()
        log.info("worker %s started", self.id)
        try:
            self.drain(burst=False)
        finally:
            scheduler.shutdown(wait=True)
            self.listener.close()
            self.transport.close()
            log.info("worker %s stopped", self.id)
        return self.stats

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    @staticmethod
    def _guarded(job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            started = time.monotonic()
            try:
                job()
            except Exception:
                log.exception("scheduled job %s failed", getattr(job, "__name__", job))
            elapsed = time.monotonic() - started
            if elapsed > 5:
                log.warning("scheduled job %s took %.1f s", getattr(job, "__name__", job), elapsed)

        return run
