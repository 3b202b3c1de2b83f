"""The worker as a process: killed with SIGKILL in the middle of a fan-out,
then restarted, it loses nothing; SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from syndicate.delivery.signing import new_secret

from .newsroom import article
from .pushkit import pushroom
from .receiver import Receiver, Script, receiver
from .waiting import poll

SYNDICATE = [sys.executable, "-m", "syndicate"]


def start_worker(config: Path) -> subprocess.Popen[bytes]:
    """A worker process; its log goes to worker.log beside the config."""
    with open(config.with_name("worker.log"), "ab") as log:
        return subprocess.Popen(
            [*SYNDICATE, "--config", str(config), "worker"],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def arrived(partners: list[Receiver]) -> list[str]:
    return [r.headers["webhook-id"] for p in partners for r in p.requests_to("/hook")]


def wait_until(predicate: Callable[[], object], timeout: float) -> bool:
    return poll(predicate, timeout, 0.05)


def test_sigkill_mid_fanout_loses_nothing(tmp_path: Path) -> None:
    with ExitStack() as stack, pushroom(tmp_path) as room:
        partners = [stack.enter_context(receiver()) for _ in range(4)]
        for partner in partners:
            partner.script("/hook", Script(delay=0.03))
        for n in range(200):
            partner = partners[n % 4]
            secret = new_secret()
            partner.signs(partner.url("/hook") + f"?n={n}", secret)
            room.store.add_subscription(
                kind="webhook",
                feed_id="all",
                url=partner.url("/hook") + f"?n={n}",
                format="ninjs",
                now=room.clock(),
                secret=secret,
            )
        committed = room.ingest(article(1))
        expected = set(committed.deliveries)
        assert len(expected) == 200
        config = tmp_path / "config.toml"
        first = start_worker(config)
        try:
            assert wait_until(lambda: len(arrived(partners)) >= 40, 30), "the worker did not start"
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        assert len(set(arrived(partners))) < 200, "the fan-out finished before the kill"
        second = start_worker(config)
        try:
            done = wait_until(lambda: room.store.counts(sorted(expected))["delivered"] == 200, 60)
            assert done, room.store.counts(sorted(expected))
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
        seen = Counter(arrived(partners))
        assert set(seen) == expected  # none lost, and no id that is not a delivery
        repeats = [i for i, count in seen.items() if count > 1]
        bodies: dict[str, set[bytes]] = {}
        for partner in partners:
            for got in partner.requests_to("/hook"):
                bodies.setdefault(got.headers["webhook-id"], set()).add(got.body)
        assert all(len(bodies[i]) == 1 for i in repeats)  # a repeat is the same message
