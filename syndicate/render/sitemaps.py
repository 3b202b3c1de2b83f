"""Sitemaps (sitemaps.org 0.9) and the Google News sitemap, built with lxml.

    paginate        entries -> pages of PAGE_SIZE, oldest first by (published, url),
                    so adding a newer article changes only the last page
    sitemap_page    urlset     url: loc, lastmod (the latest version's time)
    sitemap_index   sitemapindex  sitemap: loc, lastmod (one per page, then the
                    news sitemap when given)
    news_sitemap    urlset     url: loc, news:news (publication name and
                    language, publication_date, title); only articles published
                    in the last NEWS_WINDOW, newest first, at most NEWS_LIMIT

Every time is a W3C Datetime with its offset (`2026-11-24T07:30:00+01:00`,
`...Z` for UTC), to the second. URLs arrive absolute from syndicate.urls and
are written as given; every text is set through lxml, so it is escaped exactly
once. The functions are pure: the same input gives the same bytes. What they
emit is described exactly by schemas/sitemap.xsd, sitemap-index.xsd and
news-sitemap.xsd (syndicate.validate.check_sitemap and friends).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from lxml import etree

from ..errors import RenderError
from ..model import ModelError, check_timestamp

SITEMAP_NS: Final = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS: Final = "http://www.google.com/schemas/sitemap-news/0.9"
PAGE_SIZE: Final = 10_000
PROTOCOL_LIMIT: Final = 50_000
NEWS_WINDOW: Final = timedelta(hours=48)
NEWS_LIMIT: Final = 1000
INDENT: Final = "  "
XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Element = etree._Element

_SM = f"{{{SITEMAP_NS}}}"
_NEWS = f"{{{NEWS_NS}}}"
_SITEMAP_NSMAP: Mapping[Any, str] = {None: SITEMAP_NS}
_NEWS_NSMAP: Mapping[Any, str] = {None: SITEMAP_NS, "news": NEWS_NS}

_PRIMARY = re.compile(r"[a-z]{2,3}")
_DEPRECATED_LANGUAGES: Final = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
_TRADITIONAL_REGIONS: Final = frozenset({"tw", "hk", "mo"})
_CHINESE: Final = frozenset({"zh", "zho", "chi", "cmn"})


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One article as the sitemaps see it: its page URL and a few facts."""

    url: str
    lastmod: datetime
    published: datetime
    title: str
    language: str

    def __post_init__(self) -> None:
        check_timestamp(self.lastmod, "lastmod")
        check_timestamp(self.published, "published")


def w3c_datetime(value: datetime, fmt: str = "sitemap") -> str:
    """W3C Datetime to the second with its offset; UTC as `Z`. An offset with
    seconds (old local mean times) cannot be written, so that instant is given in UTC."""
    try:
        check_timestamp(value, "time")
    except ModelError as exc:
        raise RenderError(str(exc), fmt=fmt) from None
    offset = value.utcoffset()
    if offset is None or offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
        offset = timedelta(0)
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if not offset else text


def news_language(tag: str) -> str:
    """A BCP 47 tag reduced to what Google News takes: the ISO 639 code, or
    zh-cn (Simplified) / zh-tw (Traditional) for Chinese: the script subtag
    decides, else a TW/HK/MO region means Traditional, else Simplified."""
    subtags = tag.strip().replace("_", "-").lower().split("-")
    primary = _DEPRECATED_LANGUAGES.get(subtags[0], subtags[0])
    if not _PRIMARY.fullmatch(primary):
        raise RenderError(f"language {tag!r} has no ISO 639 code", fmt="news-sitemap")
    if primary not in _CHINESE:
        return primary
    rest = set(subtags[1:])
    if "hant" in rest or ("hans" not in rest and rest & _TRADITIONAL_REGIONS):
        return "zh-tw"
    return "zh-cn"


def paginate(
    entries: Sequence[SitemapEntry], page_size: int = PAGE_SIZE
) -> list[list[SitemapEntry]]:
    """Pages of at most `page_size` entries, oldest first by (published, url).
    No entries give no pages."""
    if not 1 <= page_size <= PROTOCOL_LIMIT:
        raise ValueError(f"page size {page_size} outside 1..{PROTOCOL_LIMIT}")
    ordered = sorted(entries, key=lambda e: (e.published, e.url))
    return [ordered[i : i + page_size] for i in range(0, len(ordered), page_size)]


def page_lastmod(page: Sequence[SitemapEntry]) -> datetime | None:
    """What the index gives as a page's lastmod: the latest of its entries."""
    return max((e.lastmod for e in page), default=None)


def sitemap_page(entries: Sequence[SitemapEntry]) -> bytes:
    """One sitemap page, the entries in the order given."""
    if len(entries) > PROTOCOL_LIMIT:
        raise RenderError(
            f"{len(entries)} URLs in one page (at most {PROTOCOL_LIMIT})", fmt="sitemap"
        )
    root = etree.Element(f"{_SM}urlset", nsmap=_SITEMAP_NSMAP)
    for entry in entries:
        url = _sub(root, "url", fmt="sitemap")
        _sub(url, "loc", entry.url, fmt="sitemap")
        _sub(url, "lastmod", w3c_datetime(entry.lastmod), fmt="sitemap")
    return _serialize(root)


def sitemap_index(
    pages: Sequence[tuple[str, datetime | None]],
    news: tuple[str, datetime | None] | None = None,
) -> bytes:
    """The index: one sitemap per (page URL, lastmod), then the news sitemap if given.
    A lastmod of None (an empty sitemap) is left out."""
    listed = [*pages, news] if news is not None else list(pages)
    if len(listed) > PROTOCOL_LIMIT:
        raise RenderError(
            f"{len(listed)} sitemaps in one index (at most {PROTOCOL_LIMIT})", fmt="sitemap-index"
        )
    root = etree.Element(f"{_SM}sitemapindex", nsmap=_SITEMAP_NSMAP)
    for loc, lastmod in listed:
        sitemap = _sub(root, "sitemap", fmt="sitemap-index")
        _sub(sitemap, "loc", loc, fmt="sitemap-index")
        if lastmod is not None:
            _sub(sitemap, "lastmod", w3c_datetime(lastmod, "sitemap-index"), fmt="sitemap-index")
    return _serialize(root)


def recent(
    entries: Iterable[SitemapEntry], now: datetime, *, window: timedelta = NEWS_WINDOW
) -> list[SitemapEntry]:
    """What the news sitemap lists: published within `window` up to `now`,
    newest first (ties by url), at most NEWS_LIMIT."""
    try:
        check_timestamp(now, "now")
    except ModelError as exc:
        raise RenderError(str(exc), fmt="news-sitemap") from None
    since = now - window
    chosen = sorted((e for e in entries if since <= e.published <= now), key=lambda e: e.url)
    chosen.sort(key=lambda e: e.published, reverse=True)
    return chosen[:NEWS_LIMIT]


def news_sitemap(entries: Sequence[SitemapEntry], *, publication: str, now: datetime) -> bytes:
    """The Google News sitemap of the articles published in the 48 hours up to `now`."""
    root = etree.Element(f"{_SM}urlset", nsmap=_NEWS_NSMAP)
    for entry in recent(entries, now):
        url = _sub(root, "url", fmt="news-sitemap")
        _sub(url, "loc", entry.url, fmt="news-sitemap")
        news = etree.SubElement(url, f"{_NEWS}news")
        pub = etree.SubElement(news, f"{_NEWS}publication")
        _news(pub, "name", publication)
        _news(pub, "language", news_language(entry.language))
        _news(news, "publication_date", w3c_datetime(entry.published, "news-sitemap"))
        _news(news, "title", entry.title)
    return _serialize(root)


def _set_text(node: Element, text: str, fmt: str) -> None:
    try:
        node.text = text
    except ValueError:
        raise RenderError(
            f"{etree.QName(node).localname} has characters XML cannot carry: {text!r}", fmt=fmt
        ) from None


def _sub(parent: Element, tag: str, text: str | None = None, *, fmt: str) -> Element:
    node = etree.SubElement(parent, f"{_SM}{tag}")
    if text is not None:
        _set_text(node, text, fmt)
    return node


def _news(parent: Element, tag: str, text: str) -> Element:
    node = etree.SubElement(parent, f"{_NEWS}{tag}")
    _set_text(node, text, "news-sitemap")
    return node


def _serialize(root: Element) -> bytes:
    etree.indent(root, space=INDENT)
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return XML_DECLARATION + data + b"\n"
