"""JSON Feed 1.1 documents, written directly and spliced like RSS and Atom:
the head (everything but the items, with `items` last) and each item's JSON
text, cached per article version and content mode."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..config import Config
from ..urls import Urls
from .feeds import ByteCache, Document, Entry, entry_key
from .html import body_html

VERSION = "https://jsonfeed.org/version/1.1"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class JsonFeedWriter:
    def __init__(self, config: Config, cache: ByteCache | None = None) -> None:
        self.config = config
        self.urls = Urls(config.site.base_url)
        self.cache = cache or ByteCache()

    def head(self, doc: Document) -> dict[str, Any]:
        head: dict[str, Any] = {
            "version": VERSION,
            "title": doc.feed.title,
            "home_page_url": self.urls.home(),
            "feed_url": doc.self_url,
            "description": doc.feed.description,
            "language": doc.feed.language,
            "authors": [{"name": self.config.publisher.name, "url": self.config.publisher.url}],
        }
        hubs = [{"type": "WebSub", "url": link.href} for link in doc.links if link.rel == "hub"]
        if hubs:
            head["hubs"] = hubs
        if doc.next_url:
            head["next_url"] = doc.next_url
        head["items"] = []
        return head

    def document(self, doc: Document, entries: Sequence[Entry]) -> bytes:
        return self.splice(doc, [self.entry(e, doc.feed.content) for e in entries])

    def splice(self, doc: Document, parts: Sequence[bytes]) -> bytes:
        """The document from its items' JSON text, as `entry` returns it."""
        head = _dumps(self.head(doc))
        assert head.endswith(b"[]}")
        return head[:-2] + b",".join(parts) + b"]}"

    def cold(self, doc: Document, entries: Sequence[Entry]) -> bytes:
        whole = self.head(doc)
        whole["items"] = [self.item(e, doc.feed.content) for e in entries]
        return _dumps(whole)

    def entries(self, entries: Sequence[Entry], content: str) -> list[bytes]:
        return [self.entry(e, content) for e in entries]

    def entry(self, entry: Entry, content: str) -> bytes:
        article = entry.article
        key = entry_key(
            article.id, article.version, "jsonfeed", content, entry.published, entry.updated
        )
        cached = self.cache.get(key)
        if cached is None:
            cached = _dumps(self.item(entry, content))
            self.cache.put(key, cached)
        return cached

    def item(self, entry: Entry, content: str) -> dict[str, Any]:
        article = entry.article
        summary = article.summary or article.headline
        item: dict[str, Any] = {
            "id": article.id,
            "url": self.urls.article(article.slug),
            "title": article.headline,
        }
        if content == "full":
            item["content_html"] = str(body_html(article))
        else:
            item["content_text"] = summary
        item["summary"] = summary
        if article.images:
            item["image"] = article.images[0].url
        item["date_published"] = entry.published.isoformat()
        item["date_modified"] = entry.updated.isoformat()
        if article.bylines:
            item["authors"] = [
                {"name": b.name, **({"url": b.url} if b.url else {})} for b in article.bylines
            ]
        item["tags"] = [article.section, *article.keywords, *(s.name for s in article.subjects)]
        item["language"] = article.language
        if article.images:
            item["attachments"] = [
                {
                    "url": image.url,
                    "mime_type": image.media_type,
                    **({"title": image.caption} if image.caption else {}),
                    **({"size_in_bytes": image.length} if image.length is not None else {}),
                }
                for image in article.images
            ]
        return item
