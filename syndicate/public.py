"""Everything the public side serves, rendered from the store: article pages
and their NewsML-G2 and ninjs, home and section pages, feeds, sitemaps and
robots.txt. The web routes and the static build both use this module, so a
URL answers the same bytes either way.

An article is public with its public version (syndicate.publish). A
retracted article's page is gone (410), but its NewsML-G2 and ninjs answer
with the canceled version so partners see the kill; held and embargoed
articles are not found (404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from . import validate
from .config import Config
from .errors import NotFoundError, SyndicateError
from .feeddefs import FeedDef, load_feeds
from .model import Article
from .render import MEDIA_TYPES as ARTICLE_MEDIA_TYPES
from .render import render
from .render.feeds import MEDIA_TYPES as FEED_MEDIA_TYPES
from .render.html import FeedLink, environment
from .render.sitemaps import (
    SitemapEntry,
    news_sitemap,
    page_lastmod,
    paginate,
    sitemap_index,
    sitemap_page,
)
from .store import Store
from .store.publication import PublicRow
from .syndication import Syndication
from .urls import FeedFormat, Urls, section_slug

HOME_ITEMS = 30
FORMAT_NAMES = {"rss": "RSS", "atom": "Atom", "jsonfeed": "JSON Feed"}


class Gone(SyndicateError):
    """The resource existed and was withdrawn for good (HTTP 410)."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Body:
    data: bytes
    media_type: str
    modified: datetime | None = None
    """When the content last changed (Last-Modified)."""


class Public:
    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.urls = Urls(config.site.base_url)
        self.syndication = Syndication(store, config)

    @property
    def feeds(self) -> list[FeedDef]:
        return load_feeds(self.config)

    def feed(self, feed_id: str) -> FeedDef:
        for feed in self.feeds:
            if feed.id == feed_id:
                return feed
        raise NotFoundError(f"no feed {feed_id!r}")

    # -- articles ------------------------------------------------------------------------

    def article(self, slug: str, fmt: str) -> Body:
        """`html`, `newsml` or `ninjs` of the public version of an article."""
        state = self.store.slug_state(slug)
        if state is None:
            raise NotFoundError(f"no article {slug!r}")
        if state.retracted:
            if fmt == "html":
                raise Gone(f"article {slug!r} was retracted")
            article = self.store.get(state.article_id, state.latest_version)
        elif state.public_version is None:
            raise NotFoundError(f"no public article {slug!r}")
        else:
            article = self.store.get(state.article_id, state.public_version)
        modified = self.store.public_state(state.article_id)
        changed = modified.retracted_at or modified.public_at
        if fmt == "html":
            output = render(
                article, "html", self.config, feeds=self.feed_links(article), sections=self.sections
            )
        else:
            output = render(article, fmt, self.config)
        return Body(output.data, ARTICLE_MEDIA_TYPES[fmt], changed)

    def feed_links(self, article: Article) -> list[FeedLink]:
        """Every public feed that carries the article, in each of its formats."""
        carrying = set(self.store.feeds_of(article.id))
        return [
            FeedLink(
                f"{feed.title} ({FORMAT_NAMES[fmt]})",
                self.urls.feed(feed.id, fmt),
                FEED_MEDIA_TYPES[fmt],
            )
            for feed in self.feeds
            if feed.id in carrying and not feed.partners_only
            for fmt in feed.formats
        ]

    # -- pages ---------------------------------------------------------------------------

    @cached_property
    def sections(self) -> list[str]:
        return self.store.public_sections()

    def home(self) -> Body:
        rows = self.store.public_articles(limit=HOME_ITEMS)
        feeds = [f for f in self.feeds if not f.partners_only and not f.filters.sections]
        return self._listing(self.config.site.name, rows, feeds, self.urls.home())

    def last_change(self) -> datetime | None:
        """When anything public last changed."""
        rows = self.store.public_articles()
        return max((r.public_at for r in rows), default=None)

    def section(self, slug: str) -> Body:
        names = {section_slug(s): s for s in self.sections}
        if slug not in names:
            raise NotFoundError(f"no section {slug!r}")
        name = names[slug]
        rows = self.store.public_articles(section=name, limit=HOME_ITEMS)
        feeds = [
            f for f in self.feeds if not f.partners_only and name.casefold() in f.filters.sections
        ]
        return self._listing(name, rows, feeds, self.urls.section(name))

    def _listing(
        self, title: str, rows: Sequence[PublicRow], feeds: Sequence[FeedDef], url: str
    ) -> Body:
        links = [
            FeedLink(
                f"{f.title} ({FORMAT_NAMES[fmt]})", self.urls.feed(f.id, fmt), FEED_MEDIA_TYPES[fmt]
            )
            for f in feeds
            for fmt in f.formats
        ]
        page = {
            "title": title,
            "url": url,
            "language": self.config.site.language,
            "dir": "ltr",
            "sections": self.sections,
            "feeds": links,
        }
        text = (
            environment()
            .get_template("listing.html")
            .render(
                page=page,
                rows=rows,
                site=self.config.site,
                publisher=self.config.publisher,
                urls=self.urls,
            )
        )
        modified = max((r.public_at for r in rows), default=None)
        return Body(text.encode("utf-8"), "text/html; charset=utf-8", modified)

    # -- feeds ---------------------------------------------------------------------------

    def feed_document(
        self, feed_id: str, fmt: FeedFormat, now: datetime, page: int | None = None
    ) -> Body:
        data, updated = self.syndication.dated_document(self.feed(feed_id), fmt, now, page)
        return Body(data, FEED_MEDIA_TYPES[fmt], updated)

    # -- sitemaps and robots -----------------------------------------------------------

    def sitemap_entries(self) -> list[SitemapEntry]:
        return [
            SitemapEntry(
                url=self.urls.article(row.slug),
                lastmod=row.public_at,
                published=row.published_at,
                title=row.headline,
                language=row.language,
            )
            for row in self.store.public_articles()
        ]

    def sitemap_pages(self) -> list[list[SitemapEntry]]:
        return paginate(self.sitemap_entries())

    def sitemap_index(self) -> Body:
        pages = self.sitemap_pages()
        listed = [(self.urls.sitemap_page(n), page_lastmod(p)) for n, p in enumerate(pages, 1)]
        data = sitemap_index(listed, news=(self.urls.news_sitemap(), None))
        validate.check_sitemap_index(data)
        return Body(data, "application/xml", self.last_change())

    def sitemap_page(self, number: int) -> Body:
        pages = self.sitemap_pages()
        if not 1 <= number <= len(pages):
            raise NotFoundError(f"no sitemap page {number}")
        data = sitemap_page(pages[number - 1])
        validate.check_sitemap(data)
        return Body(data, "application/xml", page_lastmod(pages[number - 1]))

    def news_sitemap(self, now: datetime) -> Body:
        data = news_sitemap(self.sitemap_entries(), publication=self.config.site.name, now=now)
        validate.check_news_sitemap(data)
        return Body(data, "application/xml", self.last_change())

    def robots(self) -> Body:
        lines = [
            "User-agent: *",
            "Allow: /",
            "Disallow: /api/",
            f"Sitemap: {self.urls.sitemap_index()}",
            f"Sitemap: {self.urls.news_sitemap()}",
        ]
        text = "\n".join(lines) + "\n"
        return Body(text.encode(), "text/plain; charset=utf-8", self.last_change())
