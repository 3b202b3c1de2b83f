"""publish, correct, embargo, retract, audit."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import intake
from ..errors import InputError
from ..ingest.dates import DateError, parse_date
from ..ingest.files import load_request
from ..lifecycle import Actor, Committed
from .context import Env, pass_env
from .output import console, table


def _done(committed: Committed, what: str) -> None:
    article = committed.saved.article
    click.echo(
        f"{what} {article.id}: version {article.version} ({article.pubstatus.value}); "
        f"{len(committed.deliveries)} deliveries queued"
    )


@click.command()
@click.argument("article_id", metavar="ID")
@pass_env
def publish(env: Env, article_id: str) -> None:
    """Make the held (or embargoed) version public now, as a new version."""
    _done(env.newsroom().publish(article_id, env.now(), Actor.here()), "published")


@click.command()
@click.argument("article_id", metavar="ID")
@click.argument(
    "path", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option("--note", required=True, help="The correction note shown with the article.")
@click.option("--from", "fmt", default=None, help="Force the input format of PATH.")
@pass_env
def correct(env: Env, article_id: str, path: Path | None, note: str, fmt: str | None) -> None:
    """A corrected version carrying NOTE: new content from PATH, or the same content."""
    content = None
    if path is not None:
        content = intake.check(
            load_request(path, env.config), env.config, env.now(), fmt
        ).result.article
    _done(env.newsroom().correct(article_id, note, env.now(), Actor.here(), content), "corrected")


@click.command()
@click.argument("article_id", metavar="ID")
@click.option(
    "--until", "until_text", required=True, help="When it may be published, with its zone."
)
@pass_env
def embargo(env: Env, article_id: str, until_text: str) -> None:
    """Hold the article until a time: it appears everywhere then, by itself."""
    try:
        until = parse_date(
            until_text, env.config.ingest.zone_abbreviations, env.config.site.timezone
        )
    except DateError as exc:
        raise InputError(f"--until: {exc}") from None
    from datetime import datetime

    if not isinstance(until, datetime):
        raise InputError("--until needs a time of day, not only a date")
    _done(env.newsroom().embargo(article_id, until, env.now(), Actor.here()), "embargoed")


@click.command()
@click.argument("article_id", metavar="ID")
@click.option("--reason", required=True, help="Why it is retracted (kept in the audit list).")
@pass_env
def retract(env: Env, article_id: str, reason: str) -> None:
    """Cancel the article: gone from feeds, pages and sitemaps; partners told."""
    _done(env.newsroom().retract(article_id, reason, env.now(), Actor.here()), "retracted")


@click.command()
@click.option("--article", "article_id", default=None, help="Only this article's rows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_env
def audit(env: Env, article_id: str | None, as_json: bool) -> None:
    """Who did what, when, from which host: newest first."""
    rows = env.store().audit_rows(article_id)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    console().print(
        table(
            ["when", "who", "host", "action", "article", "version", "detail"],
            [
                [
                    r.at.isoformat(),
                    r.actor,
                    r.host,
                    r.action,
                    r.article_id or "",
                    str(r.version or ""),
                    json.dumps(r.detail, ensure_ascii=False) if r.detail else "",
                ]
                for r in rows
            ],
        )
    )


COMMANDS = [publish, correct, embargo, retract, audit]
