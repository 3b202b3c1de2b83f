"""README.md cannot drift: every command and setting is documented, and the
quick-start test command is what .ci/run runs."""

from __future__ import annotations

import re

import click

from syndicate.cli import cli
from syndicate.config import all_settings

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "syndicate") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        if command.hidden:
            continue
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_every_command_is_in_readme() -> None:
    missing = [p for p in command_paths(cli) if f"`{p}" not in README]
    assert not missing, f"README.md does not document: {missing}"


def test_every_setting_is_in_readme() -> None:
    missing = [f"{s}.{k}" for s, k, _, _ in all_settings() if f"`{s}.{k}`" not in README]
    assert not missing, f"README.md does not document: {missing}"


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_two_commands_in_a_virtualenv() -> None:
    commands = quick_start()
    assert len(commands) == 2
    assert all(c.startswith("python3 -m venv .venv && .venv/bin/pip install") for c in commands)
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line for line in ci.splitlines() if line and not line.startswith("#")]
    assert lines[-1] == quick_start()[1]
