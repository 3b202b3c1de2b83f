"""The outbox's own rules, on SQLite and PostgreSQL: what a claim takes, when
the next row is due, how outcomes move a subscription's statistics, and the
NOTIFY that wakes idle workers."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syndicate.store import Store
from syndicate.store.outbox import SUCCESS_RESOLUTION, NewDelivery, Outcome
from syndicate.store.subscriptions import Subscription
from syndicate.store.wake import Listener

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def subscribe(store: Store, n: int = 0) -> Subscription:
    return store.add_subscription(
        kind="webhook", feed_id="all", url=f"http://127.0.0.1:9/h?n={n}", format="ninjs", now=T0
    )


def enqueue(store: Store, sub: Subscription, stories: int, at: datetime = T0) -> list[str]:
    rows = [NewDelivery(sub.id, f"urn:s:{k}", 1, "article.published", at) for k in range(stories)]
    return store.enqueue(rows, at)


def test_enqueue_is_idempotent_and_claims_in_due_order(store: Store) -> None:
    sub = subscribe(store)
    first = enqueue(store, sub, 3)
    assert len(first) == 3
    assert enqueue(store, sub, 3) == []  # the same rows again: nothing new
    later = store.enqueue([NewDelivery(sub.id, "urn:s:late", 1, "article.published", T0)], T0)
    store.retry(later, T0 - timedelta(minutes=1))  # no-op: a pending row is not replayed
    claimed = store.claim("w1", 10, T0, T0 + timedelta(minutes=2))
    assert {d.id for d in claimed} == {*first, *later}
    assert store.claim("w2", 10, T0, T0 + timedelta(minutes=2)) == []  # leased to w1


def test_paused_subscriptions_wait_and_are_not_due(store: Store) -> None:
    active, paused = subscribe(store, 1), subscribe(store, 2)
    enqueue(store, paused, 2)
    store.set_subscription_state(paused.id, "paused", T0)
    assert store.next_due() is None
    assert store.claim("w", 10, T0, T0 + timedelta(minutes=1)) == []
    ids = enqueue(store, active, 1)
    assert store.next_due() == T0
    assert [d.id for d in store.claim("w", 10, T0, T0 + timedelta(minutes=1))] == ids
    store.set_subscription_state(paused.id, "active", T0)
    assert len(store.claim("w", 10, T0, T0 + timedelta(minutes=1))) == 2


def test_a_claimed_row_is_due_when_its_lease_ends(store: Store) -> None:
    enqueue(store, subscribe(store), 1)
    lease_end = T0 + timedelta(minutes=2)
    [row] = store.claim("w1", 10, T0, lease_end)
    assert store.next_due() == lease_end  # idle workers do not spin on it
    assert store.claim("w2", 10, lease_end - timedelta(seconds=1), lease_end) == []
    [again] = store.claim("w2", 10, lease_end + timedelta(seconds=1), lease_end)
    assert again.id == row.id  # the same webhook-id after a lost worker


def test_outcomes_move_the_subscription_statistics(store: Store) -> None:
    sub = subscribe(store)
    ids = enqueue(store, sub, 6)
    rows = {d.id: d for d in store.claim("w", 10, T0, T0 + timedelta(minutes=5))}
    t = [T0 + timedelta(seconds=s) for s in range(0, 60, 5)]

    def failed(at: datetime) -> Outcome:
        return Outcome(at, 500, 3, False, retry_at=at + timedelta(minutes=5))

    store.complete_many([(rows[ids[0]], failed(t[1])), (rows[ids[1]], failed(t[2]))], "w")
    got = store.subscription(sub.id)
    assert (got.consecutive_failures, got.failing_since, got.last_failure_at) == (2, t[1], t[2])

    # a failure then a success in one batch: the success, being later, resets
    ok = Outcome(t[4], 200, 3, True)
    store.complete_many([(rows[ids[2]], failed(t[3])), (rows[ids[3]], ok)], "w")
    got = store.subscription(sub.id)
    assert (got.consecutive_failures, got.failing_since, got.last_success_at) == (0, None, t[4])
    assert got.last_failure_at == t[3]

    # successes close together do not rewrite the row; later ones do
    soon = t[4] + SUCCESS_RESOLUTION / 2
    store.complete_many([(rows[ids[4]], Outcome(soon, 200, 3, True))], "w")
    assert store.subscription(sub.id).last_success_at == t[4]
    later = t[4] + SUCCESS_RESOLUTION * 2
    store.complete_many([(rows[ids[5]], Outcome(later, 200, 3, True))], "w")
    assert store.subscription(sub.id).last_success_at == later
    assert store.counts(ids) == {"pending": 0, "failed": 3, "delivered": 3, "dead": 0}


@pytest.mark.postgres
def test_notify_wakes_a_listener_when_the_rows_are_committed(pg_test_url: str) -> None:
    from syndicate.store import upgrade

    from .conftest import reset_pg_database

    reset_pg_database(pg_test_url)
    upgrade(pg_test_url)
    with Store(pg_test_url) as store:
        sub = subscribe(store)
        stopping = threading.Event()
        listener = Listener(store.engine, stopping)
        try:
            assert listener.wait(0.05) is False  # connects and listens; nothing yet
            assert listener.listening
            woken: list[bool] = []
            started = time.monotonic()
            waiter = threading.Thread(target=lambda: woken.append(listener.wait(10)))
            with store.transaction():
                waiter.start()
                enqueue(store, sub, 1)
                time.sleep(0.2)
                assert woken == []  # not before the rows can be seen
            waiter.join(10)
            assert woken == [True]
            assert time.monotonic() - started < 5
            assert listener.wait(0.05) is False  # one wake-up per commit, drained
        finally:
            listener.close()


def test_on_sqlite_the_listener_is_a_stoppable_sleep(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'outbox.db'}", auto_upgrade=True) as store:
        stopping = threading.Event()
        listener = Listener(store.engine, stopping)
        started = time.monotonic()
        assert listener.wait(0.1) is False
        assert time.monotonic() - started >= 0.09
        assert not listener.listening
        stopping.set()
        started = time.monotonic()
        listener.wait(30)
        assert time.monotonic() - started < 1
