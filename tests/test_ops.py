"""What operators run and watch: `syndicate run` from a fresh folder, /healthz
and /metrics over real HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
import requests
from sqlalchemy import text

from syndicate.delivery.signing import new_secret
from syndicate.feeddefs import load_feeds
from syndicate.pushdesk import PushDesk
from syndicate.web.app import create_app

from .live import free_socket, live_server
from .newsroom import article
from .pushkit import ACTOR, Pushroom, pushroom
from .receiver import Receiver, receiver
from .waiting import poll

REPO = Path(__file__).resolve().parent.parent
SAMPLE = re.compile(r"^(\w+)(?:\{(.*)\})? (\S+)$")


def scrape(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """/metrics parsed: (name, labels) -> value."""
    answer = requests.get(f"{base}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in answer.text.splitlines():
        if not line or line.startswith("#"):
            continue
        found = SAMPLE.match(line)
        assert found, line
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', found.group(2) or ""))
        samples[(found.group(1), labels)] = float(found.group(3))
    return samples


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Pushroom]:
    with pushroom(tmp_path) as made:
        yield made


@pytest.fixture
def served(room: Pushroom) -> Iterator[str]:
    with live_server(create_app(room.config, room.store)) as base:
        yield base


@pytest.fixture
def partner() -> Iterator[Receiver]:
    with receiver() as made:
        yield made


def test_healthz_wants_a_living_worker(room: Pushroom, served: str) -> None:
    answer = requests.get(f"{served}/healthz", timeout=10)
    assert answer.status_code == 503
    assert answer.json()["database"] == "ok"
    assert answer.json()["worker"] == "no worker has reported"

    room.store.heartbeat("w1", "host", 1, datetime.now(UTC))
    answer = requests.get(f"{served}/healthz", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["worker_heartbeat_age_seconds"] < 30

    room.store.heartbeat("w1", "host", 1, datetime.now(UTC) - timedelta(hours=1))
    answer = requests.get(f"{served}/healthz", timeout=10)
    assert answer.status_code == 503
    assert answer.json()["worker"].startswith("silent for")


def test_healthz_reports_a_broken_database(room: Pushroom, served: str) -> None:
    room.store.heartbeat("w1", "host", 1, datetime.now(UTC))
    with room.store.engine.begin() as connection:
        connection.execute(text("DROP TABLE workers"))
    answer = requests.get(f"{served}/healthz", timeout=10)
    assert answer.status_code == 503
    assert answer.json()["status"] == "unhealthy"
    assert answer.json()["database"] != "ok"
    assert "Traceback" not in answer.text


def test_metrics_follow_a_push(room: Pushroom, served: str, partner: Receiver) -> None:
    secret = new_secret()
    partner.signs(partner.url("/hook"), secret)
    room.store.add_subscription(
        kind="webhook",
        feed_id="all",
        url=partner.url("/hook"),
        format="ninjs",
        now=room.clock(),
        secret=secret,
    )
    who = partner.base.removeprefix("http://")
    before = scrape(served)
    assert value(before, "syndicate_deliveries", state="pending", partner=who) == 0
    assert value(before, "syndicate_outbox_depth") == 0

    room.ingest(article(1))
    room.ingest(article(2))
    queued = scrape(served)
    assert value(queued, "syndicate_deliveries", state="pending", partner=who) == 2
    assert value(queued, "syndicate_outbox_depth") == 2
    # queued at the room's clock (days ago): due that long, which is what an operator watches
    waited = (datetime.now(UTC) - room.clock()).total_seconds()
    assert waited - 60 < value(queued, "syndicate_outbox_oldest_due_seconds") <= waited + 60

    room.drain()
    assert len(partner.requests_to("/hook")) == 2
    after = scrape(served)
    assert value(after, "syndicate_deliveries", state="pending", partner=who) == 0
    assert value(after, "syndicate_deliveries", state="delivered", partner=who) == 2
    assert value(after, "syndicate_outbox_depth") == 0
    assert value(after, "syndicate_outbox_oldest_due_seconds") == 0

    # an editor's push (what `syndicate push --force` and POST /api/push do)
    desk = PushDesk(room.store, room.config, load_feeds(room.config))
    planned = desk.plan("all", article_id=article(1).id)
    desk.push("all", planned, room.clock(), ACTOR, article_id=article(1).id, force=True)
    pushed = scrape(served)
    assert value(pushed, "syndicate_deliveries", state="pending", partner=who) == 1
    room.drain()
    again = scrape(served)
    assert value(again, "syndicate_deliveries", state="pending", partner=who) == 0
    assert value(again, "syndicate_deliveries", state="delivered", partner=who) == 3


def test_requests_are_counted_by_route_pattern(served: str) -> None:
    for path in ("/feeds/all.rss", "/feeds/all.rss", "/feeds/nosuch.atom", "/no/such/page"):
        requests.get(f"{served}{path}", timeout=10)
    samples = scrape(served)
    feed_route = [
        (labels, count)
        for (name, labels), count in samples.items()
        if name == "syndicate_http_requests_total" and ("route", "/feeds/all.rss") in labels
    ]
    assert feed_route == [], "a route is labelled by its pattern, not by the path"
    by_route = {
        dict(labels)["route"]: count
        for (name, labels), count in samples.items()
        if name == "syndicate_http_requests_total" and ("status", "200") in labels
    }
    assert any("{" in route and by_route[route] >= 2 for route in by_route), by_route
    assert (
        value(
            samples, "syndicate_http_requests_total", route="unmatched", method="GET", status="404"
        )
        >= 1
    )
    assert any(name == "syndicate_http_request_seconds_count" for name, _ in samples)


def test_syndicate_run_serves_the_sample_articles(tmp_path: Path) -> None:
    """The quick start's first command, from a config in a fresh folder."""
    with free_socket() as sock:
        port = sock.getsockname()[1]
    (tmp_path / "config.toml").write_text(
        f'[site]\nbase_url = "http://127.0.0.1:{port}"\n'
        '[database]\nurl = "sqlite:///var/syndicate.db"\n'
        f'[ingest]\nexamples = "{REPO / "examples"}"\n'
        f'[feeds]\ndir = "{REPO / "feeds"}"\n',
        encoding="utf-8",
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "syndicate", "--config", "config.toml", "run", "--port", str(port)],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answers: list[requests.Response] = []

        def answered() -> bool:
            if process.poll() is not None:
                return True  # it died: stop waiting
            try:
                answers.append(
                    requests.get(f"http://127.0.0.1:{port}/feeds/front-page.rss", timeout=5)
                )
            except requests.ConnectionError:
                return False
            return True

        poll(answered, 60, 0.2)
        assert answers, "syndicate run did not answer"
        feed = answers[0]
        assert feed.status_code == 200
        parsed = feedparser.parse(feed.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        samples = [p for p in REPO.glob("examples/*") if not p.name.endswith(".meta.toml")]
        assert len(parsed.entries) == len(samples)
        assert all(e.link.startswith(f"http://127.0.0.1:{port}/") for e in parsed.entries)
        assert (tmp_path / "var" / "syndicate.db").is_file()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert "ingested" in output and "sample articles" in output, output
    assert f"http://127.0.0.1:{port}/feeds/front-page.rss" in output
    assert "Traceback" not in output, output
