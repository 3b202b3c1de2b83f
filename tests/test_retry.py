"""The retry policy on its own: which answers are retried, the waits of the
schedule with their jitter, Retry-After, and death after the last wait."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicate.config import DeliveryConfig, parse_duration
from syndicate.delivery.retry import Judged, judge, retry_after_seconds, verdict_for

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCHEDULE = [parse_duration(step) for step in DeliveryConfig().retry_schedule]


def judged(
    status: int | None,
    attempts: int,
    *,
    jitter: float = 0.2,
    seed: int = 0,
    headers: dict[str, str] | None = None,
) -> Judged:
    return judge(
        status,
        None if status is not None else "connection refused",
        headers or {},
        attempts_done=attempts,
        schedule=SCHEDULE,
        jitter=jitter,
        max_retry_after=86_400.0,
        now=NOW,
        rng=random.Random(seed),
    )


def test_the_default_schedule_is_the_documented_one() -> None:
    assert list(SCHEDULE) == [5, 300, 1800, 7200, 18_000, 36_000, 36_000]


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (301, "dead"),  # redirects are never followed
        (400, "dead"),
        (401, "dead"),
        (404, "dead"),
        (408, "retry"),
        (429, "retry"),
        (410, "gone"),
        (500, "retry"),
        (503, "retry"),
        (None, "retry"),  # no answer at all
    ],
)
def test_which_answers_are_retried(status: int | None, verdict: str) -> None:
    assert verdict_for(status, None if status is not None else "timed out") == verdict


def test_a_2xx_with_a_transport_error_is_not_delivered() -> None:
    assert verdict_for(200, "body over the size limit") == "retry"


@given(attempt=st.integers(1, len(SCHEDULE)), seed=st.integers(0, 2**32))
def test_each_wait_is_the_schedule_within_twenty_percent(attempt: int, seed: int) -> None:
    result = judged(500, attempt, seed=seed)
    assert result.verdict == "retry" and result.retry_at is not None
    wait = (result.retry_at - NOW).total_seconds()
    base = SCHEDULE[attempt - 1]
    assert base * 0.8 <= wait <= base * 1.2


def test_jitter_spreads_the_waits() -> None:
    waits = set()
    for seed in range(50):
        retry_at = judged(500, 2, seed=seed).retry_at
        assert retry_at is not None
        waits.add((retry_at - NOW).total_seconds())
    assert len(waits) > 40 and min(waits) < 300 < max(waits)


def test_without_jitter_the_waits_are_exact() -> None:
    waits = [judged(408, n, jitter=0.0).retry_at for n in range(1, len(SCHEDULE) + 1)]
    assert waits == [NOW + timedelta(seconds=s) for s in SCHEDULE]


def test_after_the_last_wait_the_delivery_is_dead() -> None:
    assert judged(500, len(SCHEDULE) + 1).verdict == "dead"


def test_retry_after_is_a_floor_not_a_ceiling() -> None:
    later = judged(429, 1, headers={"Retry-After": "120"})
    assert later.retry_at is not None and later.retry_at >= NOW + timedelta(seconds=120)
    sooner = judged(503, 3, jitter=0.0, headers={"retry-after": "1"})
    assert sooner.retry_at == NOW + timedelta(seconds=1800)


def test_retry_after_as_an_http_date() -> None:
    headers = {"Retry-After": "Mon, 02 Mar 2026 09:10:00 GMT"}
    assert retry_after_seconds(headers, NOW) == 600.0
    assert retry_after_seconds({"Retry-After": "soon"}, NOW) is None
    assert retry_after_seconds({"Retry-After": "Mon, 02 Mar 2026 08:00:00 GMT"}, NOW) == 0.0
