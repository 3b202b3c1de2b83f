"""Push throughput, in one run, against one local partner on 127.0.0.1:

- the raw rate: requests, with the same thread pool size the worker uses,
  posting signed 4 KB bodies (Standard Webhooks headers);
- the fan-out rate: one article pushed to 1,000 webhook subscribers of that
  partner through the outbox (claim, render, sign, post, record);
- the time from `syndicate push` returning to the first delivery arriving,
  with a `syndicate worker` process idling beforehand.

    .venv/bin/python bench/push.py [--subscribers 1000] [--threads 8]

Targets: the fan-out at least 85% of the raw rate; the first delivery within
250 ms of the push command returning. The partner runs in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from syndicate.delivery.signing import new_secret, webhook_headers  # noqa: E402
from syndicate.feeddefs import load_feeds  # noqa: E402
from syndicate.lifecycle import Actor, Newsroom  # noqa: E402
from syndicate.store import Store  # noqa: E402
from syndicate.worker import Worker  # noqa: E402
from tests.newsroom import article, settings  # noqa: E402

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def raw_rate(url: str, threads: int, count: int) -> float:
    secret = new_secret()
    body = json.dumps({"type": "bench", "data": "x" * 4000}).encode()
    local = __import__("threading").local()

    def post(n: int) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        headers = {
            "Content-Type": "application/json",
            **webhook_headers(f"msg_{n}", datetime.now(UTC), body, [secret]),
        }
        return session.post(url, data=body, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(post, range(50)))  # warm the connections
        start = time.perf_counter()
        statuses = list(pool.map(post, range(count)))
        elapsed = time.perf_counter() - start
    assert set(statuses) == {200}, set(statuses)
    return count / elapsed


def stats(base: str) -> dict[str, float]:
    data: dict[str, float] = requests.get(base + "/stats", timeout=5).json()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="syndicate-push-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    partner = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "--app-dir",
            str(REPO / "bench"),
            "partner:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        start_new_session=True,
    )
    worker_process = None
    try:
        for _ in range(100):
            try:
                requests.get(base + "/stats", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        raw = raw_rate(base + "/hook", args.threads, 2000)
        print(
            f"push: raw requests, {args.threads} threads, signed 4 KB bodies: "
            f"{raw:7.0f} POSTs per second"
        )

        config = settings(
            folder,
            "sqlite:///var/bench.db",
            {"all": 'title = "Everything"\ncontent = "full"\n'},
            delivery=(
                f'allow_networks = ["127.0.0.0/8"]\nconcurrency = {args.threads}\n'
                f"per_partner = {args.threads}"
            ),
            worker="poll_ms = 20",
        )
        now = datetime.now(UTC)
        with Store.open(config, auto_upgrade=True) as store:
            for n in range(args.subscribers):
                store.add_subscription(
                    kind="webhook",
                    feed_id="all",
                    url=f"{base}/hook?n={n}",
                    format="ninjs",
                    now=now,
                    secret=new_secret(),
                )
            newsroom = Newsroom(store, config, load_feeds(config))
            committed = newsroom.commit(article(1), now, Actor("bench", "bench"), "ingest")
            requests.post(base + "/reset", timeout=5)
            worker = Worker(store, config)
            start = time.perf_counter()
            worker.run(burst=True)
            elapsed = time.perf_counter() - start
            worker.transport.close()
            delivered = store.counts(list(committed.deliveries))["delivered"]
            assert delivered == args.subscribers, store.counts(list(committed.deliveries))
        fanout = args.subscribers / elapsed
        print(
            f"push: fan-out of one article to {args.subscribers} subscribers through the outbox: "
            f"{fanout:7.0f} deliveries per second ({fanout / raw:.0%} of raw)"
        )

        env = {**os.environ, "SYNDICATE_CONFIG": str(folder / "config.toml")}
        worker_process = subprocess.Popen(
            [PYTHON, "-m", "syndicate", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(2.0)  # idle, polling
        from_start, from_return = [], []
        with Store.open(config) as store:
            for _ in range(5):
                settle(store)  # the last round's deliveries all in: none is counted as this one's
                requests.post(base + "/reset", timeout=5)
                started = time.time()
                subprocess.run(
                    [PYTHON, "-m", "syndicate", "push", "all", "--force"]
                    + ["--article", article(1).id],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                returned = time.time()
                first = None
                for _ in range(500):
                    first = stats(base)["first"]
                    if first:
                        break
                    time.sleep(0.01)
                from_start.append((first - started) * 1000 if first else float("inf"))
                from_return.append((first - returned) * 1000 if first else float("inf"))
        from_start.sort()
        from_return.sort()
        print(
            "push: first delivery after `syndicate push` returned: "
            f"median {from_return[2]:.0f} ms (best {from_return[0]:.0f}, worst "
            f"{from_return[-1]:.0f}; negative: it arrived before the command had exited)"
        )
        print(
            "push: first delivery after `syndicate push` started: "
            f"median {from_start[2]:.0f} ms (best {from_start[0]:.0f}, worst "
            f"{from_start[-1]:.0f}; Python start-up and queueing 1,000 rows included)"
        )
    finally:
        for process in (worker_process, partner):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def settle(store: Store) -> None:
    """Wait (at most a minute) until nothing in the outbox is pending."""
    for _ in range(600):
        if store.next_due() is None:
            return
        time.sleep(0.1)
    raise SystemExit("bench: the worker did not settle the outbox within a minute")


if __name__ == "__main__":
    main()
