"""Several processes on one PostgreSQL database, as a newsroom runs them
across hosts: workers sharing the outbox (exactly once while they live, at
least once with the same webhook-id when some are killed), a cron push
enqueued once, migrations applied once, processes refusing an out-of-date
schema, and web processes naming the same bytes with the same ETag."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from alembic import command
from sqlalchemy import text

from syndicate.delivery.signing import new_secret
from syndicate.store import migrate, upgrade

from .conftest import PgServer
from .live import free_socket
from .newsroom import article
from .pushkit import Pushroom, pushroom
from .receiver import Receiver, Script, receiver
from .waiting import poll

pytestmark = pytest.mark.postgres

SYNDICATE = [sys.executable, "-m", "syndicate"]
PARTNERS = 4
CLUSTER_FEEDS = 'title = "Briefing"\npush = "* * * * *"\n'


@pytest.fixture
def fresh_pg(pg_server: PgServer) -> str:
    """A database of its own (several processes will share it)."""
    return pg_server.create_database()


@contextmanager
def cluster_room(folder: Path, url: str, **extra: str) -> Iterator[Pushroom]:
    upgrade(url)
    with pushroom(folder, url, **extra) as room:
        room.clock.now = datetime.now(UTC)  # the processes run on real time
        yield room


def environ(folder: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    return {**clean, "SYNDICATE_CONFIG": str(folder / "config.toml")}


def spawn(folder: Path, *args: str, log: str) -> subprocess.Popen[bytes]:
    with open(folder / log, "ab") as out:
        return subprocess.Popen(
            [*SYNDICATE, *args],
            env=environ(folder),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    return poll(predicate, timeout, 0.05)


def stop(process: subprocess.Popen[bytes]) -> int | None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return None


def subscribe_all(room: Pushroom, partners: list[Receiver], count: int) -> None:
    for n in range(count):
        url, secret = partners[n % len(partners)].url("/hook") + f"?n={n}", new_secret()
        partners[n % len(partners)].signs(url, secret)
        room.store.add_subscription(
            kind="webhook",
            feed_id="all",
            url=url,
            format="ninjs",
            now=room.clock(),
            secret=secret,
        )


def arrived(partners: list[Receiver]) -> Counter[str]:
    return Counter(r.headers["webhook-id"] for p in partners for r in p.requests_to("/hook"))


def workers_alive(room: Pushroom, count: int) -> bool:
    since = datetime.now(UTC) - timedelta(seconds=30)
    return len(room.store.live_workers(since)) >= count


def fan_out(room: Pushroom, subscribers: int, stories: int) -> set[str]:
    """`stories` articles to `subscribers` subscriptions: their delivery ids."""
    expected: set[str] = set()
    for n in range(stories):
        expected |= set(room.ingest(article(n + 1)).deliveries)
    assert len(expected) == subscribers * stories
    return expected


def drain_exactly_once(tmp_path: Path, url: str, total: int) -> None:
    subscribers, stories = 100, total // 100
    with ExitStack() as stack, cluster_room(tmp_path, url) as room:
        partners = [stack.enter_context(receiver()) for _ in range(PARTNERS)]
        subscribe_all(room, partners, subscribers)
        workers = [spawn(tmp_path, "worker", log=f"worker{i}.log") for i in range(4)]
        try:
            assert wait_until(lambda: workers_alive(room, 4), 60), "the workers did not start"
            expected = fan_out(room, subscribers, stories)  # LISTEN/NOTIFY wakes them
            delivered = wait_until(
                lambda: room.store.counts(sorted(expected))["delivered"] == total, 60 + total / 50
            )
            assert delivered, room.store.counts(sorted(expected))
        finally:
            codes = [stop(w) for w in workers]
        assert codes == [0, 0, 0, 0]
        seen = arrived(partners)
        assert set(seen) == expected
        assert [i for i, n in seen.items() if n > 1] == []
        with room.store.engine.connect() as connection:
            shares = dict(
                connection.execute(
                    text("SELECT worker, count(*) FROM attempts GROUP BY worker")
                ).all()
            )
        assert sum(shares.values()) == total
        assert len(shares) > 1, f"one worker did all the work: {shares}"


def test_four_workers_deliver_a_thousand_exactly_once(tmp_path: Path, fresh_pg: str) -> None:
    drain_exactly_once(tmp_path, fresh_pg, 1_000)


@pytest.mark.slow
def test_four_workers_deliver_ten_thousand_exactly_once(tmp_path: Path, fresh_pg: str) -> None:
    drain_exactly_once(tmp_path, fresh_pg, 10_000)


def test_killed_workers_lose_nothing_and_repeat_the_same_message(
    tmp_path: Path, fresh_pg: str
) -> None:
    total = 1_000
    with ExitStack() as stack, cluster_room(tmp_path, fresh_pg) as room:
        partners = [stack.enter_context(receiver()) for _ in range(PARTNERS)]
        for partner in partners:
            partner.script("/hook", Script(delay=0.02))  # slow enough to kill mid-run
        subscribe_all(room, partners, 100)
        workers = [spawn(tmp_path, "worker", log=f"worker{i}.log") for i in range(4)]
        try:
            assert wait_until(lambda: workers_alive(room, 4), 60), "the workers did not start"
            expected = fan_out(room, 100, total // 100)
            assert wait_until(lambda: sum(arrived(partners).values()) >= 200, 60)
            for victim in workers[:2]:
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait(timeout=10)
            assert sum(arrived(partners).values()) < total, "the run ended before the kill"
            workers[:2] = [spawn(tmp_path, "worker", log=f"again{i}.log") for i in range(2)]
            delivered = wait_until(
                lambda: room.store.counts(sorted(expected))["delivered"] == total, 120
            )
            assert delivered, room.store.counts(sorted(expected))
        finally:
            codes = [stop(w) for w in workers]
        assert codes == [0, 0, 0, 0]
        seen = arrived(partners)
        assert set(seen) == expected  # at least once, and nothing that is not a delivery
        bodies: dict[str, set[bytes]] = {}
        for partner in partners:
            for got in partner.requests_to("/hook"):
                bodies.setdefault(got.headers["webhook-id"], set()).add(got.body)
        repeats = [i for i, n in seen.items() if n > 1]
        assert all(len(bodies[i]) == 1 for i in repeats)  # a repeat is the same message


def test_two_workers_run_a_cron_push_once(tmp_path: Path, fresh_pg: str) -> None:
    feeds = {"briefing": CLUSTER_FEEDS}
    with ExitStack() as stack, cluster_room(tmp_path, fresh_pg) as room:
        (tmp_path / "feeds" / "briefing.toml").write_text(feeds["briefing"], encoding="utf-8")
        partner = stack.enter_context(receiver())
        for n in range(3):
            secret = new_secret()
            partner.signs(partner.url("/hook") + f"?n={n}", secret)
            room.store.add_subscription(
                kind="webhook",
                feed_id="briefing",
                url=partner.url("/hook") + f"?n={n}",
                format="ninjs",
                now=room.clock(),
                secret=secret,
            )
        room.clock.now = datetime.now(UTC) - timedelta(minutes=5)
        room.ingest(article(1))
        room.ingest(article(2))
        burst = [spawn(tmp_path, "worker", "--burst", log=f"cron{i}.log") for i in range(2)]
        assert [b.wait(timeout=60) for b in burst] == [0, 0]
        runs = room.store.runs("briefing")
        assert 1 <= len(runs) <= 2  # two only when the pair straddled a minute
        assert len({at for at, _ in runs}) == len(runs)
        logs = "".join((tmp_path / f"cron{i}.log").read_text() for i in range(2))
        fired = re.findall(r"cron push feed=briefing scheduled=(\S+) enqueued=(\d+)", logs)
        assert len(fired) == len(runs), logs  # each scheduled time ran in one worker only
        assert sum(enqueued for _, enqueued in runs) == 6
        got = partner.wait_for(6, timeout=20)
        pairs = Counter((r.query["n"][0], json.loads(r.body)["data"]["id"]) for r in got)
        assert len(pairs) == 6 and set(pairs.values()) == {1}, pairs


def test_ten_upgrades_at_once_apply_each_migration_once(tmp_path: Path, fresh_pg: str) -> None:
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{fresh_pg}"\n', encoding="utf-8")
    runs = [
        subprocess.Popen(
            [*SYNDICATE, "db", "upgrade"],
            env=environ(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(10)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 10, outputs
    applied = Counter(
        revision
        for out, _ in outputs
        for found in re.findall(r"applied (\S[^(]*) \(head", out)
        for revision in found.split(", ")
    )
    revisions = sorted(
        p.stem.split("_")[0] for p in migrate.MIGRATIONS.joinpath("versions").glob("0*.py")
    )
    assert sorted(applied) == revisions, outputs
    assert set(applied.values()) == {1}
    assert sum("already up to date" in out for out, _ in outputs) == 9
    assert migrate.current_revision(fresh_pg) == migrate.head_revision()


@pytest.mark.parametrize("command_line", [["worker"], ["serve"]], ids=str)
def test_a_process_on_an_out_of_date_database_exits_2(
    tmp_path: Path, fresh_pg: str, command_line: list[str]
) -> None:
    if command_line == ["serve"]:
        with free_socket() as sock:
            command_line = ["serve", "--port", str(sock.getsockname()[1])]
    command.upgrade(migrate.alembic_config(fresh_pg), "0002")
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{fresh_pg}"\n', encoding="utf-8")
    done = subprocess.run(
        [*SYNDICATE, *command_line],
        env=environ(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done
    assert "syndicate db upgrade" in done.stderr
    assert "Traceback" not in done.stderr
    assert migrate.current_revision(fresh_pg) == "0002"  # nothing migrated behind


def test_two_web_processes_name_the_same_bytes_alike(tmp_path: Path, fresh_pg: str) -> None:
    with ExitStack() as stack, cluster_room(tmp_path, fresh_pg) as room:
        room.ingest(article(1))
        ports = []
        for i in range(2):
            with free_socket() as sock:
                ports.append(sock.getsockname()[1])
            web = spawn(tmp_path, "serve", "--port", str(ports[-1]), log=f"web{i}.log")
            stack.callback(stop, web)
        bases = [f"http://127.0.0.1:{port}" for port in ports]

        def up(base: str) -> bool:
            try:
                return requests.get(base + "/robots.txt", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        assert wait_until(lambda: all(up(b) for b in bases), 60), "the web processes did not start"

        def fetch(encoding: str) -> list[tuple[str, bytes]]:
            answers = [
                requests.get(
                    base + "/feeds/all.atom", headers={"Accept-Encoding": encoding}, timeout=10
                )
                for base in bases
            ]
            assert all(a.status_code == 200 for a in answers)
            return [(a.headers["ETag"], a.content) for a in answers]

        before = fetch("identity")
        assert before[0] == before[1]
        zipped = fetch("gzip")
        assert zipped[0] == zipped[1] and zipped[0][0] != before[0][0]

        room.clock.now = datetime.now(UTC)
        room.ingest(article(2))

        def changed() -> bool:
            return all(etag != before[0][0] for etag, _ in fetch("identity"))

        assert wait_until(changed, 10)
        after = fetch("identity")
        assert after[0] == after[1]
        assert b"Story number 2" in after[0][1]
        for base in bases:  # the old ETag no longer validates, the new one does
            old = requests.get(
                base + "/feeds/all.atom",
                headers={"If-None-Match": before[0][0], "Accept-Encoding": "identity"},
                timeout=10,
            )
            assert old.status_code == 200
            new = requests.get(
                base + "/feeds/all.atom",
                headers={"If-None-Match": after[0][0], "Accept-Encoding": "identity"},
                timeout=10,
            )
            assert new.status_code == 304
