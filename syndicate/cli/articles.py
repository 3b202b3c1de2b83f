"""ingest, validate, articles list|show, render."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .. import codec, intake
from ..errors import InputError
from ..ingest import FORMATS
from ..ingest.files import discover, load_request
from ..ingest.lints import Lint
from ..lifecycle import Actor
from ..model import Article
from ..render import FORMATS as OUTPUT_FORMATS
from ..render import render as render_output
from .context import Env, pass_env
from .output import console, progress, table

from_option = click.option(
    "--from",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Force the input format instead of guessing it from the name or content.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@dataclass(slots=True)
class Outcome:
    file: str
    status: str
    article: Article | None = None
    lints: tuple[Lint, ...] = ()
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        a = self.article
        return {
            "file": self.file,
            "status": self.status,
            "id": a.id if a else None,
            "version": a.version if a else None,
            "slug": a.slug if a else None,
            "headline": a.headline if a else None,
            "warnings": [
                {"line": w.line, "code": w.code, "message": w.message, "file": w.file or self.file}
                for w in self.lints
            ],
            "errors": [{"line": line, "message": message} for line, message in self.errors],
        }


def _check_all(env: Env, paths: tuple[str, ...], fmt: str | None) -> list[Outcome | intake.Checked]:
    files = discover([Path(p) for p in paths])
    if not files:
        raise click.UsageError("no article files found in the paths given")
    now = env.now()
    out: list[Outcome | intake.Checked] = []
    with progress(len(files), "checking") as advance:
        for path in files:
            try:
                out.append(intake.check(load_request(path, env.config), env.config, now, fmt))
            except InputError as exc:
                name = exc.file or str(path)
                errors = [(p.line, p.message) for p in intake.problems(exc)]
                out.append(Outcome(name, "refused", errors=errors))
            advance()
    return out


def _report(outcomes: list[Outcome], as_json: bool) -> None:
    for outcome in outcomes:
        for line, message in outcome.errors:
            click.echo(f"{outcome.file}:{line}: {message}", err=True)
        if not as_json:
            for lint in outcome.lints:
                click.echo(lint.located(outcome.file), err=True)
    if as_json:
        click.echo(json.dumps([o.as_dict() for o in outcomes], ensure_ascii=False, indent=2))
        return
    rows = [
        [
            o.file,
            o.status,
            o.article.id if o.article else "",
            str(o.article.version) if o.article else "",
            o.article.headline if o.article else "",
            str(len(o.lints)),
        ]
        for o in outcomes
    ]
    console().print(table(["file", "status", "id", "version", "headline", "warnings"], rows))


def _exit_for(ctx: click.Context, outcomes: list[Outcome]) -> None:
    if any(o.status == "refused" for o in outcomes):
        ctx.exit(1)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Check everything, store nothing.")
@from_option
@click.option("--all-or-nothing", is_flag=True, help="Store nothing unless every file is accepted.")
@click.option("--hold", is_flag=True, help="Store withheld versions (publish them later).")
@json_option
@pass_env
@click.pass_context
def ingest(
    ctx: click.Context,
    env: Env,
    paths: tuple[str, ...],
    dry_run: bool,
    fmt: str | None,
    all_or_nothing: bool,
    hold: bool,
    as_json: bool,
) -> None:
    """Read, check and store articles (folders are searched recursively).

    Good files are stored even when others are refused, unless --all-or-nothing."""
    checked = _check_all(env, paths, fmt)
    refused = any(isinstance(c, Outcome) for c in checked)
    outcomes: list[Outcome] = []
    if dry_run or (all_or_nothing and refused):
        status = "would store" if dry_run else "not stored"
        for item in checked:
            if isinstance(item, Outcome):
                outcomes.append(item)
            else:
                outcomes.append(
                    Outcome(item.request.name, status, item.result.article, item.result.lints)
                )
    else:
        newsroom = env.newsroom()
        now, actor = env.now(), Actor.here()
        with newsroom.store.transaction() if all_or_nothing else nullcontext():
            for item in checked:
                if isinstance(item, Outcome):
                    outcomes.append(item)
                    continue
                saved = intake.store(newsroom, item, now, actor, hold=hold).saved
                status = "held" if hold and saved.status != "unchanged" else saved.status
                outcomes.append(
                    Outcome(item.request.name, status, saved.article, item.result.lints)
                )
    _report(outcomes, as_json)
    _exit_for(ctx, outcomes)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@from_option
@json_option
@pass_env
@click.pass_context
def validate(
    ctx: click.Context, env: Env, paths: tuple[str, ...], fmt: str | None, as_json: bool
) -> None:
    """Run every check ingest runs; store nothing."""
    outcomes = [
        item
        if isinstance(item, Outcome)
        else Outcome(item.request.name, "valid", item.result.article, item.result.lints)
        for item in _check_all(env, paths, fmt)
    ]
    _report(outcomes, as_json)
    _exit_for(ctx, outcomes)


@click.group()
def articles() -> None:
    """Stored articles."""


@articles.command("list")
@json_option
@pass_env
def list_articles(env: Env, as_json: bool) -> None:
    """The latest version of every stored article, newest first."""
    summaries = env.store().list_articles()
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in summaries], ensure_ascii=False, indent=2))
        return
    rows = [
        [str(v) for v in (s.id, s.version, s.slug, s.headline, s.section)]
        + [s.published.isoformat(), str(s.pubstatus)]
        for s in summaries
    ]
    console().print(
        table(["id", "version", "slug", "headline", "section", "published", "pubstatus"], rows)
    )


@articles.command("show")
@click.argument("ref", metavar="ID")
@click.option("--version", "version", type=click.IntRange(min=1), default=None)
@json_option
@pass_env
def show_article(env: Env, ref: str, version: int | None, as_json: bool) -> None:
    """One article (by id or slug): its canonical JSON, or a summary and its versions."""
    article = env.store().find(ref, version)
    if as_json:
        click.echo(codec.dumps(article))
        return
    out = console()
    out.print(f"{article.headline}", markup=False, highlight=False)
    fields = [
        ["id", article.id],
        ["slug", article.slug],
        ["version", str(article.version)],
        ["pubstatus", article.pubstatus.value],
        ["section", article.section],
        ["language", article.language],
        ["published", codec.format_timestamp(article.published) or ""],
        ["updated", codec.format_timestamp(article.updated) or ""],
        ["bylines", ", ".join(b.name for b in article.bylines)],
        ["dateline", article.dateline or ""],
        ["blocks", str(len(article.body))],
    ]
    out.print(table(["field", "value"], fields))
    versions = env.store().versions(article.id)
    out.print(
        table(
            ["version", "pubstatus", "landed", "headline"],
            [
                [str(v.version), str(v.pubstatus), v.created_at.isoformat(), v.headline]
                for v in versions
            ],
        )
    )


@click.command()
@click.argument("ref", metavar="PATH|ID")
@from_option
@click.option(
    "--format",
    "out_format",
    type=click.Choice(OUTPUT_FORMATS),
    default="json",
    show_default=True,
    help="Output format.",
)
@pass_env
def render(env: Env, ref: str, fmt: str | None, out_format: str) -> None:
    """Render a file (nothing stored) or a stored article (by id or slug) to
    stdout; every output is checked against its schema first."""
    path = Path(ref)
    if path.is_file():
        checked = intake.check(load_request(path, env.config), env.config, env.now(), fmt)
        output = checked.outputs[out_format]
    else:
        output = render_output(env.store().find(ref), out_format, env.config)
    sys.stdout.buffer.write(output.data if output.data.endswith(b"\n") else output.data + b"\n")
    sys.stdout.flush()


COMMANDS = [ingest, validate, articles, render]
