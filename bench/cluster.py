"""Workers sharing one PostgreSQL outbox: deliveries per second with 1, 2
and 4 `syndicate worker` processes against local partners on 127.0.0.1, and
the claim rate of the outbox alone (claim a batch, record it delivered; no
HTTP). The database is made for the run and dropped afterwards.

    .venv/bin/python bench/cluster.py [--deliveries 3000] [--repeats 3] [--claims 20000]
        [--exactly-once]

Each worker count runs `--repeats` times from a pruned, vacuumed outbox and
the median is printed; workers run with `delivery.concurrency = 32` and
`per_partner = 8` (the partners are local and fast).

Targets on a 2-core machine (the partners share the cores): 2 workers at
least 1.5x one worker; the claim rate at least 5,000 rows per second.
`--exactly-once` also runs the slow cluster test (4 workers, 10,000
deliveries, each arriving exactly once).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from syndicate.delivery.signing import new_secret  # noqa: E402
from syndicate.feeddefs import load_feeds  # noqa: E402
from syndicate.lifecycle import Actor, Newsroom  # noqa: E402
from syndicate.store import Store, upgrade  # noqa: E402
from syndicate.store.outbox import NewDelivery, Outcome  # noqa: E402
from tests.newsroom import article, settings  # noqa: E402
from tests.waiting import poll  # noqa: E402

PYTHON = sys.executable
PG_URL = os.environ.get(
    "SYNDICATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PARTNERS = 2
SUBSCRIBERS = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_partner(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            PYTHON,
            *("-m", "uvicorn", "--app-dir", str(REPO / "bench"), "partner:app"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
        ],
        start_new_session=True,
    )


def start_worker(folder: Path, n: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env["SYNDICATE_CONFIG"] = str(folder / "config.toml")
    with open(folder / f"worker{n}.log", "ab") as log:
        return subprocess.Popen(
            [PYTHON, "-m", "syndicate", "worker"],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    if not poll(predicate, timeout):
        raise SystemExit(f"bench: timed out waiting for {what}")


def delivery_rate(store: Store, folder: Path, workers: int, rows: list[NewDelivery]) -> float:
    """Deliveries per second from the enqueueing commit to the last one delivered,
    with `workers` worker processes idling beforehand."""
    processes = [start_worker(folder, n) for n in range(workers)]
    try:
        since = datetime.now(UTC)
        wait_for(
            lambda: len(store.live_workers(since - timedelta(seconds=1))) >= workers,
            60,
            f"{workers} workers to start",
        )
        batch = renamed(rows, uuid.uuid4().hex)
        start = time.perf_counter()
        ids = store.enqueue(batch, datetime.now(UTC))
        # nothing pending is the cheap test (the outbox holds only this run's rows)
        wait_for(lambda: store.next_due() is None, 600, "the deliveries")
        elapsed = time.perf_counter() - start
        assert store.counts(ids)["delivered"] == len(ids), store.counts(ids)
        return len(ids) / elapsed
    finally:
        for process in processes:
            stop(process)


def fresh_outbox(store: Store) -> None:
    """Every run starts from the same outbox: earlier rows pruned (as
    retention does) and the table vacuumed (as autovacuum would)."""
    store.prune(datetime.now(UTC) + timedelta(days=1))
    with store.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM deliveries"
        )


def renamed(rows: list[NewDelivery], push_id: str) -> list[NewDelivery]:
    """The same deliveries under another push id: new rows in the outbox."""
    return [dataclasses.replace(r, push_id=push_id) for r in rows]


def claim_rate(store: Store, rows: list[NewDelivery], total: int) -> tuple[float, float]:
    """Rows per second from one process in batches of 100: claiming alone,
    and claiming then recording each batch delivered (a worker's database
    work without the HTTP)."""
    rounds = max(1, total // len(rows))
    rates = []
    for kind in ("claim", "cycle"):
        now = datetime.now(UTC)
        for n in range(rounds):
            store.enqueue(renamed(rows, f"{kind}{n}"), now)
        lease = now + timedelta(minutes=10)
        start = time.perf_counter()
        done = 0
        while batch := store.claim(kind, 100, now, lease):
            if kind == "cycle":
                at = datetime.now(UTC)
                store.complete_many([(d, Outcome(at, 200, 1, True)) for d in batch], kind)
            done += len(batch)
        rates.append(done / (time.perf_counter() - start))
        assert done == rounds * len(rows), (done, rounds * len(rows))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--claims", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3, help="runs per worker count (median)")
    parser.add_argument("--exactly-once", action="store_true")
    args = parser.parse_args()
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"syndicate_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="syndicate-cluster-"))
    ports = [free_port() for _ in range(PARTNERS)]
    partners = [start_partner(port) for port in ports]
    try:
        for port in ports:
            wait_for(lambda p=port: _up(p), 30, "the partners")
        upgrade(url)
        config = settings(
            folder,
            url,
            {"all": 'title = "Everything"\ncontent = "full"\n'},
            # local partners answer in a millisecond: let each worker keep more in flight
            delivery='allow_networks = ["127.0.0.0/8"]\nper_partner = 8\nconcurrency = 32',
        )
        now = datetime.now(UTC)
        stories = max(1, args.deliveries // SUBSCRIBERS)
        with Store.open(config) as store:
            newsroom = Newsroom(store, config, load_feeds(config))
            versions = [
                newsroom.commit(
                    article(n + 1), now, Actor("bench", "bench"), "ingest"
                ).saved.article
                for n in range(stories)
            ]
            subs = [
                store.add_subscription(
                    kind="webhook",
                    feed_id="all",
                    url=f"http://127.0.0.1:{ports[n % PARTNERS]}/hook?n={n}",
                    format="ninjs",
                    now=now,
                    secret=new_secret(),
                )
                for n in range(SUBSCRIBERS)
            ]
            rows = [
                NewDelivery(s.id, a.id, a.version, "article.published", now)
                for a in versions
                for s in subs
            ]
            print(
                f"cluster: {len(rows)} deliveries of {stories} articles to {SUBSCRIBERS} "
                f"subscribers on {PARTNERS} partner processes, PostgreSQL"
            )
            rates = {}
            for workers in (1, 2, 4):
                runs = []
                for _ in range(args.repeats):
                    fresh_outbox(store)
                    runs.append(delivery_rate(store, folder, workers, rows))
                rates[workers] = statistics.median(runs)
                print(
                    f"cluster: {workers} worker{'s' if workers > 1 else ' '}: "
                    f"{rates[workers]:7.0f} deliveries per second "
                    f"({rates[workers] / rates[1]:.2f}x one worker)"
                )
            fresh_outbox(store)
            claim_only, cycle = claim_rate(store, rows, args.claims)
            print(f"cluster: outbox claims alone, batches of 100: {claim_only:7.0f} rows/s")
            print(f"cluster: claim and record delivered, no HTTP: {cycle:7.0f} rows/s")
    finally:
        for process in partners:
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    if args.exactly_once:
        print("cluster: the slow exactly-once test (4 workers, 10,000 deliveries):", flush=True)
        subprocess.run(
            [PYTHON, "-m", "pytest", "-q", "-m", "slow", str(REPO / "tests" / "test_cluster.py")],
            cwd=REPO,
            check=True,
        )


def _up(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/stats", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


if __name__ == "__main__":
    main()
