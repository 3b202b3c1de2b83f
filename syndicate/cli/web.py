"""serve, partners add|list|revoke."""

from __future__ import annotations

import json

import click

from .. import partnerdesk
from ..lifecycle import Actor
from .context import Env, pass_env
from .output import console, table


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: server.host).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (default: server.port)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Web processes (default: server.workers).",
)
@pass_env
def serve(env: Env, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the public site and feeds over HTTP (and, later, the admin API)."""
    from ..web.server import serve as serve_app

    server = env.config.server
    serve_app(env.config, host or server.host, port or server.port, workers or server.workers)


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: server.host).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (default: server.port)."
)
@pass_env
def run(env: Env, host: str | None, port: int | None) -> None:
    """Everything on one machine: the database (made when missing), the sample
    articles (into an empty database), the web app and the worker."""
    from ..run import run as run_all

    server = env.config.server
    run_all(env.config, host or server.host, port or server.port)


@click.group()
def partners() -> None:
    """Partners who may read partner-only feeds."""


@partners.command("add")
@click.argument("name")
@pass_env
def add_partner(env: Env, name: str) -> None:
    """Make a partner and print its token: shown this once, stored only hashed."""
    _, token = partnerdesk.add_partner(env.store(), name, env.now(), Actor.here())
    click.echo(token)
    click.echo(
        f"partner {name!r} added; give them this token (it is not shown again): "
        "send it as `Authorization: Bearer TOKEN`, or as ?key=TOKEN",
        err=True,
    )


@partners.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_env
def list_partners(env: Env, as_json: bool) -> None:
    """Every partner, with when it was added and revoked."""
    rows = [p.as_dict() for p in env.store().partners()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console().print(
        table(
            ["name", "added", "revoked"],
            [[r["name"] or "", r["created_at"] or "", r["revoked_at"] or ""] for r in rows],
        )
    )


@partners.command("revoke")
@click.argument("name")
@pass_env
def revoke_partner(env: Env, name: str) -> None:
    """Revoke a partner's token (feeds answer 401 to it from then on)."""
    partnerdesk.revoke_partner(env.store(), name, env.now(), Actor.here())
    click.echo(f"partner {name!r} revoked")


COMMANDS = [run, serve, partners]
