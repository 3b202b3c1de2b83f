"""The `syndicate` command: the one place that turns errors into exit codes.

Exit codes: 0 success, 1 refused or invalid input, 2 usage or configuration
error, 3 runtime failure (database unreachable and the like). Errors go to
stderr as `file:line: reason`.
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import SyndicateError
from .context import Env

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_RUNTIME = 0, 1, 2, 3


class Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SyndicateError as exc:
            click.echo(exc.located(), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            env = ctx.find_object(Env)
            if env is not None and env.traceback:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --traceback for details)",
                err=True,
            )
            ctx.exit(EXIT_RUNTIME)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="config.toml to use (else $SYNDICATE_CONFIG, else ./config.toml, else defaults).",
)
@click.option("--traceback", is_flag=True, hidden=True, help="Show tracebacks of internal errors.")
@click.version_option(package_name="syndicate")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, traceback: bool) -> None:
    """News syndication: ingest articles, render them, publish feeds, push to partners."""
    ctx.obj = Env(config_path, traceback=traceback)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from . import articles, database, feeds, lifecycle, push, web

    for module in (articles, database, feeds, lifecycle, push, web):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli.main(prog_name="syndicate")


if __name__ == "__main__":  # pragma: no cover
    main()
