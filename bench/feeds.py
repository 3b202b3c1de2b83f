"""Feed generation, next to plain lxml writing the same XML in the same run.

    .venv/bin/python bench/feeds.py [--items 10000]

(a) a cold build of one 10,000-item RSS and Atom document, nothing cached
    (feedgen), beside lxml writing the same elements directly;
(b) a warm rebuild of that document from cached entry bytes;
(c) one new article into a 100-item subscription document;
(d) the whole publish of one article into every feed that carries it, store
    included: save, public state, feed membership, and every document of
    every feed carrying it rebuilt (a fresh SQLite file, 1,000 stories).
Targets: (a) at most 2x plain lxml; (b) under 30 ms; (c) under 1 ms;
(d) under 50 ms.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from syndicate.config import Config  # noqa: E402
from syndicate.feeddefs import load_feeds  # noqa: E402
from syndicate.ingest.dates import as_instant  # noqa: E402
from syndicate.render.feedext import ATOM_NS, DC_NS, HISTORY_NS, MEDIA_NS, TOMBSTONE_NS, Link  # noqa: E402
from syndicate.render.feeds import MEDIATOPIC_SCHEME, Document, Entry, FeedWriter  # noqa: E402
from syndicate.render.html import body_html  # noqa: E402
from syndicate.store import Store  # noqa: E402
from syndicate.syndication import Syndication  # noqa: E402
from syndicate.urls import Urls  # noqa: E402
from tests.newsroom import T0, Newsroom, article, settings  # noqa: E402


def best(run: Callable[[], object], repeat: int) -> float:
    """The best of `repeat` runs, in CPU seconds of this process (other
    processes on the machine do not count against it)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        node.set(key, value)
    node.text = text
    return node


def rfc2822(value: datetime) -> str:
    return value.strftime("%a, %d %b %Y %H:%M:%S %z")


def lxml_rss(doc: Document, entries: list[Entry], config: Config) -> bytes:
    """Plain lxml writing exactly the bytes feedgen writes (checked in main)."""
    urls = Urls(config.site.base_url)
    ns = {"dc": DC_NS, "media": MEDIA_NS, "at": TOMBSTONE_NS, "fh": HISTORY_NS, "atom": ATOM_NS}
    rss = etree.Element("rss", nsmap={**ns, "content": CONTENT_NS})
    rss.set("version", "2.0")
    channel = _el(rss, "channel")
    _el(channel, "title", doc.feed.title)
    _el(channel, "link", urls.home())
    _el(channel, "description", doc.feed.description)
    _el(channel, f"{{{ATOM_NS}}}link", href=doc.self_url, rel="self", type="application/rss+xml")
    _el(channel, "copyright", config.render.copyright_notice)
    _el(channel, "docs", "http://www.rssboard.org/rss-specification")
    _el(channel, "generator", "syndicate")
    _el(channel, "language", doc.feed.language)
    _el(channel, "lastBuildDate", rfc2822(doc.updated))
    for link in doc.links:
        _el(channel, f"{{{ATOM_NS}}}link", href=link.href, rel=link.rel)
    for entry in entries:
        a = entry.article
        item = _el(channel, "item")
        _el(item, "title", html.escape(a.headline, quote=False))
        _el(item, "link", urls.article(a.slug))
        _el(item, "description", html.escape(a.summary or a.headline, quote=False))
        _el(item, f"{{{CONTENT_NS}}}encoded", str(body_html(a)))
        _el(item, "guid", a.id, isPermaLink="false")
        for value in (a.section, *a.keywords):
            _el(item, "category", value)
        for subject in a.subjects:
            _el(item, "category", subject.name, domain=MEDIATOPIC_SCHEME)
        if a.images:
            image = a.images[0]
            _el(
                item,
                "enclosure",
                url=image.url,
                length=str(image.length or 0),
                type=image.media_type,
            )
        _el(item, "pubDate", rfc2822(entry.published))
        for byline in a.bylines:
            _el(item, f"{{{DC_NS}}}creator", byline.name)
        _el(item, f"{{{ATOM_NS}}}updated", entry.updated.isoformat())
        for image in a.images:
            media = _el(
                item, f"{{{MEDIA_NS}}}content", url=image.url, type=image.media_type, medium="image"
            )
            for key, value in (
                ("width", image.width),
                ("height", image.height),
                ("fileSize", image.length),
            ):
                if value is not None:
                    media.set(key, str(value))
            if image.credit:
                _el(media, f"{{{MEDIA_NS}}}credit", image.credit)
    return etree.tostring(etree.ElementTree(rss), xml_declaration=True, encoding="UTF-8")


def lxml_atom(doc: Document, entries: list[Entry], config: Config) -> bytes:
    urls = Urls(config.site.base_url)
    ns = {"dc": DC_NS, "media": MEDIA_NS, "at": TOMBSTONE_NS, "fh": HISTORY_NS, None: ATOM_NS}
    a_ = f"{{{ATOM_NS}}}"
    feed = etree.Element(f"{a_}feed", nsmap=ns)  # type: ignore[arg-type]
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", doc.feed.language)
    _el(feed, f"{a_}id", urls.feed(doc.feed.id, "atom"))
    _el(feed, f"{a_}title", doc.feed.title)
    _el(feed, f"{a_}updated", doc.updated.isoformat())
    author = _el(feed, f"{a_}author")
    _el(author, f"{a_}name", config.publisher.name)
    _el(author, f"{a_}uri", config.publisher.url)
    _el(feed, f"{a_}link", href=doc.self_url, rel="self", type="application/atom+xml")
    for link in doc.links:
        _el(feed, f"{a_}link", href=link.href, rel=link.rel)
    _el(feed, f"{a_}link", href=urls.home(), rel="alternate", type="text/html")
    _el(feed, f"{a_}generator", "syndicate", uri=urls.home())
    _el(feed, f"{a_}rights", config.render.copyright_notice)
    _el(feed, f"{a_}subtitle", doc.feed.description)
    for entry in entries:
        a = entry.article
        node = _el(feed, f"{a_}entry")
        _el(node, f"{a_}id", a.id)
        _el(node, f"{a_}title", a.headline)
        _el(node, f"{a_}updated", entry.updated.isoformat())
        for byline in a.bylines:
            _el(_el(node, f"{a_}author"), f"{a_}name", byline.name)
        _el(node, f"{a_}content", str(body_html(a)), type="html")
        _el(node, f"{a_}link", href=urls.article(a.slug), rel="alternate", type="text/html")
        if a.images:
            image = a.images[0]
            _el(
                node,
                f"{a_}link",
                href=image.url,
                rel="enclosure",
                type=image.media_type,
                length=str(image.length or 0),
            )
        _el(node, f"{a_}summary", html.escape(a.summary or a.headline, quote=False), type="html")
        for value in (a.section, *a.keywords):
            _el(node, f"{a_}category", term=value, label=value)
        for subject in a.subjects:
            _el(
                node,
                f"{a_}category",
                term=subject.qcode,
                scheme=MEDIATOPIC_SCHEME,
                label=subject.name,
            )
        _el(node, f"{a_}published", entry.published.isoformat())
    return etree.tostring(etree.ElementTree(feed), xml_declaration=True, encoding="UTF-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="syndicate-bench-"))
    config = settings(folder, "sqlite:///var/bench.db")
    tz = config.site.timezone
    stories = [article(n) for n in range(args.items)]
    entries = [
        Entry(a, as_instant(a.published, tz), as_instant(a.published, tz))
        for a in reversed(stories)
    ]
    urls = Urls(config.site.base_url)
    feed_def = load_feeds(config)[0]  # "all": full content
    hub = (Link(urls.hub(), "hub"),)

    print(f"feeds: {args.items} items, full content, one core")
    for fmt, baseline in (("rss", lxml_rss), ("atom", lxml_atom)):
        doc = Document(feed_def, fmt, urls.feed(feed_def.id, fmt), entries[0].updated, links=hub)
        same = baseline(doc, entries[:50], config) == FeedWriter(config).cold(doc, entries[:50])
        assert same, f"the plain lxml {fmt} writer no longer writes what feedgen writes"
        plain = best(lambda: baseline(doc, entries, config), 5)  # noqa: B023
        cold = best(lambda: FeedWriter(config).cold(doc, entries), 5)  # noqa: B023
        writer = FeedWriter(config)
        writer.document(doc, entries)  # fills the entry cache
        warm = best(lambda: writer.document(doc, entries), 10)  # noqa: B023
        fresh = iter(
            Entry(a, entries[0].published, entries[0].updated)
            for a in (article(args.items + 100 + n) for n in range(1000))
        )
        rest = entries[:99]
        writer.document(doc, rest)
        one_new = best(lambda: writer.document(doc, [next(fresh), *rest]), 20)  # noqa: B023
        print(
            f"  (a) {fmt:4} cold {cold * 1000:7.1f} ms   plain lxml {plain * 1000:7.1f} ms"
            f"   ratio {cold / plain:.2f}x"
        )
        print(f"  (b) {fmt:4} warm rebuild from cached entries {warm * 1000:7.2f} ms")
        print(f"  (c) {fmt:4} one new article into a 100-item document {one_new * 1000:7.3f} ms")

    with Store.open(config, auto_upgrade=True) as store:
        newsroom = Newsroom(store, config)
        newsroom.fill(stories[:1000], ["all", "world"], T0)
        syndication = Syndication(store, config)
        feeds = newsroom.feeds
        now = T0 + timedelta(days=1)
        for feed in feeds:
            for fmt in feed.formats:
                syndication.document(feed, fmt, now)
        times = []
        for n in range(20):
            story = article(args.items + n)
            start = time.perf_counter()
            change = newsroom.publish(story, now + timedelta(seconds=n))
            assert change is not None
            for feed in feeds:
                if feed.id in change.feeds:
                    for fmt in feed.formats:
                        syndication.document(feed, fmt, now)
            times.append(time.perf_counter() - start)
        times.sort()
        print(
            f"  (d) publish one article into every feed carrying it, store included: "
            f"median {times[len(times) // 2] * 1000:.1f} ms, best {times[0] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
