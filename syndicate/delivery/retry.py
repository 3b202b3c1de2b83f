"""What an attempt's answer means, and when to try again.

2xx: delivered. 410: gone for good, the subscription ends. Other 4xx (but
408 and 429) and redirects (never followed): dead at once, a retry would
not help. Everything else (5xx, 408, 429, timeouts, refused connections):
retried after the configured waits (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h by default) with +-20% jitter, never before a partner's Retry-After;
after the last wait the delivery is dead.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

Verdict = Literal["delivered", "retry", "dead", "gone"]


@dataclass(frozen=True, slots=True)
class Judged:
    verdict: Verdict
    retry_at: datetime | None = None


def verdict_for(status: int | None, error: str | None) -> Verdict:
    if status is not None and 200 <= status < 300 and error is None:
        return "delivered"
    if status == 410:
        return "gone"
    if status is not None and (
        300 <= status < 400 or (400 <= status < 500 and status not in (408, 429))
    ):
        return "dead"
    return "retry"


def retry_after_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """A Retry-After header as seconds from now (a number or an HTTP date)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def judge(
    status: int | None,
    error: str | None,
    headers: Mapping[str, str],
    *,
    attempts_done: int,
    schedule: Sequence[float],
    jitter: float,
    max_retry_after: float,
    now: datetime,
    rng: random.Random,
) -> Judged:
    """`attempts_done` counts the attempt being judged."""
    verdict = verdict_for(status, error)
    if verdict != "retry":
        return Judged(verdict)
    if attempts_done > len(schedule):
        return Judged("dead")
    wait = schedule[attempts_done - 1] * (1 + rng.uniform(-jitter, jitter))
    asked = retry_after_seconds(headers, now)
    if asked is not None:
        wait = max(wait, min(asked, max_retry_after))
    return Judged("retry", now + timedelta(seconds=wait))
