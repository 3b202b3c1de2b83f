"""The public routes of the URL table: pages, article formats, feeds and
archives, sitemaps and robots.txt. Thin handlers over syndicate.public."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import NotFoundError
from ..urls import FEED_EXTENSIONS, FeedFormat
from .representation import Representation, respond
from .site import Site

FORMATS_BY_EXTENSION: dict[str, FeedFormat] = {
    ext: fmt  # type: ignore[misc]
    for fmt, ext in FEED_EXTENSIONS.items()
}
PAGE_CACHE = "public, max-age=60"
FEED_CACHE = "public, max-age=60"
PARTNER_CACHE = "private, max-age=60"


class Unauthorized(Exception):
    """A partner-only feed was asked for without a valid partner token."""


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


async def home(request: Request) -> Response:
    site = site_of(request)
    rep = await site.representation("home", site.public.home, cache_control=PAGE_CACHE)
    return respond(request, rep, site.compressed)


async def section(request: Request) -> Response:
    site = site_of(request)
    slug = request.path_params["section"]
    rep = await site.representation(
        f"section:{slug}", partial(site.public.section, slug), cache_control=PAGE_CACHE
    )
    return respond(request, rep, site.compressed)


async def article(request: Request, fmt: str) -> Response:
    site = site_of(request)
    slug = request.path_params["slug"]
    rep = await site.representation(
        f"article:{fmt}:{slug}", partial(site.public.article, slug, fmt), cache_control=PAGE_CACHE
    )
    return respond(request, rep, site.compressed)


def presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("key")


async def feed(request: Request) -> Response:
    site = site_of(request)
    feed_id = request.path_params["feed"]
    fmt = FORMATS_BY_EXTENSION.get(request.path_params["ext"])
    number = request.path_params.get("n")
    definition = site.public.feed(feed_id)
    if fmt is None or fmt not in definition.formats:
        raise NotFoundError(f"no such feed document: {request.url.path}")
    cache = FEED_CACHE
    if definition.partners_only:
        if await site.partner(presented_token(request)) is None:
            raise Unauthorized(feed_id)
        cache = PARTNER_CACHE
    urls = site.public.urls
    links: tuple[tuple[str, str], ...] = ()
    if number is None:
        links = ((urls.feed(feed_id, fmt), "self"),)
        if site.config.websub.enabled:
            links = ((urls.hub(), "hub"), *links)
    else:
        links = ((urls.archive(feed_id, number, fmt), "self"),)
    rep = await site.representation(
        f"feed:{feed_id}:{fmt}:{number}",
        partial(site.public.feed_document, feed_id, fmt, site.now(), number),
        cache_control=cache,
        links=links,
    )
    return respond(request, rep, site.compressed)


async def sitemap_index(request: Request) -> Response:
    site = site_of(request)
    rep = await site.representation("sitemap", site.public.sitemap_index)
    return respond(request, rep, site.compressed)


async def sitemap_page(request: Request) -> Response:
    site = site_of(request)
    number = request.path_params["n"]
    rep = await site.representation(f"sitemap:{number}", partial(site.public.sitemap_page, number))
    return respond(request, rep, site.compressed)


async def news_sitemap(request: Request) -> Response:
    site = site_of(request)
    rep = await site.representation("news-sitemap", lambda: site.public.news_sitemap(site.now()))
    return respond(request, rep, site.compressed)


async def robots(request: Request) -> Response:
    site = site_of(request)
    rep = await site.representation("robots", site.public.robots)
    return respond(request, rep, site.compressed)


async def indexnow_key(request: Request) -> Response:
    """The IndexNow key file: /KEY.txt holds KEY."""
    site = site_of(request)
    settings = site.config.indexnow
    if not settings.enabled or request.path_params["key"] != settings.key:
        raise NotFoundError(f"no such file: {request.url.path}")
    rep = Representation.of(settings.key.encode(), "text/plain; charset=utf-8")
    return respond(request, rep, site.compressed)


GET = ["GET", "HEAD"]
ROUTES = [
    Route("/", home, methods=GET),
    Route("/robots.txt", robots, methods=GET),
    Route("/sitemap.xml", sitemap_index, methods=GET),
    Route("/news-sitemap.xml", news_sitemap, methods=GET),
    Route("/sitemaps/{n:int}.xml", sitemap_page, methods=GET),
    Route("/sections/{section}", section, methods=GET),
    Route("/articles/{slug}.ninjs.json", partial(article, fmt="ninjs"), methods=GET),
    Route("/articles/{slug}.xml", partial(article, fmt="newsml"), methods=GET),
    Route("/articles/{slug}", partial(article, fmt="html"), methods=GET),
    Route("/feeds/{feed}/archive/{n:int}.{ext}", feed, methods=GET),
    Route("/feeds/{feed}.{ext}", feed, methods=GET),
    Route("/{key}.txt", indexnow_key, methods=GET),
]
