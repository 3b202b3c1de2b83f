"""`syndicate build`: the public site as static files, for any static host or CDN.

Every feed and archive page, every article page with its NewsML-G2 and ninjs,
home and section pages, sitemaps and robots.txt, at the paths of the URL
table (HTML pages as PATH/index.html, which static hosts serve at PATH).
Partner-only feeds are left out: a static host cannot check a token.

Build, then swap: everything is written into a new folder beside the output
and swapped in at the end, so a build that fails halfway leaves the previous
output untouched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from . import publish
from .config import Config
from .public import Body, Public
from .store import Store
from .urls import PATHS, section_slug


@dataclass(frozen=True, slots=True)
class Built:
    files: int
    bytes: int
    out: Path


def plan(public: Public, now: datetime) -> Iterator[tuple[str, Callable[[], Body]]]:
    """(site path, render) for every file of the build."""
    yield "/", public.home
    for section in public.sections:
        yield PATHS.section(section), partial(public.section, section_slug(section))
    for row in public.store.public_articles():
        yield PATHS.article(row.slug), partial(public.article, row.slug, "html")
        yield PATHS.article_newsml(row.slug), partial(public.article, row.slug, "newsml")
        yield PATHS.article_ninjs(row.slug), partial(public.article, row.slug, "ninjs")
    for slug in public.store.retracted_slugs():
        yield PATHS.article_newsml(slug), partial(public.article, slug, "newsml")
        yield PATHS.article_ninjs(slug), partial(public.article, slug, "ninjs")
    for feed in public.feeds:
        if feed.partners_only:
            continue
        archived = public.syndication.archived_pages(feed)
        for fmt in feed.formats:
            yield PATHS.feed(feed.id, fmt), partial(public.feed_document, feed.id, fmt, now)
            for n in range(1, archived + 1):
                yield (
                    PATHS.archive(feed.id, n, fmt),
                    partial(public.feed_document, feed.id, fmt, now, n),
                )
    yield PATHS.sitemap_index(), public.sitemap_index
    for n in range(1, len(public.sitemap_pages()) + 1):
        yield PATHS.sitemap_page(n), partial(public.sitemap_page, n)
    yield PATHS.news_sitemap(), partial(public.news_sitemap, now)
    yield PATHS.robots(), public.robots


def file_for(root: Path, path: str, media_type: str) -> Path:
    relative = path.lstrip("/")
    if media_type.startswith("text/html"):
        relative = f"{relative}/index.html" if relative else "index.html"
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise ValueError(f"path {path!r} leaves the output folder")
    return target


def build(
    store: Store,
    config: Config,
    out: Path,
    now: datetime,
    *,
    progress: Callable[[int], AbstractContextManager[Callable[[], None]]] | None = None,
) -> Built:
    """Build into a staging folder, then swap it in. `progress(total)` gives a
    context whose value is called once per file written."""
    public = Public(store, config)
    publish.release_embargoes(store, public.feeds, now)
    publish.sync_all(store, public.feeds, now)
    jobs = list(plan(public, now))
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    written = size = 0
    try:
        with progress(len(jobs)) if progress else nullcontext(_nothing) as advance:
            for path, make in jobs:
                body = make()
                target = file_for(staging, path, body.media_type)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body.data)
                written, size = written + 1, size + len(body.data)
                advance()
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Built(written, size, out)


def _nothing() -> None:
    return None


def _swap(staging: Path, out: Path) -> None:
    """Put the new build in place; the previous one is removed only after."""
    previous = out.parent / f".{out.name}.previous-{os.getpid()}"
    if out.exists():
        out.rename(previous)
    try:
        staging.rename(out)
    except BaseException:
        if previous.exists():
            previous.rename(out)
        raise
    shutil.rmtree(previous, ignore_errors=True)
