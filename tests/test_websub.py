"""The WebSub hub against real subscribers on 127.0.0.1: subscription requests
at POST /hub, intent verified with a challenge GET, content distribution
through the outbox (signed with X-Hub-Signature when a secret was given),
renewal, unsubscription, leases, refusals, rate limits and 410 Gone.

The hub's clock is the test's clock (the Pushroom's), so leases granted at
verification and the worker's scheduling agree."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from lxml import etree
from requests.structures import CaseInsensitiveDict
from requests.utils import parse_header_links

from syndicate.render.feeds import MEDIA_TYPES as FEED_MEDIA_TYPES
from syndicate.store.subscriptions import Subscription
from syndicate.urls import Urls
from syndicate.web.app import create_app

from .live import live_server
from .newsroom import article
from .pushkit import Pushroom, pushroom
from .receiver import Received, Receiver, Script, receiver

PARTNER_FEED = 'title = "For partners"\naccess = "partners"\ncontent = "full"\n'
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02
DRAIN_SECONDS = 2.5


def eventually(check: Callable[[], bool]) -> bool:
    """Poll `check` until it holds, at most WAIT_SECONDS; its last answer."""
    deadline = time.monotonic() + WAIT_SECONDS
    for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
        if check() or time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    return check()


class Verdicts(logging.Handler):
    """What the hub logs of each verification."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def count(self, text: str) -> int:
        return sum(1 for message in list(self.messages) if text in message)


@dataclass
class Hub:
    room: Pushroom
    partner: Receiver
    base: str
    urls: Urls
    verdicts: Verdicts

    @property
    def topic(self) -> str:
        return self.urls.feed("all", "rss")

    def form(
        self, callback: str, mode: str = "subscribe", topic: str | None = None, **extra: str
    ) -> dict[str, str]:
        fields = {
            "hub.mode": mode,
            "hub.topic": self.topic if topic is None else topic,
            "hub.callback": callback,
        }
        fields.update({f"hub.{key}": value for key, value in extra.items()})
        return fields

    def post(self, form: Mapping[str, str]) -> requests.Response:
        return requests.post(self.base + "/hub", data=form, timeout=10)

    def request(
        self, callback: str, mode: str = "subscribe", topic: str | None = None, **extra: str
    ) -> requests.Response:
        return self.post(self.form(callback, mode, topic, **extra))

    def subscriptions(self, callback: str) -> list[Subscription]:
        return [s for s in self.room.store.subscriptions(kind="websub") if s.url == callback]

    def current(self, callback: str) -> Subscription | None:
        found = self.subscriptions(callback)
        return found[-1] if found else None

    def wait_until(
        self, callback: str, test: Callable[[Subscription | None], bool]
    ) -> Subscription | None:
        """The subscription of `callback` once it passes `test` (or at the time limit)."""
        eventually(lambda: test(self.current(callback)))
        return self.current(callback)

    def wait_active(self, callback: str) -> Subscription:
        sub = self.wait_until(callback, lambda s: s is not None and s.state == "active")
        assert sub is not None and sub.state == "active", sub
        return sub

    def wait_verdicts(self, text: str, count: int) -> None:
        assert eventually(lambda: self.verdicts.count(text) >= count), self.verdicts.messages

    def challenges(self, path: str) -> list[Received]:
        return [r for r in self.partner.requests_to(path, "GET") if "hub.challenge" in r.query]

    def wait_challenges(self, path: str, count: int) -> list[Received]:
        eventually(lambda: len(self.challenges(path)) >= count)
        return self.challenges(path)

    def subscribe(self, callback: str, **extra: str) -> Subscription:
        """Subscribe and wait until the subscription is active."""
        before = self.current(callback)
        answer = self.request(callback, **extra)
        assert answer.status_code == 202, answer.text
        sub = self.wait_until(
            callback, lambda s: s is not None and s.state == "active" and s != before
        )
        assert sub is not None and sub.state == "active" and sub != before, sub
        return sub

    def posts(self, path: str) -> list[Received]:
        return self.partner.requests_to(path, "POST")

    def article_url(self, n: int) -> str:
        return self.urls.article(self.room.store.get(article(n).id).slug)

    def drain(self) -> None:
        """One burst of the worker (its tick included), which must end by itself."""
        worker = self.room.worker()
        thread = threading.Thread(target=worker.run, kwargs={"burst": True}, daemon=True)
        thread.start()
        thread.join(DRAIN_SECONDS)
        stuck = thread.is_alive()
        if stuck:
            worker.stop()
            thread.join(DRAIN_SECONDS)
        worker.transport.close()
        assert not stuck, f"the worker's burst did not end within {DRAIN_SECONDS} s"


@contextmanager
def served_hub(folder: Path, partner: Receiver, **extra: str) -> Iterator[Hub]:
    """The app on 127.0.0.1 over a Pushroom in `folder`, with a partner-only feed too."""
    logger = logging.getLogger("syndicate.websub")
    verdicts = Verdicts()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(verdicts)
    try:
        with pushroom(folder, **extra) as room:
            (folder / "feeds" / "partners.toml").write_text(PARTNER_FEED, encoding="utf-8")
            app = create_app(room.config, room.store)
            with live_server(app) as base:
                app.state.site.now = room.clock
                yield Hub(room, partner, base, Urls(room.config.site.base_url), verdicts)
    finally:
        logger.removeHandler(verdicts)
        logger.setLevel(level)


@pytest.fixture(scope="module")
def subscriber() -> Iterator[Receiver]:
    with receiver() as made:
        yield made


@pytest.fixture
def partner(subscriber: Receiver) -> Receiver:
    """The module's subscriber server, with no scripts and nothing recorded."""
    with subscriber.lock:
        subscriber.received.clear()
        subscriber.scripts.clear()
    return subscriber


@pytest.fixture
def hub(tmp_path: Path, partner: Receiver) -> Iterator[Hub]:
    with served_hub(tmp_path, partner) as made:
        yield made


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory, subscriber: Receiver) -> Iterator[Hub]:
    """One hub for requests it refuses (which change nothing)."""
    with served_hub(tmp_path_factory.mktemp("refusing"), subscriber) as made:
        yield made


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def test_subscribe_is_accepted_then_verified_with_a_challenge(hub: Hub) -> None:
    gate = threading.Event()
    hub.partner.script("/cb", Script(hang=gate))
    callback = hub.partner.url("/cb?token=abc")
    answer = hub.request(callback, lease_seconds="7200")
    assert answer.status_code == 202
    assert answer.headers["content-type"].startswith("text/plain")
    [check] = hub.wait_challenges("/cb", 1)
    assert hub.current(callback) is None  # not before the subscriber echoed the challenge
    gate.set()
    sub = hub.wait_active(callback)
    assert check.query["token"] == ["abc"]
    assert check.query["hub.mode"] == ["subscribe"]
    assert check.query["hub.topic"] == [hub.topic]
    assert check.query["hub.lease_seconds"] == ["7200"]
    [challenge] = check.query["hub.challenge"]
    assert len(challenge) >= 32
    assert sub.feed_id == "all" and sub.format == "rss" and sub.url == callback
    assert sub.lease_until == hub.room.clock() + timedelta(seconds=7200)

    other = hub.partner.url("/other")
    hub.subscribe(other)
    [second] = hub.challenges("/other")
    assert second.query["hub.challenge"] != [challenge]
    assert second.query["hub.lease_seconds"] == [str(hub.room.config.websub.lease_seconds)]


def test_publish_sends_the_topic_signed_with_the_secret(hub: Hub) -> None:
    secret = "a shared secret, é and all"
    callback = hub.partner.url("/cb?token=abc")
    hub.subscribe(callback, secret=secret)
    committed = hub.room.ingest(article(1))
    assert len(committed.deliveries) == 1
    hub.drain()
    [got] = hub.posts("/cb")
    headers = CaseInsensitiveDict(got.headers)
    assert got.query == {"token": ["abc"]}
    assert headers["Content-Type"] == FEED_MEDIA_TYPES["rss"]
    assert hmac.compare_digest(headers["X-Hub-Signature"], signature(secret, got.body))
    links = {link["rel"]: link["url"] for link in parse_header_links(headers["Link"])}
    assert links == {"hub": hub.urls.hub(), "self": hub.topic}
    served = requests.get(hub.base + urlsplit(hub.topic).path, timeout=10)
    assert got.body == served.content
    [item] = etree.fromstring(got.body).findall("channel/item")
    assert item.findtext("link") == hub.article_url(1)
    assert "First paragraph of story 1" in etree.tostring(item, encoding="unicode")


def test_publish_without_a_secret_is_not_signed(hub: Hub) -> None:
    callback = hub.partner.url("/plain")
    hub.subscribe(callback)
    hub.room.ingest(article(2))
    hub.drain()
    [got] = hub.posts("/plain")
    headers = CaseInsensitiveDict(got.headers)
    assert "X-Hub-Signature" not in headers
    assert headers["Content-Type"] == FEED_MEDIA_TYPES["rss"]
    [item] = etree.fromstring(got.body).findall("channel/item")
    assert item.findtext("link") == hub.article_url(2)


def test_other_formats_are_topics_of_their_own(hub: Hub) -> None:
    callback = hub.partner.url("/json")
    sub = hub.subscribe(callback, topic=hub.urls.feed("all", "jsonfeed"))
    assert sub.format == "jsonfeed"
    hub.room.ingest(article(3))
    hub.drain()
    [got] = hub.posts("/json")
    assert CaseInsensitiveDict(got.headers)["Content-Type"] == FEED_MEDIA_TYPES["jsonfeed"]


def test_unknown_hub_parameters_are_ignored(hub: Hub) -> None:
    callback = hub.partner.url("/cb")
    sub = hub.subscribe(callback, foo="bar", **{"lease_seconds": "3600"})
    [check] = hub.challenges("/cb")
    assert "hub.foo" not in check.query
    assert sub.state == "active"


def test_resubscribing_renews_one_subscription_after_verification(hub: Hub) -> None:
    callback = hub.partner.url("/cb")
    first = hub.subscribe(callback, secret="first", lease_seconds="3600")
    hub.room.clock.advance(minutes=30)

    hub.partner.script("/cb", Script(echo=False))
    assert hub.request(callback, secret="second", lease_seconds="86400").status_code == 202
    hub.wait_verdicts("not verified", 1)
    unchanged = hub.current(callback)
    assert unchanged == first  # an unverified renewal changes nothing

    hub.partner.script("/cb", Script())
    assert hub.request(callback, secret="second", lease_seconds="86400").status_code == 202
    renewed = hub.wait_until(callback, lambda s: s is not None and s.secret == "second")
    assert renewed is not None and renewed.id == first.id
    assert renewed.lease_until == hub.room.clock() + timedelta(seconds=86400)
    assert len(hub.subscriptions(callback)) == 1
    challenges = [c.query["hub.challenge"][0] for c in hub.challenges("/cb")]
    assert len(challenges) == 3 and len(set(challenges)) == 3

    hub.room.ingest(article(1))
    hub.drain()
    [got] = hub.posts("/cb")
    assert CaseInsensitiveDict(got.headers)["X-Hub-Signature"] == signature("second", got.body)


def test_simultaneous_requests_make_one_subscription(hub: Hub) -> None:
    hub.partner.script("/cb", Script(delay=0.3))
    callback = hub.partner.url("/cb")
    answers: list[int] = []
    senders = [
        threading.Thread(target=lambda: answers.append(hub.request(callback).status_code))
        for _ in range(4)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(WAIT_SECONDS)
    assert answers == [202] * 4
    assert len(hub.wait_challenges("/cb", 4)) == 4
    hub.wait_active(callback)
    hub.wait_verdicts("verified until", 4)
    assert len(hub.subscriptions(callback)) == 1
    hub.room.ingest(article(1))
    hub.drain()
    assert len(hub.posts("/cb")) == 1


def test_unsubscribe_is_verified_and_stops_deliveries(hub: Hub) -> None:
    callback = hub.partner.url("/cb?token=abc")
    sub = hub.subscribe(callback)

    hub.partner.script("/cb", Script(echo=False))
    assert hub.request(callback, mode="unsubscribe").status_code == 202
    hub.wait_verdicts("not verified", 1)
    still = hub.current(callback)
    assert still is not None and still.state == "active"
    hub.room.ingest(article(1))
    hub.drain()
    assert len(hub.posts("/cb")) == 1

    hub.partner.script("/cb", Script())
    assert hub.request(callback, mode="unsubscribe").status_code == 202
    ended = hub.wait_until(callback, lambda s: s is not None and s.state == "ended")
    assert ended is not None and ended.id == sub.id and ended.state == "ended"
    check = hub.challenges("/cb")[-1]
    assert check.query["hub.mode"] == ["unsubscribe"]
    assert check.query["hub.topic"] == [hub.topic]
    assert check.query["token"] == ["abc"]
    hub.room.ingest(article(2))
    hub.drain()
    assert len(hub.posts("/cb")) == 1


def test_unsubscribe_cancels_what_was_still_queued(hub: Hub) -> None:
    callback = hub.partner.url("/cb")
    sub = hub.subscribe(callback)
    committed = hub.room.ingest(article(1))
    assert len(committed.deliveries) == 1
    assert hub.request(callback, mode="unsubscribe").status_code == 202
    hub.wait_until(callback, lambda s: s is not None and s.state == "ended")
    hub.drain()
    assert hub.posts("/cb") == []
    assert [d.state for d in hub.room.store.deliveries(subscription_id=sub.id)] == ["dead"]


def test_a_callback_that_does_not_echo_never_becomes_active(hub: Hub) -> None:
    hub.partner.script("/cb", Script(echo=False))
    hub.partner.script("/err", Script(statuses=[404]))
    for path in ("/cb", "/err"):
        assert hub.request(hub.partner.url(path)).status_code == 202
    hub.wait_verdicts("not verified", 2)
    assert len(hub.challenges("/cb")) == 1 and len(hub.challenges("/err")) == 1
    assert hub.room.store.subscriptions(kind="websub") == []
    assert hub.room.ingest(article(1)).deliveries == ()
    hub.drain()
    assert hub.posts("/cb") == [] and hub.posts("/err") == []


def test_an_expired_lease_stops_deliveries(tmp_path: Path, partner: Receiver) -> None:
    with served_hub(tmp_path, partner, websub="min_lease_seconds = 60") as hub:
        callback = hub.partner.url("/cb")
        sub = hub.subscribe(callback, lease_seconds="5")
        [check] = hub.challenges("/cb")
        assert check.query["hub.lease_seconds"] == ["60"]
        assert sub.lease_until == hub.room.clock() + timedelta(seconds=60)

        hub.room.clock.advance(seconds=30)
        hub.room.ingest(article(1))
        hub.drain()
        assert len(hub.posts("/cb")) == 1

        hub.room.clock.advance(seconds=31)
        assert hub.room.ingest(article(2)).deliveries == ()
        hub.drain()
        assert len(hub.posts("/cb")) == 1
        ended = hub.room.store.subscription(sub.id)
        assert ended.state == "ended" and ended.state_reason == "lease expired"


def test_a_lease_running_out_with_deliveries_queued(tmp_path: Path, partner: Receiver) -> None:
    with served_hub(tmp_path, partner, websub="min_lease_seconds = 60") as hub:
        callback = hub.partner.url("/cb")
        sub = hub.subscribe(callback, lease_seconds="60")
        assert len(hub.room.ingest(article(1)).deliveries) == 1
        hub.room.clock.advance(seconds=61)
        hub.drain()
        assert hub.posts("/cb") == []
        assert hub.room.store.subscription(sub.id).state == "ended"
        assert [d.state for d in hub.room.store.deliveries(subscription_id=sub.id)] == ["dead"]


def refusals(hub: Hub) -> dict[str, tuple[dict[str, str], int]]:
    good = hub.partner.url("/cb")
    return {
        "unknown topic": (hub.form(good, topic=hub.urls.feed("nosuch", "rss")), 404),
        "foreign topic": (hub.form(good, topic="https://elsewhere.example/feeds/all.rss"), 404),
        "not a feed": (hub.form(good, topic=hub.urls.home()), 404),
        "archive page": (hub.form(good, topic=hub.urls.archive("all", 1, "rss")), 404),
        "missing topic": ({"hub.mode": "subscribe", "hub.callback": good}, 400),
        "partner feed": (hub.form(good, topic=hub.urls.feed("partners", "rss")), 403),
        "ftp callback": (hub.form("ftp://127.0.0.1/cb"), 400),
        "relative callback": (hub.form("/cb"), 400),
        "missing callback": ({"hub.mode": "subscribe", "hub.topic": hub.topic}, 400),
        "secret of 200 bytes": (hub.form(good, secret="s" * 200), 400),
        "secret of 200 utf-8 bytes": (hub.form(good, secret="é" * 100), 400),
        "bad mode": (hub.form(good, mode="publish"), 400),
        "no mode": ({"hub.topic": hub.topic, "hub.callback": good}, 400),
        "bad lease": (hub.form(good, lease_seconds="soon"), 400),
        "private callback": (hub.form("http://10.0.0.1/cb"), 403),
        "link-local callback": (hub.form("http://169.254.169.254/latest/meta-data"), 403),
    }


REFUSALS = [
    "unknown topic",
    "foreign topic",
    "not a feed",
    "archive page",
    "missing topic",
    "partner feed",
    "ftp callback",
    "relative callback",
    "missing callback",
    "secret of 200 bytes",
    "secret of 200 utf-8 bytes",
    "bad mode",
    "no mode",
    "bad lease",
    "private callback",
    "link-local callback",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_are_4xx_with_a_plain_text_reason(
    refusing: Hub, partner: Receiver, case: str
) -> None:
    hub = refusing
    form, status = refusals(hub)[case]
    started = time.monotonic()
    answer = hub.post(form)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text.strip()
    assert time.monotonic() - started < 2
    assert hub.partner.received == []
    assert hub.room.store.subscriptions(kind="websub") == []


def test_a_body_that_is_not_a_form_is_refused(refusing: Hub, partner: Receiver) -> None:
    form = refusing.form(partner.url("/cb"))
    answer = requests.post(refusing.base + "/hub", json=form, timeout=10)
    assert answer.status_code == 415
    assert answer.headers["content-type"].startswith("text/plain")
    assert "x-www-form-urlencoded" in answer.text
    assert partner.received == []


@pytest.mark.parametrize("announced", [True, False])
def test_a_body_over_16_kib_is_refused(refusing: Hub, partner: Receiver, announced: bool) -> None:
    body = urlencode({**refusing.form(partner.url("/cb")), "hub.pad": "x" * 17_000}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    data: bytes | Iterator[bytes] = body if announced else iter([body[:8000], body[8000:]])
    answer = requests.post(refusing.base + "/hub", data=data, headers=headers, timeout=10)
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/plain")
    assert partner.received == []


def test_a_secret_just_under_200_bytes_is_taken(hub: Hub) -> None:
    secret = "s" * 199
    callback = hub.partner.url("/cb")
    hub.subscribe(callback, secret=secret)
    hub.room.ingest(article(1))
    hub.drain()
    [got] = hub.posts("/cb")
    assert CaseInsensitiveDict(got.headers)["X-Hub-Signature"] == signature(secret, got.body)


def post_from(source: str, base: str, form: Mapping[str, str]) -> tuple[int, str]:
    """POST /hub from a chosen loopback source address."""
    parts = urlsplit(base)
    assert parts.hostname is not None and parts.port is not None
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST",
            "/hub",
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8")
    finally:
        connection.close()


def test_rate_limits_per_callback_host_and_per_client(tmp_path: Path, partner: Receiver) -> None:
    with served_hub(tmp_path, partner, websub="requests_per_minute = 3") as hub:
        callback = hub.partner.url("/cb")
        for _ in range(3):
            assert hub.request(callback).status_code == 202
        limited = hub.request(callback)
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("text/plain")
        assert limited.text.strip()
        assert limited.headers["Retry-After"].isdigit()

        unknown = hub.urls.feed("nosuch", "rss")
        same_host_other_client = post_from("127.0.0.2", hub.base, hub.form(callback, topic=unknown))
        assert same_host_other_client[0] == 429
        other_host_same_client = hub.request("http://other.example/cb", topic=unknown)
        assert other_host_same_client.status_code == 429
        other_host_other_client = post_from(
            "127.0.0.2", hub.base, hub.form("http://other.example/cb", topic=unknown)
        )
        assert other_host_other_client[0] == 404

        hub.wait_verdicts("verified until", 3)
        assert len(hub.subscriptions(callback)) == 1
        assert len(hub.challenges("/cb")) == 3


def test_410_from_a_callback_ends_the_subscription(hub: Hub) -> None:
    callback = hub.partner.url("/cb")
    sub = hub.subscribe(callback)
    hub.partner.script("/cb", Script(statuses=[410]))
    hub.room.ingest(article(1))
    hub.drain()
    assert len(hub.posts("/cb")) == 1
    ended = hub.room.store.subscription(sub.id)
    assert ended.state == "ended" and "410" in (ended.state_reason or "")
    assert hub.room.ingest(article(2)).deliveries == ()
    hub.drain()
    assert len(hub.posts("/cb")) == 1
