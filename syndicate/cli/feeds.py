"""feeds list|show|check, build."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .. import publish, validate
from ..errors import InputError, SyndicateError
from ..public import Public
from ..urls import FEED_EXTENSIONS, Urls
from .context import Env, pass_env
from .output import console, progress, table


@click.group()
def feeds() -> None:
    """Feed definitions (feeds/*.toml) and their documents."""


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_env
def list_feeds(env: Env, as_json: bool) -> None:
    """Every feed: id, title, formats and URLs."""
    urls = Urls(env.config.site.base_url)
    rows: list[dict[str, Any]] = [
        {
            "id": feed.id,
            "title": feed.title,
            "formats": list(feed.formats),
            "urls": {fmt: urls.feed(feed.id, fmt) for fmt in feed.formats},
            "access": feed.access,
            "content": feed.content,
            "push": feed.push,
        }
        for feed in env.feeds()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console().print(
        table(
            ["id", "title", "formats", "access", "content", "push"],
            [
                [r["id"], r["title"], ", ".join(r["formats"]), r["access"], r["content"], r["push"]]
                for r in rows
            ],
        )
    )


@feeds.command("show")
@click.argument("feed_id", metavar="ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FEED_EXTENSIONS)),
    default="rss",
    show_default=True,
)
@click.option(
    "--page", type=click.IntRange(min=1), default=None, help="An archive page (1 = oldest)."
)
@pass_env
def show_feed(env: Env, feed_id: str, fmt: str, page: int | None) -> None:
    """A feed document (the subscription document, or an archive page) on stdout."""
    public = Public(env.store(), env.config)
    data = public.feed_document(feed_id, fmt, env.now(), page).data  # type: ignore[arg-type]
    sys.stdout.buffer.write(data + b"\n")


@feeds.command("check")
@pass_env
@click.pass_context
def check_feeds(ctx: click.Context, env: Env) -> None:
    """Validate every definition and every document; exit 1 on any problem."""
    try:
        definitions = env.feeds()
    except InputError as exc:
        click.echo(exc.located(), err=True)
        ctx.exit(1)
    public = Public(env.store(), env.config)
    now = env.now()
    publish.sync_all(env.store(), definitions, now)
    problems = 0
    for feed in definitions:
        for fmt in feed.formats:
            pages: list[int | None] = [None, *range(1, public.syndication.archived_pages(feed) + 1)]
            for page in pages:
                where = f"{feed.source}: {fmt}" + (f" archive page {page}" if page else "")
                try:
                    check_document(public.feed_document(feed.id, fmt, now, page).data, fmt)
                except SyndicateError as exc:
                    click.echo(f"{where}: {exc.message}", err=True)
                    problems += 1
    click.echo(f"{len(definitions)} feeds checked, {problems} problems")
    if problems:
        ctx.exit(1)


def check_document(data: bytes, fmt: str) -> None:
    """Our own checks, then the reading partners will do (feedparser, bozo == 0)."""
    if fmt == "jsonfeed":
        validate.check_jsonfeed(json.loads(data))
        return
    import feedparser

    validate.check_feed_xml(data, fmt)
    parsed = feedparser.parse(data)
    if parsed.bozo:
        raise InputError(f"feedparser: {parsed.bozo_exception}")


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the site into (replaced atomically).",
)
@pass_env
def build(env: Env, out: Path) -> None:
    """Write every public page, feed, archive and sitemap as static files."""
    from ..build import build as build_site

    done = build_site(
        env.store(), env.config, out, env.now(), progress=lambda total: progress(total, "building")
    )
    click.echo(f"{done.files} files, {done.bytes:,} bytes in {done.out}")


COMMANDS = [feeds, build]
