"""Webhook push through the outbox, against real partners on 127.0.0.1:
signatures, retries with the scheduling clock controlled, dead letters, 410,
a hanging partner, the lifecycle end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from syndicate.delivery.signing import new_secret
from syndicate.model import PubStatus
from syndicate.public import Gone, Public

from .newsroom import T0, article
from .pushkit import ACTOR, Pushroom, pushroom
from .receiver import Receiver, Script, receiver


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Pushroom]:
    with pushroom(tmp_path) as made:
        yield made


@pytest.fixture
def partner() -> Iterator[Receiver]:
    with receiver() as made:
        yield made


def subscribe(
    room: Pushroom, partner: Receiver, path: str = "/hook", **options: object
) -> tuple[str, str]:
    secret = new_secret()
    partner.signs(partner.url(path), secret)
    sub = room.store.add_subscription(
        kind="webhook",
        feed_id=str(options.pop("feed", "all")),
        url=partner.url(path),
        format=str(options.pop("format", "ninjs")),
        now=room.clock(),
        secret=secret,
        **options,  # type: ignore[arg-type]
    )
    return sub.id, secret


def test_a_published_article_reaches_the_partner_signed(room: Pushroom, partner: Receiver) -> None:
    sub_id, secret = subscribe(room, partner)
    committed = room.ingest(article(1))
    assert len(committed.deliveries) == 1
    room.drain()
    [got] = partner.requests_to("/hook")
    payload = Webhook(secret).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == committed.deliveries[0]
    assert payload["type"] == "article.published"
    assert payload["data"]["id"] == article(1).id and payload["data"]["version"] == 1
    assert payload["data"]["format"] == "ninjs"
    assert payload["data"]["content"]["uri"] == article(1).id  # ninjs content is an object
    [delivery] = room.store.deliveries(subscription_id=sub_id)
    assert delivery.state == "delivered" and delivery.attempts == 1


@pytest.mark.parametrize("fmt", ["newsml", "jsonld", "atom-entry"])
def test_each_format_arrives_as_its_content(room: Pushroom, partner: Receiver, fmt: str) -> None:
    _, secret = subscribe(room, partner, format=fmt)
    room.ingest(article(2))
    room.drain()
    [got] = partner.requests_to("/hook")
    data = Webhook(secret).verify(got.body, got.headers)["data"]
    assert data["format"] == fmt
    if fmt == "jsonld":
        assert data["content"]["@context"] == "https://schema.org"
    else:
        assert isinstance(data["content"], str) and data["content"].startswith("<")


def test_retries_until_success_with_one_webhook_id(room: Pushroom, partner: Receiver) -> None:
    partner.script("/hook", Script(statuses=[500, 500, 500, 200]))
    sub_id, secret = subscribe(room, partner)
    room.ingest(article(1))
    waits = [5, 300, 1800]
    room.drain()
    for wait in waits:
        room.drain()  # not due yet: nothing is sent
        assert len(partner.requests_to("/hook")) == waits.index(wait) + 1
        room.clock.advance(seconds=wait)
        room.drain()
    tries = partner.requests_to("/hook")
    assert len(tries) == 4
    assert len({t.headers["webhook-id"] for t in tries}) == 1
    for t in tries:
        Webhook(secret).verify(t.body, t.headers)
    [delivery] = room.store.deliveries(subscription_id=sub_id)
    assert delivery.state == "delivered" and delivery.attempts == 4
    _, attempts = room.store.delivery(delivery.id)
    assert [a.status for a in attempts] == [500, 500, 500, 200]


def test_retry_after_is_honoured(room: Pushroom, partner: Receiver) -> None:
    partner.script("/hook", Script(statuses=[429, 200], headers={"Retry-After": "120"}))
    sub_id, _ = subscribe(room, partner)
    room.ingest(article(1))
    room.drain()
    [delivery] = room.store.deliveries(subscription_id=sub_id)
    assert delivery.next_attempt_at == room.clock() + timedelta(seconds=120)


def test_400_is_not_retried_and_410_ends_the_subscription(
    room: Pushroom, partner: Receiver
) -> None:
    partner.script("/bad", Script(statuses=[400]))
    partner.script("/gone", Script(statuses=[410]))
    bad, _ = subscribe(room, partner, "/bad")
    gone, _ = subscribe(room, partner, "/gone")
    room.ingest(article(1))
    room.drain()
    room.clock.advance(hours=30)
    room.drain()
    assert [d.state for d in room.store.deliveries(subscription_id=bad)] == ["dead"]
    assert len(partner.requests_to("/bad")) == 1
    assert room.store.subscription(bad).state == "active"
    ended = room.store.subscription(gone)
    assert ended.state == "ended" and "410" in (ended.state_reason or "")
    room.ingest(article(3))
    assert room.store.deliveries(subscription_id=gone, state="pending") == []


def test_dead_after_the_last_retry_and_replayed(room: Pushroom, partner: Receiver) -> None:
    partner.script("/hook", Script(statuses=[503]))
    sub_id, _ = subscribe(room, partner)
    room.ingest(article(1))
    for _ in range(10):
        room.drain()
        room.clock.advance(hours=12)
    [delivery] = room.store.deliveries(subscription_id=sub_id)
    assert delivery.state == "dead" and delivery.attempts == 8
    partner.script("/hook", Script(statuses=[200]))
    assert room.store.retry(None, room.clock()) == 1
    room.drain()
    assert room.store.deliveries(subscription_id=sub_id)[0].state == "delivered"


def test_a_hanging_partner_does_not_hold_up_99_others(room: Pushroom, partner: Receiver) -> None:
    release = threading.Event()
    with receiver() as slow:
        slow.script("/hang", Script(hang=release))
        subscribe(room, slow, "/hang")
        for n in range(99):
            subscribe(room, partner, f"/fast/{n}")
        room.ingest(article(1))
        worker = room.worker()
        runner = threading.Thread(target=worker.run, kwargs={"burst": True}, daemon=True)
        runner.start()
        try:
            arrived = partner.wait_for(99, timeout=30)
            assert len(arrived) == 99
            assert runner.is_alive()  # the hanging delivery is still in flight
            assert len(slow.requests_to("/hang")) == 1
        finally:
            release.set()
            runner.join(timeout=30)
            worker.transport.close()
    states = {
        d.state
        for d in room.store.deliveries(limit=None)
        if "/fast/" in room.store.subscription(d.subscription_id).url
    }
    assert states == {"delivered"}


def test_lifecycle_end_to_end(room: Pushroom, partner: Receiver) -> None:
    newsroom = room.newsroom
    plain, _ = subscribe(room, partner, "/plain")
    early, secret = subscribe(room, partner, "/early", embargoed=True)
    story = article(1)
    held = room.newsroom.commit(
        replace(story, pubstatus=PubStatus.WITHHELD), room.clock(), ACTOR, "ingest"
    )
    assert held.change is None and held.deliveries == ()
    public = Public(room.store, room.config)
    published = newsroom.publish(story.id, room.clock.advance(minutes=5), ACTOR)
    assert published.change is not None and published.change.event == "published"
    corrected = newsroom.correct(
        story.id, "The minister's name was misspelled.", room.clock.advance(minutes=5), ACTOR
    )
    assert corrected.change is not None and corrected.change.event == "corrected"
    room.drain()
    events = [json.loads(r.body)["type"] for r in partner.requests_to("/plain")]
    assert events == ["article.published", "article.corrected"]
    # an embargo: nothing public and no push before its time, except to the partner who opted in
    second = article(2)
    until = room.clock() + timedelta(hours=2)
    room.ingest(replace(second, embargo=until))
    room.drain()
    assert [json.loads(r.body)["data"]["id"] for r in partner.requests_to("/plain")].count(
        second.id
    ) == 0
    [early_copy] = [
        r for r in partner.requests_to("/early") if json.loads(r.body)["data"]["id"] == second.id
    ]
    assert (
        Webhook(secret).verify(early_copy.body, early_copy.headers)["data"]["embargoed_until"]
        == until.isoformat()
    )
    assert second.id not in public.feed_document("all", "rss", room.clock()).data.decode()
    room.clock.now = until
    room.drain()  # the worker's tick releases it
    assert second.id in public.feed_document("all", "rss", room.clock()).data.decode()
    assert [json.loads(r.body)["data"]["id"] for r in partner.requests_to("/plain")].count(
        second.id
    ) == 1
    assert [json.loads(r.body)["data"]["id"] for r in partner.requests_to("/early")].count(
        second.id
    ) == 1
    # a retraction: 410, gone from feeds and sitemaps, told to every earlier recipient
    room.store.update_subscription(plain, room.clock(), filters=None)
    newsroom.retract(story.id, "Fabricated quotes.", room.clock.advance(minutes=1), ACTOR)
    room.drain()
    for path in ("/plain", "/early"):  # both had the story
        retracted = [
            json.loads(r.body)
            for r in partner.requests_to(path)
            if json.loads(r.body)["type"] == "article.retracted"
        ]
        assert [r["data"]["id"] for r in retracted] == [story.id], path
    slug = room.store.get(story.id).slug
    with pytest.raises(Gone):
        public.article(slug, "html")
    assert story.id not in public.feed_document("all", "rss", room.clock()).data.decode()
    assert slug not in public.sitemap_index().data.decode() + "".join(
        public.sitemap_page(n).data.decode() for n in range(1, len(public.sitemap_pages()) + 1)
    )
    actions = [(a.action, a.actor, a.host) for a in room.store.audit_rows(story.id)][::-1]
    assert [a[0] for a in actions] == ["ingest", "publish", "correct", "retract"]
    assert {a[1:] for a in actions} == {("editor", "desk-1")}


def test_a_retraction_reaches_partners_whose_filters_changed(
    room: Pushroom, partner: Receiver
) -> None:
    sub_id, _ = subscribe(room, partner)
    room.ingest(article(1))
    room.drain()
    from syndicate.feeddefs import Filters

    room.store.update_subscription(
        sub_id, room.clock(), filters=Filters(sections=frozenset({"sport"}))
    )
    room.newsroom.retract(article(1).id, "Wrong", room.clock.advance(minutes=1), ACTOR)
    room.drain()
    types = [json.loads(r.body)["type"] for r in partner.requests_to("/hook")]
    assert types == ["article.published", "article.retracted"]


def test_secret_rotation_signs_with_both_during_the_grace(
    room: Pushroom, partner: Receiver
) -> None:
    sub_id, old = subscribe(room, partner)
    fresh = new_secret()
    until = datetime.now(UTC) + timedelta(hours=24)  # rotations run on real time, as signatures do
    room.store.update_subscription(
        sub_id, room.clock(), secret=fresh, previous_secret=old, previous_secret_until=until
    )
    sub = room.store.subscription(sub_id)
    assert sub.secrets(datetime.now(UTC)) == [fresh, old]
    assert sub.secrets(until) == [fresh]
    room.ingest(article(1))
    room.drain()
    [got] = partner.requests_to("/hook")
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(fresh).verify(got.body, got.headers)
    # the grace over: signed with the new secret only
    partner.signs(partner.url("/hook"), fresh)
    over = datetime.now(UTC) - timedelta(seconds=1)
    room.store.update_subscription(sub_id, room.clock(), previous_secret_until=over)
    room.ingest(article(2))
    room.drain()
    [_, after] = partner.requests_to("/hook")
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(fresh).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_failing_for_days_disables_the_subscription(room: Pushroom, partner: Receiver) -> None:
    partner.script("/hook", Script(statuses=[500]))
    sub_id, _ = subscribe(room, partner)
    room.ingest(article(1))
    for _ in range(6):
        room.drain()
        room.clock.advance(hours=3)
    assert room.store.subscription(sub_id).state == "active"
    room.clock.advance(days=5)
    room.ingest(article(3))
    room.drain()
    sub = room.store.subscription(sub_id)
    assert sub.state == "disabled" and "no success since" in (sub.state_reason or "")
    assert room.store.deliveries(subscription_id=sub_id, state="pending") == []


def test_retention_prunes_old_delivered_and_dead_rows(room: Pushroom, partner: Receiver) -> None:
    sub_id, _ = subscribe(room, partner)
    partner.script("/dead", Script(statuses=[400]))  # not retried: dead at once
    dead_id, _ = subscribe(room, partner, "/dead")
    room.ingest(article(1))
    room.drain()
    assert [d.state for d in room.store.deliveries(subscription_id=dead_id)] == ["dead"]
    worker = room.worker()
    worker.housekeeping()
    assert len(room.store.deliveries(subscription_id=sub_id)) == 1
    room.clock.advance(days=29)
    room.ingest(article(2))  # a younger delivery, kept
    room.drain()
    room.clock.advance(days=2)
    worker.housekeeping()
    kept = room.store.deliveries(subscription_id=sub_id)
    assert [d.article_id for d in kept] == [article(2).id]
    assert [d.article_id for d in room.store.deliveries(subscription_id=dead_id)] == [article(2).id]
    worker.transport.close()


def test_cron_feed_pushes_once_per_schedule(room: Pushroom, partner: Receiver) -> None:
    sub_id, _ = subscribe(room, partner, feed="briefing")
    berlin = ZoneInfo("Europe/Berlin")  # the site's timezone: schedules are read in it
    room.clock.now = T0.astimezone(berlin).replace(hour=5, minute=50).astimezone(UTC)
    room.ingest(article(1))
    room.drain()
    assert partner.requests_to("/hook") == []  # nothing before 06:00
    room.clock.now = T0.astimezone(berlin).replace(hour=6, second=30).astimezone(UTC)
    first, second = room.worker(), room.worker()
    assert first.tick() == 1
    assert second.tick() == 0  # the same schedule, another worker: not again
    room.drain()
    assert len(partner.requests_to("/hook")) == 1
    runs = room.store.runs("briefing")
    assert [r[1] for r in runs] == [1]
    for w in (first, second):
        w.transport.close()
