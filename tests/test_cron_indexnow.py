"""Crontab schedules read as crontab reads them, and IndexNow batches."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from syndicate.cron import CronError, day_of_week_names, trigger
from syndicate.urls import Urls
from syndicate.web.app import create_app

from .live import live_server
from .newsroom import article
from .pushkit import ACTOR, pushroom
from .receiver import Script, receiver


def fire_times(expression: str, start: datetime, count: int) -> list[datetime]:
    cron = trigger(expression, UTC)
    out, point = [], cron.get_next_fire_time(None, start)
    while point is not None and len(out) < count:
        out.append(point)
        point = cron.get_next_fire_time(point, point.replace(second=1))
    return out


def test_sunday_is_zero_as_in_crontab() -> None:
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    times = fire_times("0 6 * * 0", monday, 3)
    assert [t.strftime("%A %H:%M") for t in times] == ["Sunday 06:00"] * 3
    assert fire_times("0 6 * * 7", monday, 1) == times[:1]


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("5-7", "sun,fri,sat"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("*", "*"),
    ],
)
def test_day_of_week_fields(field: str, names: str) -> None:
    assert day_of_week_names(field) == names


def test_weekdays_fire_monday_to_friday() -> None:
    saturday = datetime(2026, 11, 21, 12, tzinfo=UTC)
    days = [t.strftime("%a") for t in fire_times("30 7 * * 1-5", saturday, 5)]
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri"]


@pytest.mark.parametrize("bad", ["* * * *", "61 * * * *", "0 6 * * 8", "0 6 * * 5-1"])
def test_bad_schedules_are_refused(bad: str) -> None:
    with pytest.raises(CronError):
        trigger(bad, UTC)


def test_indexnow_batches_go_to_the_endpoint(tmp_path: Path) -> None:
    with receiver() as engine:
        key = "a1b2c3d4e5f6"
        extra = {
            "indexnow": f'enabled = true\nkey = "{key}"\nendpoint = "{engine.url("/indexnow")}"'
        }
        with pushroom(tmp_path, **extra) as room:
            for n in (1, 2, 3):
                room.ingest(article(n))
            worker = room.worker()
            worker.indexnow()
            worker.indexnow()  # nothing new: nothing sent
            worker.transport.close()
            [sent] = engine.requests_to("/indexnow")
            body = json.loads(sent.body)
            base = room.config.site.base_url
            assert body["key"] == key and body["host"] == "127.0.0.1"
            assert body["keyLocation"] == f"{base}/{key}.txt"
            slugs = [room.store.get(article(n).id).slug for n in (1, 2, 3)]
            assert sorted(body["urlList"]) == sorted(f"{base}/articles/{s}" for s in slugs)
            with live_server(create_app(room.config, room.store)) as url:
                served = requests.get(f"{url}/{key}.txt", timeout=10)
                assert served.status_code == 200 and served.text == key
                assert requests.get(f"{url}/other.txt", timeout=10).status_code == 404


def test_indexnow_sends_retractions_splits_batches_and_keeps_refused_ones(tmp_path: Path) -> None:
    with receiver() as engine:
        engine.script("/indexnow", Script(statuses=[500, 202]))
        endpoint = engine.url("/indexnow")
        extra = {"indexnow": f'enabled = true\nkey = "k0123456789"\nendpoint = "{endpoint}"'}
        with pushroom(tmp_path, **extra) as room:
            room.ingest(article(1))
            worker = room.worker()
            try:
                assert worker.indexnow() == 0  # 500: not accepted, kept for the next round
                url = Urls(room.config.site.base_url).article(room.store.get(article(1).id).slug)
                room.newsroom.retract(article(1).id, "Wrong.", room.clock.advance(minutes=1), ACTOR)
                many = [f"{room.config.site.base_url}/articles/story-{n}" for n in range(10_001)]
                room.store.queue_urls(many, room.clock())
                assert worker.indexnow() == 10_002  # the story's URL once, and the 10,001
            finally:
                worker.transport.close()
            sent = [json.loads(r.body)["urlList"] for r in engine.requests_to("/indexnow")]
            # rows of 10,000 at most: the story's two rows (published, retracted) are one URL
            assert [len(batch) for batch in sent] == [1, 9_999, 3]
            assert sent[0] == [url] and sent[1][0] == url  # the refused batch, then again
            assert url not in sent[1][1:]  # published and retracted: one ping tells both
            assert sorted(sent[1][1:] + sent[2]) == sorted(many)
