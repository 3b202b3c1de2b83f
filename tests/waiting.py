"""Waiting for something another thread or process does: polls bounded in
count and in time, so no test or bench can spin for ever."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


def poll(predicate: Callable[[], object], timeout: float, interval: float = 0.02) -> bool:
    """True as soon as `predicate()` is truthy; False once `timeout` seconds
    or timeout/interval tries have gone by."""
    deadline = time.monotonic() + timeout
    for _ in range(math.ceil(timeout / interval) + 1):
        if predicate():
            return True
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    return False
