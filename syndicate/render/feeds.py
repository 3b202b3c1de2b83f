"""RSS 2.0 and Atom 1.0 documents with feedgen, spliced from cached entries.

feedgen stays inside this module. A document is its head (feed metadata,
rendered by feedgen with no entries) followed by its entries and the closing
tags. Each entry is rendered once per article version (and content mode) in
a one-entry document with the same namespaces, and the bytes between head
and closing tags are cached; a warm document is the head plus the cached
entries, byte for byte what feedgen writes for the whole document at once
(`cold` builds that, and the tests compare the two).
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator

from ..config import Config
from ..feeddefs import FeedDef
from ..model import Article
from ..urls import FeedFormat, Urls
from .feedext import Link, Media, SyndicateEntryExtension, SyndicateExtension, Tombstone
from .html import body_html

GENERATOR = "syndicate"
MEDIA_TYPES: dict[str, str] = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "jsonfeed": "application/feed+json",
}
MEDIATOPIC_SCHEME = "http://cv.iptc.org/newscodes/mediatopic/"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_FOOTERS = {"rss": b"</channel></rss>", "atom": b"</feed>"}
_START_TAGS = {"rss": b"<item>", "atom": b"<entry>"}
_TEMPLATE = FeedDef("template", "template", "template", "en")


@dataclass(frozen=True, slots=True)
class Entry:
    """An article as a feed item: the version and its two times."""

    article: Article
    published: datetime
    updated: datetime


@dataclass(frozen=True, slots=True)
class Document:
    """Everything about a feed document except its entries."""

    feed: FeedDef
    fmt: FeedFormat
    self_url: str
    updated: datetime
    links: tuple[Link, ...] = ()  # hub, prev-archive, next-archive, current
    archive: bool = False
    tombstones: tuple[Tombstone, ...] = ()
    next_url: str | None = None  # JSON Feed paging


@dataclass(slots=True)
class ByteCache:
    """Least recently used bytes, bounded by their total size."""

    budget: int = 256 * 1024 * 1024
    _items: OrderedDict[tuple[Any, ...], bytes] = field(default_factory=OrderedDict)
    _size: int = 0

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], value: bytes) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._size -= len(old)
        self._items[key] = value
        self._size += len(value)
        while self._size > self.budget and self._items:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped)


def entry_key(
    article_id: str, version: int, fmt: str, content: str, published: datetime, updated: datetime
) -> tuple[Any, ...]:
    """What an entry's bytes depend on (with the settings, fixed per writer)."""
    return (article_id, version, fmt, content, published, updated)


class FeedWriter:
    """RSS and Atom documents for one configuration, with an entry cache."""

    def __init__(self, config: Config, cache: ByteCache | None = None) -> None:
        self.config = config
        self.urls = Urls(config.site.base_url)
        self.cache = cache or ByteCache()
        self._templates: dict[str, tuple[Any, bytes]] = {}

    # -- whole documents -------------------------------------------------------------

    def document(self, doc: Document, entries: Sequence[Entry]) -> bytes:
        """The warm path: head + cached entries + closing tags."""
        return self.splice(doc, self.entries(entries, doc.fmt, doc.feed.content))

    def splice(self, doc: Document, parts: Sequence[bytes]) -> bytes:
        """A document from its entries' bytes, as `entry` returns them."""
        head = self._head(self._generator(doc), doc.fmt)
        return head + b"".join(parts) + _FOOTERS[doc.fmt]

    def cold(self, doc: Document, entries: Sequence[Entry]) -> bytes:
        """The whole document in one feedgen build, nothing cached."""
        generator = self._generator(doc)
        for entry in entries:
            self._add(generator, entry, doc.feed.content, doc.fmt)
        return self._serialize(generator, doc.fmt)

    # -- entries -----------------------------------------------------------------------

    def entry(self, entry: Entry, fmt: FeedFormat, content: str) -> bytes:
        return self.entries([entry], fmt, content)[0]

    def entries(self, entries: Sequence[Entry], fmt: FeedFormat, content: str) -> list[bytes]:
        """Each entry's bytes, from the cache or rendered: all the missing ones
        in one one-off document with the same namespaces, then cut apart at
        their start tags (feedgen writes them without attributes, and article
        text inside an entry is always escaped, so the tag cannot occur
        inside one)."""
        keys = [
            entry_key(e.article.id, e.article.version, fmt, content, e.published, e.updated)
            for e in entries
        ]
        found = [self.cache.get(key) for key in keys]
        missing = [i for i, data in enumerate(found) if data is None]
        if missing:
            template, head = self._template(fmt)
            for i in missing:
                self._add(template, entries[i], content, fmt)
            try:
                whole = self._serialize(template, fmt)
            finally:
                for _ in missing:
                    template.remove_entry(0)
            body = whole[len(head) : len(whole) - len(_FOOTERS[fmt])]
            tag = _START_TAGS[fmt]
            pieces = [tag + piece for piece in body.split(tag)[1:]]
            if len(pieces) != len(missing):  # pragma: no cover - guards the invariant above
                raise RuntimeError(f"{len(pieces)} {fmt} entries cut from {len(missing)} rendered")
            for i, piece in zip(missing, pieces, strict=True):
                self.cache.put(keys[i], piece)
                found[i] = piece
        return [data for data in found if data is not None]

    def _template(self, fmt: FeedFormat) -> tuple[Any, bytes]:
        """A fixed feed with the same namespaces, to render one entry in, and its head."""
        found = self._templates.get(fmt)
        if found is None:
            generator = self._generator(Document(_TEMPLATE, fmt, self.urls.home(), EPOCH))
            found = (generator, self._head(generator, fmt))
            self._templates[fmt] = found
        return found

    def _head(self, generator: Any, fmt: str) -> bytes:
        whole = self._serialize(generator, fmt)
        footer = _FOOTERS[fmt]
        if not whole.endswith(footer):  # pragma: no cover - feedgen's layout changed
            raise RuntimeError(f"unexpected {fmt} document ending: {whole[-40:]!r}")
        return whole[: len(whole) - len(footer)]

    @staticmethod
    def _serialize(generator: Any, fmt: str) -> bytes:
        data: bytes = generator.rss_str() if fmt == "rss" else generator.atom_str()
        return data

    # -- feedgen -----------------------------------------------------------------------

    def _generator(self, doc: Document) -> Any:
        feed, config = doc.feed, self.config
        generator = FeedGenerator()
        generator.register_extension(
            "syndicate", SyndicateExtension, SyndicateEntryExtension, atom=True, rss=True
        )
        generator.id(self.urls.feed(feed.id, "atom"))
        generator.title(feed.title)
        generator.subtitle(feed.description)
        generator.description(feed.description)
        generator.language(feed.language)
        generator.author({"name": config.publisher.name, "uri": config.publisher.url})
        generator.link(href=doc.self_url, rel="self", type=MEDIA_TYPES[doc.fmt])
        if doc.fmt == "atom":
            for link in doc.links:
                generator.link(href=link.href, rel=link.rel)
        # the last link added is RSS's channel <link>: the home page
        generator.link(href=self.urls.home(), rel="alternate", type="text/html")
        generator.rights(config.render.copyright_notice)
        generator.generator(GENERATOR, uri=self.urls.home())
        generator.updated(doc.updated)
        generator.lastBuildDate(doc.updated)
        extension: SyndicateExtension = generator.syndicate
        extension.links = list(doc.links) if doc.fmt == "rss" else []
        extension.archive = doc.archive
        extension.tombstones = list(doc.tombstones) if doc.fmt == "atom" else []
        return generator

    def _add(self, generator: Any, entry: Entry, content: str, fmt: str) -> None:
        article = entry.article
        url = self.urls.article(article.slug)
        fe = generator.add_entry(order="append")
        fe.guid(article.id, permalink=False)
        # RSS readers treat an item title as HTML when it looks like HTML, so
        # escape it as the description is escaped; Atom says type="text".
        fe.title(html.escape(article.headline, quote=False) if fmt == "rss" else article.headline)
        links = [Link(url, "alternate", "text/html")]
        if article.images:
            image = article.images[0]
            links.append(Link(image.url, "enclosure", image.media_type, image.length or 0))
        fe.link(
            [
                {"href": k.href, "rel": k.rel, "type": k.type, "length": str(k.length)}
                if k.length is not None
                else {"href": k.href, "rel": k.rel, "type": k.type}
                for k in links
            ]
        )
        fe.published(entry.published)
        fe.updated(entry.updated)
        # Readers treat the description as HTML: a literal <beta> must be escaped.
        fe.summary(html.escape(article.summary or article.headline, quote=False), type="html")
        if content == "full":
            fe.content(str(body_html(article)), type="html")
        if article.bylines:
            fe.author(
                [
                    {"name": b.name, "uri": b.url} if b.url else {"name": b.name}
                    for b in article.bylines
                ]
            )
        fe.category(
            [{"term": article.section, "label": article.section}]
            + [{"term": k, "label": k} for k in article.keywords]
            + [
                {"term": s.qcode, "label": s.name, "scheme": MEDIATOPIC_SCHEME}
                for s in article.subjects
            ]
        )
        data = fe.syndicate.data
        if fmt == "atom":
            data.links = links
        else:
            data.creators = [b.name for b in article.bylines]
            data.updated = entry.updated
            data.media = [
                Media(i.url, i.media_type, i.width, i.height, i.length, i.credit)
                for i in article.images
            ]
