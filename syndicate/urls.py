"""Every URL of the service, built in one place from `[site] base_url`.

The route table (PATTERNS) is what the web app mounts and what the static
build writes; `Urls` turns the same paths into absolute URLs.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from slugify import slugify

FeedFormat = Literal["rss", "atom", "jsonfeed"]
FEED_EXTENSIONS: dict[str, str] = {"rss": "rss", "atom": "atom", "jsonfeed": "json"}

PATTERNS: dict[str, str] = {
    "home": "/",
    "section": "/sections/{section}",
    "article": "/articles/{slug}",
    "article_newsml": "/articles/{slug}.xml",
    "article_ninjs": "/articles/{slug}.ninjs.json",
    "feed": "/feeds/{feed}.{ext}",
    "archive": "/feeds/{feed}/archive/{n}.{ext}",
    "sitemap_index": "/sitemap.xml",
    "sitemap_page": "/sitemaps/{n}.xml",
    "news_sitemap": "/news-sitemap.xml",
    "robots": "/robots.txt",
    "hub": "/hub",
    "indexnow_key": "/{key}.txt",
    "api": "/api",
    "openapi": "/openapi.json",
    "healthz": "/healthz",
    "metrics": "/metrics",
}


def section_slug(section: str) -> str:
    """The path segment of a section page: `World News` -> `world-news`."""
    return slugify(section) or "section"


class Urls:
    """URLs of the service: `Urls(base_url)` gives absolute URLs, `PATHS`
    (an empty base) the site-relative paths that routes and the build use."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def absolute(self, path: str) -> str:
        return self.base + path

    def home(self) -> str:
        return self.base + "/"

    def section(self, section: str) -> str:
        return f"{self.base}/sections/{section_slug(section)}"

    def article(self, slug: str) -> str:
        return f"{self.base}/articles/{quote(slug)}"

    def article_newsml(self, slug: str) -> str:
        return f"{self.base}/articles/{quote(slug)}.xml"

    def article_ninjs(self, slug: str) -> str:
        return f"{self.base}/articles/{quote(slug)}.ninjs.json"

    def feed(self, feed: str, fmt: FeedFormat) -> str:
        return f"{self.base}/feeds/{quote(feed)}.{FEED_EXTENSIONS[fmt]}"

    def archive(self, feed: str, n: int, fmt: FeedFormat) -> str:
        return f"{self.base}/feeds/{quote(feed)}/archive/{n}.{FEED_EXTENSIONS[fmt]}"

    def sitemap_index(self) -> str:
        return f"{self.base}/sitemap.xml"

    def sitemap_page(self, n: int) -> str:
        return f"{self.base}/sitemaps/{n}.xml"

    def news_sitemap(self) -> str:
        return f"{self.base}/news-sitemap.xml"

    def robots(self) -> str:
        return f"{self.base}/robots.txt"

    def hub(self) -> str:
        return f"{self.base}/hub"

    def indexnow_key(self, key: str) -> str:
        return f"{self.base}/{quote(key)}.txt"

    def api(self, rest: str = "") -> str:
        return f"{self.base}/api" + (("/" + rest.lstrip("/")) if rest else "")

    def openapi(self) -> str:
        return f"{self.base}/openapi.json"

    def healthz(self) -> str:
        return f"{self.base}/healthz"

    def metrics(self) -> str:
        return f"{self.base}/metrics"


PATHS = Urls("")
