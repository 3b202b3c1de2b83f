"""What feedgen 1.0 cannot write, added through its extension hooks.

Feed level (RSS and Atom): rel="hub" and the RFC 5005 links (prev-archive,
next-archive, current) and `fh:archive`; in RSS these are atom:link elements,
which feedgen writes only for rel="self" (its issue #122). Atom also gets
RFC 6721 `at:deleted-entry` tombstones.

Entry level: Atom entry links keep their rel/type/length attributes (feedgen
issue #135 drops them); RSS items get dc:creator per byline (feedgen writes
<author> only with an e-mail address), atom:updated, and Media RSS
media:content with dimensions and credit. (No media:description: feed
readers take it for the item's content.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
TOMBSTONE_NS = "http://purl.org/atompub/tombstones/1.0"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
NAMESPACES = {"dc": DC_NS, "media": MEDIA_NS, "at": TOMBSTONE_NS, "fh": HISTORY_NS}


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    rel: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class Tombstone:
    ref: str
    when: datetime
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    type: str
    width: int | None = None
    height: int | None = None
    size: int | None = None
    credit: str | None = None


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    node = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        node.set(key, value)
    if text is not None:
        node.text = text
    return node


class SyndicateExtension(BaseExtension):  # type: ignore[misc]
    """Feed-level links, archive marker and tombstones."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.archive = False
        self.tombstones: list[Tombstone] = []

    def extend_ns(self) -> dict[str, str]:
        return dict(NAMESPACES)

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        for link in self.links:
            _sub(channel, f"{{{ATOM_NS}}}link", href=link.href, rel=link.rel)
        if self.archive:
            _sub(channel, f"{{{HISTORY_NS}}}archive")
        return feed

    def extend_atom(self, feed: Any) -> Any:
        if self.archive:
            _sub(feed, f"{{{HISTORY_NS}}}archive")
        for stone in self.tombstones:
            node = _sub(feed, f"{{{TOMBSTONE_NS}}}deleted-entry", ref=stone.ref)
            node.set("when", stone.when.isoformat())
            if stone.comment:
                _sub(node, f"{{{TOMBSTONE_NS}}}comment", stone.comment)
        return feed


@dataclass(slots=True)
class _EntryData:
    links: list[Link] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    updated: datetime | None = None
    media: list[Media] = field(default_factory=list)


class SyndicateEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.data = _EntryData()

    def extend_atom(self, entry: Any) -> Any:
        for node, link in zip(entry.findall("link"), self.data.links, strict=False):
            node.set("rel", link.rel)
            if link.type:
                node.set("type", link.type)
            if link.length is not None:
                node.set("length", str(link.length))
        return entry

    def extend_rss(self, item: Any) -> Any:
        for name in self.data.creators:
            _sub(item, f"{{{DC_NS}}}creator", name)
        if self.data.updated is not None:
            _sub(item, f"{{{ATOM_NS}}}updated", self.data.updated.isoformat())
        for media in self.data.media:
            content = _sub(item, f"{{{MEDIA_NS}}}content", url=media.url, type=media.type)
            content.set("medium", "image")
            for key, value in (
                ("width", media.width),
                ("height", media.height),
                ("fileSize", media.size),
            ):
                if value is not None:
                    content.set(key, str(value))
            if media.credit:
                _sub(content, f"{{{MEDIA_NS}}}credit", media.credit)
        return item
