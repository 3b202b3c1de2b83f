"""RFC 5005 archives: stable pages, walked from the subscription document."""

from __future__ import annotations

import json
from datetime import timedelta

import feedparser
from lxml import etree

from syndicate.syndication import Syndication

from .conftest import NOW
from .newsroom import T0, Newsroom, article

FH = "http://purl.org/syndication/history/1.0"
MAX_PAGES = 200  # a walk that does not end by then is a broken chain


ATOM = "{http://www.w3.org/2005/Atom}"


def page_links(data: bytes) -> dict[str, str]:
    """rel -> href of the document's own links (RSS carries them as atom:link)."""
    root = etree.fromstring(data)
    channel = root.find("channel")
    holder = channel if channel is not None else root
    return {link.get("rel", ""): link.get("href", "") for link in holder.iter(f"{ATOM}link")}


def entry_ids(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    return [e.text or "" for e in root.iter("guid", f"{ATOM}id") if e.getparent() is not root]


def walk(syndication: Syndication, newsroom: Newsroom, fmt: str) -> list[tuple[str, int]]:
    """(id, page) of every entry from the subscription document back through
    prev-archive links; page 0 is the subscription document. feedparser reads
    the first and last documents with bozo == 0."""
    feed = newsroom.feed("all")
    base = syndication.urls.archive(feed.id, 1, fmt).rsplit("/", 1)[0] + "/"
    data = syndication.document(feed, fmt, NOW)  # type: ignore[arg-type]
    assert feedparser.parse(data).bozo == 0
    seen: list[tuple[str, int]] = []
    for page in range(MAX_PAGES):
        seen += [(i, page) for i in entry_ids(data)]
        previous = page_links(data).get("prev-archive")
        if previous is None:
            assert feedparser.parse(data).bozo == 0
            return seen
        number = int(previous.removeprefix(base).split(".")[0])
        data = syndication.document(feed, fmt, NOW, number)  # type: ignore[arg-type]
        assert etree.fromstring(data).find(f".//{{{FH}}}archive") is not None
        assert page_links(data)["current"] == syndication.urls.feed(feed.id, fmt)  # type: ignore[arg-type]
    raise AssertionError(f"the prev-archive chain runs past {MAX_PAGES} pages")


def test_walking_5000_articles_finds_each_once(newsroom: Newsroom) -> None:
    stories = [article(n) for n in range(5000)]
    newsroom.fill(stories, ["all", "world"], T0)
    syndication = Syndication(newsroom.store, newsroom.config)
    feed = newsroom.feed("all")
    assert syndication.archived_pages(feed) == 49
    for fmt in ("rss", "atom"):
        ids = [i for i, _ in walk(syndication, newsroom, fmt)]
        assert len(ids) == len(set(ids)) == 5000
        assert set(ids) == {s.id for s in stories}
    current = syndication.document(feed, "rss", NOW)
    assert len(feedparser.parse(current).entries) == 100


def test_one_more_article_changes_no_archive_page(newsroom: Newsroom) -> None:
    newsroom.fill([article(n) for n in range(299)], ["all"], T0)
    syndication = Syndication(newsroom.store, newsroom.config)
    feed = newsroom.feed("all")

    def current() -> list[str]:
        data = syndication.document(feed, "atom", NOW)
        return [e.id for e in feedparser.parse(data).entries]

    assert syndication.archived_pages(feed) == 1
    assert len(current()) == 199  # page 2 is full but waits for 100 later articles
    page_one = entry_ids(syndication.document(feed, "atom", NOW, 1))
    # the 300th article archives page 2: page 1 keeps its entries (and gains next-archive)
    newsroom.publish(article(299), NOW)
    assert syndication.archived_pages(feed) == 2
    assert entry_ids(syndication.document(feed, "atom", NOW, 1)) == page_one
    # never fewer than the newest 100 in the subscription document: a poller misses nothing
    assert current() == [article(m).id for m in range(299, 199, -1)]
    before = {
        (fmt, n): syndication.document(feed, fmt, NOW, n)
        for fmt in ("rss", "atom", "jsonfeed")
        for n in (1, 2)
    }
    newsroom.publish(article(300), NOW)  # one more: no archive page changes at all
    assert syndication.archived_pages(feed) == 2
    for (fmt, n), data in before.items():
        assert syndication.document(feed, fmt, NOW, n) == data  # type: ignore[arg-type]
    assert current() == [article(m).id for m in range(300, 199, -1)]


def test_an_updated_article_reenters_with_its_newest_copy(newsroom: Newsroom) -> None:
    newsroom.fill([article(n) for n in range(250)], ["all"], T0)
    syndication = Syndication(newsroom.store, newsroom.config)
    feed = newsroom.feed("all")
    assert syndication.archived_pages(feed) == 1
    first = article(3)
    later = T0 + timedelta(days=1)
    assert newsroom.publish(first, later) is None  # unchanged content: nothing happens
    newsroom.publish(article(3, headline="Story three, updated"), later)
    newsroom.publish(article(3, headline="Story three, updated again"), later + timedelta(hours=1))
    entries = walk(syndication, newsroom, "atom")
    pages = sorted(page for i, page in entries if i == first.id)
    assert pages == [0, 1]  # the subscription document's copy and the archived one
    others = [i for i, _ in entries if i != first.id]
    assert len(others) == len(set(others)) == 249
    current = feedparser.parse(syndication.document(feed, "atom", NOW))
    mine = [e for e in current.entries if e.id == first.id]
    assert len(mine) == 1 and mine[0].title == "Story three, updated again"
    assert current.entries[0].id == first.id


def test_json_feed_pages_link_back_with_next_url(newsroom: Newsroom) -> None:
    newsroom.fill([article(n) for n in range(330)], ["all"], T0)
    syndication = Syndication(newsroom.store, newsroom.config)
    feed = newsroom.feed("all")
    doc = json.loads(syndication.document(feed, "jsonfeed", NOW))
    ids = [item["id"] for item in doc["items"]]
    page = 2
    for _ in range(MAX_PAGES):
        if "next_url" not in doc:
            break
        assert doc["next_url"] == syndication.urls.archive(feed.id, page, "jsonfeed")
        doc = json.loads(syndication.document(feed, "jsonfeed", NOW, page))
        ids += [item["id"] for item in doc["items"]]
        page -= 1
    assert page == 0 and sorted(ids) == sorted(article(n).id for n in range(330))
