"""Feed documents from the store: subscription documents and RFC 5005 archives.

A feed's items carry fixed sequence numbers (syndicate.publish). With P the
feed's `items`, archive page n holds sequence numbers (n-1)P+1 .. nP, and a
page is archived once P later items exist: pages never reshuffle, a new
article changes no archive page, and the subscription document always holds
the newest P items at least (P to 2P-1: every item after the last archived
page), so a reader that never follows prev-archive misses nothing between
polls of fewer than P new items. It also holds archived items whose public
version changed after they joined (an update re-enters with its new date;
up to P of them), newest change first. Retracted items leave every
document; Atom keeps an at:deleted-entry tombstone for them (in the
subscription document for `[feeds] tombstone_days`, in their archive page
for good).

Documents are a pure function of the store's rows and the settings, so every
process renders the same bytes for the same state; each process caches them
by the feed's revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import Config
from .errors import NotFoundError
from .feeddefs import FeedDef
from .render.feedext import Link, Tombstone
from .render.feeds import EPOCH, ByteCache, Document, Entry, FeedWriter, entry_key
from .render.jsonfeed import JsonFeedWriter
from .store import Store
from .store.publication import FeedRow
from .urls import FeedFormat, Urls

RETRACTED_NOTE = "This article was retracted."


@dataclass(frozen=True, slots=True)
class Page:
    """Where a document sits among its feed's pages."""

    number: int | None  # None: the subscription document
    archived: int  # how many archive pages the feed has


def entry_times(row: FeedRow) -> tuple[datetime, datetime]:
    """(published, updated) of an item: its own dates, and for any later
    public version the time that version landed."""
    assert row.published_at is not None
    published = row.published_at
    updated = max(published, row.updated_at or published)
    if row.version != row.first_public_version and row.version_created_at is not None:
        updated = max(updated, row.version_created_at)
    return published, updated


class Syndication:
    def __init__(self, store: Store, config: Config, cache: ByteCache | None = None) -> None:
        self.store = store
        self.config = config
        self.urls = Urls(config.site.base_url)
        shared = cache or ByteCache()
        self.xml = FeedWriter(config, shared)
        self.json = JsonFeedWriter(config, shared)
        self._documents: dict[tuple[object, ...], tuple[bytes, datetime]] = {}

    # -- pages -------------------------------------------------------------------------

    def archived_pages(self, feed: FeedDef) -> int:
        return archived(self.store.feed_counts(feed.id).assigned, feed.items)

    def document(
        self, feed: FeedDef, fmt: FeedFormat, now: datetime, page: int | None = None
    ) -> bytes:
        """A subscription document (page None) or archive page `page` (1 = oldest)."""
        return self.dated_document(feed, fmt, now, page)[0]

    def dated_document(
        self, feed: FeedDef, fmt: FeedFormat, now: datetime, page: int | None = None
    ) -> tuple[bytes, datetime]:
        """The document and its date (its newest item's)."""
        if fmt not in feed.formats:
            raise NotFoundError(f"feed {feed.id!r} has no {fmt} format")
        counts = self.store.feed_counts(feed.id)
        pages = archived(counts.assigned, feed.items)
        if page is not None and not 1 <= page <= pages:
            raise NotFoundError(f"feed {feed.id!r} has no archive page {page}")
        cutoff = (now - timedelta(days=self.config.feeds.tombstone_days)).date()
        key = (feed, fmt, page, counts.revision, cutoff if page is None else None)
        cached = self._documents.get(key)
        if cached is None:
            cached = self._render(feed, fmt, Page(page, pages), cutoff_at(now, self.config))
            if len(self._documents) > 1024:
                self._documents.clear()
            self._documents[key] = cached
        return cached

    def _render(
        self, feed: FeedDef, fmt: FeedFormat, page: Page, cutoff: datetime
    ) -> tuple[bytes, datetime]:
        rows, stones = self._rows(feed, page, cutoff)
        parts = self.parts(rows, fmt, feed.content)
        tombstones = tuple(
            Tombstone(r.article_id, r.retracted_at, RETRACTED_NOTE)
            for r in stones
            if r.retracted_at
        )
        times = [entry_times(r)[1] for r in rows] + [t.when for t in tombstones]
        doc = Document(
            feed=feed,
            fmt=fmt,
            self_url=self._url(feed, fmt, page.number),
            updated=max(times, default=EPOCH),
            links=self._links(feed, fmt, page),
            archive=page.number is not None,
            tombstones=tombstones if fmt == "atom" else (),
            next_url=self._next(feed, page) if fmt == "jsonfeed" else None,
        )
        if fmt == "jsonfeed":
            return self.json.splice(doc, parts), doc.updated
        return self.xml.splice(doc, parts), doc.updated

    def _rows(
        self, feed: FeedDef, page: Page, cutoff: datetime
    ) -> tuple[list[FeedRow], list[FeedRow]]:
        size, store = feed.items, self.store
        if page.number is not None:
            rows = store.feed_rows(
                feed.id, seq_from=(page.number - 1) * size + 1, seq_to=page.number * size
            )
            rows.sort(key=lambda r: r.seq, reverse=True)
            live = [r for r in rows if r.removed_at is None and r.version is not None]
            return live, [r for r in rows if r.removed_at is not None]
        boundary = page.archived * size
        fresh = store.feed_rows(feed.id, seq_from=boundary + 1, active_only=True)
        back = (
            store.feed_rows(
                feed.id, seq_to=boundary, changed_since_added=True, active_only=True, limit=size
            )
            if boundary
            else []
        )
        rows = [r for r in fresh + back if r.version is not None]
        rows.sort(key=lambda r: (entry_times(r)[1], r.seq), reverse=True)
        return rows, store.feed_rows(feed.id, removed_since=cutoff)

    def parts(self, rows: Sequence[FeedRow], fmt: FeedFormat, content: str) -> list[bytes]:
        """Each row's entry bytes: from the cache, else rendered from its
        document (all missing documents fetched in one query)."""
        keys = []
        for row in rows:
            assert row.version is not None
            published, updated = entry_times(row)
            keys.append(entry_key(row.article_id, row.version, fmt, content, published, updated))
        found = [self.xml.cache.get(key) for key in keys]
        wanted = [
            (r.article_id, r.version or 0) for r, f in zip(rows, found, strict=True) if f is None
        ]
        docs = self.store.documents(wanted) if wanted else {}
        fresh = [
            Entry(docs[(row.article_id, row.version or 0)], key[4], key[5])
            for row, key, cached in zip(rows, keys, found, strict=True)
            if cached is None
        ]
        rendered = iter(
            self.json.entries(fresh, content)
            if fmt == "jsonfeed"
            else self.xml.entries(fresh, fmt, content)
        )
        return [cached if cached is not None else next(rendered) for cached in found]

    # -- links ---------------------------------------------------------------------------

    def _url(self, feed: FeedDef, fmt: FeedFormat, number: int | None) -> str:
        if number is None:
            return self.urls.feed(feed.id, fmt)
        return self.urls.archive(feed.id, number, fmt)

    def _links(self, feed: FeedDef, fmt: FeedFormat, page: Page) -> tuple[Link, ...]:
        links: list[Link] = []
        if page.number is None:
            if self.config.websub.enabled:
                links.append(Link(self.urls.hub(), "hub"))
            if page.archived:
                links.append(Link(self.urls.archive(feed.id, page.archived, fmt), "prev-archive"))
            return tuple(links)
        links.append(Link(self.urls.feed(feed.id, fmt), "current"))
        if page.number > 1:
            links.append(Link(self.urls.archive(feed.id, page.number - 1, fmt), "prev-archive"))
        if page.number < page.archived:
            links.append(Link(self.urls.archive(feed.id, page.number + 1, fmt), "next-archive"))
        return tuple(links)

    def _next(self, feed: FeedDef, page: Page) -> str | None:
        """JSON Feed pages go back in time: next_url is the older page."""
        older = page.archived if page.number is None else page.number - 1
        return self.urls.archive(feed.id, older, "jsonfeed") if older >= 1 else None


def archived(assigned: int, size: int) -> int:
    """How many archive pages a feed with `assigned` places has: a page of
    `size` places is archived once `size` later places exist."""
    return max(0, assigned - size) // size


def cutoff_at(now: datetime, config: Config) -> datetime:
    """Retractions since this instant still show as tombstones (day granularity,
    so every process agrees during a day)."""
    day = (now - timedelta(days=config.feeds.tombstone_days)).date()
    return datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)
