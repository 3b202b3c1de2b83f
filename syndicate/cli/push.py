"""subscribers, deliveries, push, worker."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from ..delivery.payload import WEBHOOK_FORMATS
from ..lifecycle import Actor
from ..pushdesk import filters_of, secret_or_new
from .context import Env, pass_env
from .output import console, progress, table

STATES = ("pending", "failed", "dead", "delivered")


def _when(value: Any) -> str:
    return value.isoformat() if value else ""


@click.group()
def subscribers() -> None:
    """Webhook subscriptions (and the WebSub subscribers of our feeds)."""


@subscribers.command("add")
@click.option("--feed", "feed_id", required=True, help="The feed whose changes are pushed.")
@click.option("--url", required=True, help="The partner's endpoint (http or https).")
@click.option("--format", "fmt", type=click.Choice(list(WEBHOOK_FORMATS)), required=True)
@click.option("--name", default=None, help="A name for people.")
@click.option("--secret", default=None, help="A whsec_ secret (24-64 bytes); made when omitted.")
@click.option("--embargoed", is_flag=True, help="Receive embargoed items early (with their time).")
@click.option(
    "--section", "sections", multiple=True, help="Only these sections (narrower than the feed)."
)
@click.option(
    "--keyword", "keywords", multiple=True, help="Only articles with one of these keywords."
)
@click.option(
    "--subject", "subjects", multiple=True, help="Only these IPTC Media Topics (medtop:...)."
)
@click.option("--language", "languages", multiple=True, help="Only these languages.")
@pass_env
def add_subscriber(
    env: Env,
    feed_id: str,
    url: str,
    fmt: str,
    name: str | None,
    secret: str | None,
    embargoed: bool,
    sections: tuple[str, ...],
    keywords: tuple[str, ...],
    subjects: tuple[str, ...],
    languages: tuple[str, ...],
) -> None:
    """Register a webhook endpoint for a feed; its secret is shown once."""
    from ..delivery.http import Transport
    from ..worker import transport_settings

    made = secret is None
    secret = secret_or_new(secret, "--secret")
    with Transport(transport_settings(env.config)) as transport:
        sub = env.desk().subscribe(
            transport,
            feed_id=feed_id,
            url=url,
            fmt=fmt,
            secret=secret,
            now=env.now(),
            actor=Actor.here(),
            name=name,
            embargoed=embargoed,
            filters=filters_of(sections, keywords, subjects, languages),
        )
    click.echo(sub.id)
    if made:
        click.echo(f"secret (shown once, keep it): {secret}", err=True)


@subscribers.command("list")
@click.option("--all", "show_all", is_flag=True, help="Ended subscriptions too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_env
def list_subscribers(env: Env, show_all: bool, as_json: bool) -> None:
    """Every subscription with its state and delivery statistics."""
    subs = [s for s in env.store().subscriptions() if show_all or s.state != "ended"]
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in subs], ensure_ascii=False, indent=2))
        return
    console().print(
        table(
            ["id", "kind", "feed", "format", "url", "state", "last success", "failures"],
            [
                [
                    s.id,
                    s.kind,
                    s.feed_id,
                    s.format,
                    s.url,
                    s.state,
                    _when(s.last_success_at),
                    str(s.consecutive_failures),
                ]
                for s in subs
            ],
        )
    )


@subscribers.command("show")
@click.argument("sub_id", metavar="ID")
@pass_env
def show_subscriber(env: Env, sub_id: str) -> None:
    """One subscription and its latest deliveries."""
    sub = env.store().subscription(sub_id)
    rows = [[k, "" if v is None else str(v)] for k, v in sub.as_dict().items()]
    out = console()
    out.print(table(["field", "value"], rows))
    recent = env.store().deliveries(subscription_id=sub.id, limit=20)
    out.print(_deliveries_table(recent))


@subscribers.command("remove")
@click.argument("sub_id", metavar="ID")
@pass_env
def remove_subscriber(env: Env, sub_id: str) -> None:
    """End a subscription (its history stays; nothing more is sent)."""
    env.desk().end(sub_id, env.now(), Actor.here())
    click.echo(f"{sub_id} ended")


@subscribers.command("pause")
@click.argument("sub_id", metavar="ID")
@pass_env
def pause_subscriber(env: Env, sub_id: str) -> None:
    """Hold deliveries (they wait, and go out after resume)."""
    env.desk().change(sub_id, env.now(), Actor.here(), state="paused")
    click.echo(f"{sub_id} paused")


@subscribers.command("resume")
@click.argument("sub_id", metavar="ID")
@pass_env
def resume_subscriber(env: Env, sub_id: str) -> None:
    """Deliver again (a disabled subscription too), starting with what waited."""
    env.desk().change(sub_id, env.now(), Actor.here(), state="active")
    click.echo(f"{sub_id} active")


@subscribers.command("rotate-secret")
@click.argument("sub_id", metavar="ID")
@click.option("--secret", default=None, help="The new whsec_ secret; made when omitted.")
@pass_env
def rotate_secret(env: Env, sub_id: str, secret: str | None) -> None:
    """A new secret; the old one still signs for `delivery.rotation_grace_hours`."""
    fresh = secret_or_new(secret, "--secret")
    rotated = env.desk().rotate_secret(sub_id, fresh, env.now(), Actor.here())
    click.echo(rotated.secret)
    click.echo(
        f"the previous secret keeps signing until {rotated.previous_until.isoformat()}", err=True
    )


@click.group()
def deliveries() -> None:
    """The outbox: what was sent, is due, failed or died."""


def _deliveries_table(rows: list[Any]) -> Any:
    return table(
        [
            "id",
            "subscription",
            "article",
            "version",
            "event",
            "state",
            "attempts",
            "last status",
            "next attempt",
        ],
        [
            [
                d.id,
                d.subscription_id,
                d.article_id,
                str(d.version),
                d.event,
                d.shown_state,
                str(d.attempts),
                str(d.last_status or d.last_error or ""),
                _when(d.next_attempt_at) if d.state == "pending" else "",
            ]
            for d in rows
        ],
    )


@deliveries.command("list")
@click.option("--state", type=click.Choice(STATES), default=None)
@click.option("--subscriber", "sub_id", default=None, help="Only this subscription's.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_env
def list_deliveries(env: Env, state: str | None, sub_id: str | None, as_json: bool) -> None:
    """The latest deliveries, newest first."""
    rows = env.store().deliveries(state=state, subscription_id=sub_id)
    if as_json:
        click.echo(json.dumps([d.as_dict() for d in rows], ensure_ascii=False, indent=2))
        return
    console().print(_deliveries_table(rows))


@deliveries.command("show")
@click.argument("delivery_id", metavar="ID")
@pass_env
def show_delivery(env: Env, delivery_id: str) -> None:
    """One delivery and every attempt, with status and timing."""
    delivery, tries = env.store().delivery(delivery_id)
    out = console()
    out.print(
        table(
            ["field", "value"],
            [[k, "" if v is None else str(v)] for k, v in delivery.as_dict().items()],
        )
    )
    out.print(
        table(
            ["attempted", "status", "ms", "error", "worker", "response"],
            [
                [
                    a.attempted_at.isoformat(),
                    str(a.status or ""),
                    str(a.ms),
                    a.error or "",
                    a.worker or "",
                    (a.response or "")[:200],
                ]
                for a in tries
            ],
        )
    )


@deliveries.command("retry")
@click.argument("delivery_id", metavar="ID", required=False)
@click.option("--dead", is_flag=True, help="Replay every dead delivery.")
@pass_env
def retry_deliveries(env: Env, delivery_id: str | None, dead: bool) -> None:
    """Replay a delivery (or every dead one) from its first attempt."""
    if bool(delivery_id) == dead:
        raise click.UsageError("give a delivery ID or --dead, not both")
    desk, now, actor = env.desk(), env.now(), Actor.here()
    count = desk.replay(delivery_id, now, actor) if delivery_id else desk.replay_dead(now, actor)
    click.echo(f"{count} deliveries queued again")


@click.command()
@click.argument("feed_id", metavar="FEED")
@click.option("--article", "article_id", default=None, help="Only this article.")
@click.option("--subscriber", "sub_id", default=None, help="Only this subscription.")
@click.option("--dry-run", is_flag=True, help="List what would be sent, and its size.")
@click.option("--force", is_flag=True, help="Send again what was sent (new rows, new webhook-ids).")
@click.option("--wait", "wait_", is_flag=True, help="Show progress until the deliveries settle.")
@click.option(
    "--timeout", type=float, default=120.0, show_default=True, help="Seconds --wait waits."
)
@pass_env
@click.pass_context
def push(
    ctx: click.Context,
    env: Env,
    feed_id: str,
    article_id: str | None,
    sub_id: str | None,
    dry_run: bool,
    force: bool,
    wait_: bool,
    timeout: float,
) -> None:
    """Push a feed's current items (or one) to its webhook subscribers now."""
    desk, now = env.desk(), env.now()
    planned = desk.plan(feed_id, article_id=article_id, subscriber_id=sub_id)
    if dry_run:
        rows = [
            [
                p.subscription.id,
                p.subscription.url,
                p.article.id,
                str(p.article.version),
                p.event,
                str(size),
            ]
            for p, size in zip(planned, desk.sizes(planned, now), strict=True)
        ]
        console().print(
            table(["subscription", "url", "article", "version", "event", "bytes"], rows)
        )
        click.echo(f"{len(planned)} deliveries would be queued")
        return
    ids = desk.push(feed_id, planned, now, Actor.here(), article_id=article_id, force=force)
    click.echo(f"{len(ids)} deliveries queued ({len(planned) - len(ids)} already there)")
    if wait_ and ids:
        if not env.store().live_workers(datetime.now(UTC) - timedelta(minutes=1)):
            click.echo(
                "no worker has been heard from in the last minute: the deliveries wait "
                f"in the outbox until `syndicate worker` runs (giving up after {timeout:g} s)",
                err=True,
            )
        counts = _wait(env, ids, timeout)
        click.echo(", ".join(f"{v} {k}" for k, v in counts.items()))
        if counts["pending"] or counts["dead"]:
            ctx.exit(1)


def _wait(env: Env, ids: list[str], timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    with progress(len(ids), "delivering") as advance:
        settled = 0
        while True:
            counts = env.store().counts(ids)
            now_settled = len(ids) - counts["pending"]
            for _ in range(now_settled - settled):
                advance()
            settled = now_settled
            if counts["pending"] == 0 or time.monotonic() > deadline:
                return counts
            time.sleep(0.1)


@click.command()
@click.option("--burst", is_flag=True, help="Deliver what is due now, then exit.")
@pass_env
def worker(env: Env, burst: bool) -> None:
    """Drain the outbox and run the scheduled jobs until stopped (SIGTERM/SIGINT)."""
    from ..worker import Worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job run
    runner = Worker(env.store(auto_upgrade=False), env.config)
    runner.install_signal_handlers()
    stats = runner.run(burst=burst)
    click.echo(
        f"{stats.attempted} attempts: " + ", ".join(f"{v} {k}" for k, v in stats.verdicts.items())
    )


COMMANDS = [subscribers, deliveries, push, worker]
