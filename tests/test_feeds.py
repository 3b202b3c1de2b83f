"""RSS, Atom and JSON Feed read back the way partners read them (feedparser),
warm documents equal cold feedgen builds, and feed definitions are checked."""

from __future__ import annotations

import calendar
import html
import json
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from feedparser.html import _cp1252
from feedparser.sanitizer import _sanitize_html
from hypothesis import given
from hypothesis import strategies as st

from syndicate import intake, validate
from syndicate.config import Config, load_config
from syndicate.errors import ReadError
from syndicate.feeddefs import FeedDef, parse_feed
from syndicate.ingest.dates import as_instant
from syndicate.ingest.files import discover, load_request
from syndicate.model import Article
from syndicate.render.feedext import Link, Tombstone
from syndicate.render.feeds import EPOCH, Document, Entry, FeedWriter
from syndicate.render.html import body_html
from syndicate.render.jsonfeed import JsonFeedWriter
from syndicate.syndication import Syndication
from syndicate.urls import Urls

from .conftest import EXAMPLES, NOW, REPO, SEED
from .newsroom import Newsroom
from .strategies import articles

HYPOTHESIS_CONFIG = load_config(REPO / "tests" / "data" / "config.toml", environ={})


def seen(text: str) -> str:
    """Text as feedparser hands it over: it takes any string that is all
    latin-1 and also valid UTF-8 as double-encoded and decodes it again (its
    repair of a common publishing error), then maps windows-1252 codes."""
    try:
        text = text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return text.translate(_cp1252)


def forms(text: str) -> set[str]:
    """What feedparser may hand over for a text: as written, or repaired (it
    does not repair every element the same way)."""
    return {text, seen(text)}


def sanitized(text: str) -> set[str]:
    """HTML as feedparser hands it over: sanitized, then maybe repaired."""
    return forms(str(_sanitize_html(text, "utf-8", "text/html")))


def as_text(detail: dict[str, str]) -> str:
    """A feedparser text construct as the text a reader shows."""
    if detail["type"] == "text/html":
        return html.unescape(detail["value"])
    return detail["value"]


def seconds(value: datetime) -> int:
    return calendar.timegm(value.utctimetuple())


def check_read_back(data: bytes, entries: list[Entry], config: Config, full: bool) -> None:
    """feedparser reads the document with bozo == 0 and every field intact."""
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(entries)
    urls = Urls(config.site.base_url)
    for item, entry in zip(parsed.entries, entries, strict=True):
        article = entry.article
        assert item.id == article.id
        assert as_text(item.title_detail) in forms(article.headline)
        assert item.link == urls.article(article.slug)
        assert calendar.timegm(item.published_parsed) == seconds(entry.published)
        assert calendar.timegm(item.updated_parsed) == seconds(entry.updated)
        names = [a.get("name") for a in item.get("authors", [])]
        assert len(names) == len(article.bylines)
        assert all(n in forms(b.name) for n, b in zip(names, article.bylines, strict=True))
        terms = {t.term for t in item.tags} | {t.get("label") for t in item.tags}
        assert forms(article.section) & terms
        assert all(forms(k) & terms for k in article.keywords)
        assert all((forms(s.name) | {s.qcode}) & terms for s in article.subjects)
        if article.images:
            image = article.images[0]
            enclosure = item.enclosures[0]
            assert (enclosure.href, enclosure.type) == (image.url, image.media_type)
            assert int(enclosure.length) == (image.length or 0)
        else:
            assert not item.get("enclosures")
        summary = html.escape(article.summary or article.headline, quote=False)
        assert item.summary in sanitized(summary)
        if full:
            assert item.content[0].value in sanitized(str(body_html(article)))


def entries_of(stories: list[Article], config: Config) -> list[Entry]:
    tz = config.site.timezone
    return [
        Entry(a, as_instant(a.published, tz), as_instant(a.updated or a.published, tz))
        for a in stories
    ]


def feed_def(content: str = "full") -> FeedDef:
    return FeedDef("test", "Test feed", "A feed for tests", "en", content=content)  # type: ignore[arg-type]


def document(fmt: str, entries: list[Entry], content: str = "full") -> Document:
    return Document(
        feed_def(content),
        fmt,  # type: ignore[arg-type]
        f"http://127.0.0.1:8080/feeds/test.{fmt}",
        max((e.updated for e in entries), default=EPOCH),
        links=(Link("http://127.0.0.1:8080/hub", "hub"),),
        tombstones=(Tombstone("urn:uuid:gone", EPOCH, "Retracted"),) if fmt == "atom" else (),
    )


def sample_articles(config: Config) -> list[Article]:
    paths = discover([EXAMPLES]) + ([SEED] if SEED.is_file() else [])
    return [intake.check(load_request(p, config), config, NOW).result.article for p in paths]


@pytest.mark.parametrize("content", ["full", "summary"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_samples_read_back(config: Config, fmt: str, content: str) -> None:
    entries = entries_of(sample_articles(config), config)
    writer = FeedWriter(config)
    data = writer.document(document(fmt, entries, content), entries)
    check_read_back(data, entries, config, full=content == "full")


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_warm_documents_equal_cold_feedgen_builds(config: Config, fmt: str) -> None:
    entries = entries_of(sample_articles(config), config)
    writer = FeedWriter(config)
    doc = document(fmt, entries)
    cold = writer.cold(doc, entries)
    assert writer.document(doc, entries) == cold  # fills the cache
    assert writer.document(doc, entries) == cold  # from the cache
    assert writer.document(doc, entries[::-1]) == writer.cold(doc, entries[::-1])


def test_hub_self_and_tombstone_links(config: Config) -> None:
    entries = entries_of(sample_articles(config)[:2], config)
    writer = FeedWriter(config)
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(writer.document(document(fmt, entries), entries))
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert rels["hub"] == "http://127.0.0.1:8080/hub"
        assert rels["self"] == f"http://127.0.0.1:8080/feeds/test.{fmt}"
    atom = writer.document(document("atom", entries), entries)
    assert b'<at:deleted-entry ref="urn:uuid:gone"' in atom


def test_json_feed_validates_and_reads_back(config: Config) -> None:
    stories = sample_articles(config)
    entries = entries_of(stories, config)
    writer = JsonFeedWriter(config)
    doc = document("jsonfeed", entries)
    data = writer.document(doc, entries)
    assert data == writer.cold(doc, entries)
    parsed = json.loads(data)
    validate.check_jsonfeed(parsed)
    assert parsed["hubs"] == [{"type": "WebSub", "url": "http://127.0.0.1:8080/hub"}]
    urls = Urls(config.site.base_url)
    for item, entry in zip(parsed["items"], entries, strict=True):
        article = entry.article
        assert item["id"] == article.id
        assert item["title"] == article.headline
        assert item["url"] == urls.article(article.slug)
        assert datetime.fromisoformat(item["date_published"]) == entry.published
        assert datetime.fromisoformat(item["date_modified"]) == entry.updated
        assert item["content_html"] == str(body_html(article))
        assert [a["name"] for a in item.get("authors", [])] == [b.name for b in article.bylines]


@given(st.lists(articles(hostile=True), min_size=1, max_size=3, unique_by=lambda a: a.id))
def test_hostile_articles_read_back(stories: list[Article]) -> None:
    config = HYPOTHESIS_CONFIG
    entries = entries_of(stories, config)
    writer = FeedWriter(config)
    for fmt in ("rss", "atom"):
        doc = document(fmt, entries)
        data = writer.document(doc, entries)
        assert data == writer.cold(doc, entries)
        check_read_back(data, entries, config, full=True)
    jsonfeed = JsonFeedWriter(config).document(document("jsonfeed", entries), entries)
    validate.check_jsonfeed(json.loads(jsonfeed))


def test_subscription_documents_from_the_store(newsroom: Newsroom) -> None:
    from .newsroom import article

    for n in range(6):
        newsroom.publish(article(n), NOW)
    syndication = Syndication(newsroom.store, newsroom.config)
    feed = newsroom.feed("world")
    data = syndication.document(feed, "rss", NOW)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    assert [as_text(e.title_detail) for e in parsed.entries] == [
        article(n).headline for n in (5, 3, 1)
    ]
    assert data == syndication.document(feed, "rss", NOW)
    assert parsed.feed.updated_parsed == parsed.entries[0].updated_parsed


def test_feed_definition_errors_name_file_and_key(config: Config) -> None:
    with pytest.raises(ReadError) as caught:
        parse_feed('title = "x"\n[filters]\nsection = ["World"]\n', "feeds/x.toml", config)
    assert caught.value.message == "unknown key 'filters.section'"
    assert (caught.value.file, caught.value.line) == ("feeds/x.toml", 3)
    with pytest.raises(ReadError, match="items"):
        parse_feed('title = "x"\nitems = 0\n', "feeds/x.toml", config)
    with pytest.raises(ReadError, match="push"):
        parse_feed('title = "x"\npush = "61 * * * *"\n', "feeds/x.toml", config)


def test_shipped_feed_definitions_load(tmp_path: Path) -> None:
    config = load_config(REPO / "config.toml", environ={})
    from syndicate.feeddefs import load_feeds

    feeds = {f.id: f for f in load_feeds(config)}
    assert {"front-page", "partners-full"} <= set(feeds)
    assert feeds["partners-full"].partners_only and feeds["partners-full"].content == "full"
    assert any(f.filters.sections for f in feeds.values())
    assert any(f.push != "immediate" for f in feeds.values())


def test_filters_include_and_exclude_by_id(config: Config) -> None:
    from .newsroom import article

    local, world, other = article(2), article(1), article(3)  # odd numbers are World
    feed = parse_feed(
        'title = "World"\n[filters]\nsections = ["World"]\n'
        f'include = ["{local.id}"]\nexclude = ["{world.id}"]\n',
        "feeds/world.toml",
        config,
    )
    assert feed.carries(local)  # included although it is Local
    assert not feed.carries(world)  # excluded although it is World
    assert feed.carries(other) and not feed.carries(article(4))


def test_media_rss_carries_the_image_and_its_dimensions(newsroom: Newsroom) -> None:
    from lxml import etree

    from .newsroom import article

    pictured = article(2)
    newsroom.publish(pictured, NOW)
    newsroom.publish(article(1), NOW)
    syndication = Syndication(newsroom.store, newsroom.config)
    data = syndication.document(newsroom.feed("all"), "rss", NOW)
    media = "http://search.yahoo.com/mrss/"
    items = {i.findtext("guid"): i for i in etree.fromstring(data).iter("item")}
    [content] = items[pictured.id].findall(f"{{{media}}}content")
    image = pictured.images[0]
    assert dict(content.attrib) == {
        "url": image.url,
        "type": image.media_type,
        "fileSize": str(image.length),
        "medium": "image",
        "width": str(image.width),
        "height": str(image.height),
    }
    assert not items[article(1).id].findall(f"{{{media}}}content")
    entries = {e.id: e for e in feedparser.parse(data).entries}
    [enclosure] = entries[pictured.id].enclosures
    assert (enclosure.href, enclosure.type, enclosure.length) == (
        image.url,
        image.media_type,
        str(image.length),
    )
