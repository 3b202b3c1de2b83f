"""The command line: exit codes, messages on stderr, what gets stored."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from syndicate.cli import cli
from syndicate.resources import json_schema

from .conftest import EXAMPLES

GOOD = "Good Story\nBy Ann Lee\nPublished: 2026-03-01\nThe first paragraph of a good story.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(
        '[site]\ntimezone = "Europe/Berlin"\n[limits]\nmax_article_bytes = 20000\n',
        encoding="utf-8",
    )
    return tmp_path


def run(project: Path, *args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(
        cli, ["--config", str(project / "config.toml"), *args], catch_exceptions=False
    )


def listed(project: Path) -> list[dict[str, object]]:
    result = run(project, "articles", "list", "--json")
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def test_ingest_examples_then_again_is_unchanged(project: Path) -> None:
    first = run(project, "ingest", str(EXAMPLES), "--json")
    assert first.exit_code == 0, first.stderr
    outcomes = json.loads(first.stdout)
    assert {o["status"] for o in outcomes} == {"created"}
    assert len(outcomes) == len(listed(project)) >= 6
    again = run(project, "ingest", str(EXAMPLES), "--json")
    assert {o["status"] for o in json.loads(again.stdout)} == {"unchanged"}
    assert (project / "var" / "syndicate.db").is_file()


def test_changed_content_makes_a_new_version(project: Path) -> None:
    story = project / "story.txt"
    story.write_text(GOOD, encoding="utf-8")
    assert run(project, "ingest", str(story)).exit_code == 0
    story.write_text(GOOD + "A second paragraph arrives later.\n", encoding="utf-8")
    result = run(project, "ingest", str(story), "--json")
    assert json.loads(result.stdout)[0]["status"] == "updated"
    [row] = listed(project)
    assert row["version"] == 2
    old = run(project, "articles", "show", str(row["id"]), "--version", "1", "--json")
    assert "second paragraph" not in old.stdout
    assert "second paragraph" in run(project, "articles", "show", str(row["slug"]), "--json").stdout


def test_refused_file_does_not_stop_good_ones(project: Path) -> None:
    (project / "good.txt").write_text(GOOD, encoding="utf-8")
    (project / "empty.txt").write_text("  \n\u3000\n", encoding="utf-8")
    result = run(project, "ingest", str(project))
    assert result.exit_code == 1
    assert f"{project / 'empty.txt'}:0: empty document" in result.stderr
    assert [row["headline"] for row in listed(project)] == ["Good Story"]


def test_all_or_nothing_stores_nothing_when_one_is_refused(project: Path) -> None:
    (project / "good.txt").write_text(GOOD, encoding="utf-8")
    (project / "bad.txt").write_bytes(b"Headline\n\xc3\x28 broken\n")
    result = run(project, "ingest", "--all-or-nothing", str(project), "--json")
    assert result.exit_code == 1
    assert "byte offset 9" in result.stderr
    statuses = {o["file"]: o["status"] for o in json.loads(result.stdout)}
    assert statuses[str(project / "good.txt")] == "not stored"
    assert listed(project) == []


def test_dry_run_stores_nothing(project: Path) -> None:
    (project / "good.txt").write_text(GOOD, encoding="utf-8")
    result = run(project, "ingest", "--dry-run", str(project / "good.txt"))
    assert result.exit_code == 0
    assert "would store" in result.stdout
    assert listed(project) == []


def test_validate_reports_line_and_stores_nothing(project: Path) -> None:
    bad = project / "bad.md"
    bad.write_text("---\nheadline: X\nfavourite: yes\n---\nBody.\n", encoding="utf-8")
    result = run(project, "validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3: unknown key 'favourite'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "var").exists()


def test_oversized_file_is_refused(project: Path) -> None:
    big = project / "big.txt"
    big.write_text("Headline\n" + "word " * 5000, encoding="utf-8")
    result = run(project, "validate", str(big))
    assert result.exit_code == 1
    assert "over the 20000-byte limit" in result.stderr


def test_render_path_gives_schema_valid_canonical_json(project: Path) -> None:
    result = run(
        project, "render", str(EXAMPLES / "harbour-bridge-reopens.txt"), "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, json_schema("article.schema.json"))
    assert document["dateline"] == "Hafenstadt"
    assert not (project / "var").exists()


def test_render_stored_article_by_id(project: Path) -> None:
    run(project, "ingest", str(EXAMPLES / "city-council-budget.md"))
    [row] = listed(project)
    result = run(project, "render", str(row["id"]))
    assert json.loads(result.stdout)["headline"] == row["headline"]


def test_unknown_article_is_exit_1(project: Path) -> None:
    run(project, "db", "upgrade")
    result = run(project, "articles", "show", "urn:uuid:nothing")
    assert result.exit_code == 1
    assert "no article" in result.stderr


def test_usage_error_is_exit_2(project: Path) -> None:
    assert run(project, "ingest", "--no-such-flag", "x").exit_code == 2
    assert run(project, "render", "x", "--format", "pdf").exit_code == 2


def test_configuration_error_is_exit_2_naming_file_and_key(project: Path) -> None:
    (project / "config.toml").write_text("[site]\nbase_ulr = 'x'\n", encoding="utf-8")
    result = run(project, "validate", str(EXAMPLES))
    assert result.exit_code == 2
    assert f"{project / 'config.toml'}:0: unknown key site.base_ulr" in result.stderr


def test_unreachable_database_is_exit_3(project: Path) -> None:
    (project / "config.toml").write_text(
        '[database]\nurl = "postgresql+psycopg://nobody@127.0.0.1:1/none"\n', encoding="utf-8"
    )
    result = run(project, "articles", "list")
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_db_upgrade_and_current(project: Path) -> None:
    result = run(project, "db", "upgrade")
    assert result.exit_code == 0
    head = run(project, "db", "current").stdout.split()
    assert head[1] == head[3] != "empty"


def test_the_installed_command_runs(project: Path) -> None:
    exe = shutil.which("syndicate", path=str(Path(sys.executable).parent))
    assert exe, "the syndicate console script is not installed beside this Python"
    done = subprocess.run(
        [exe, "--config", str(project / "config.toml"), "validate", str(project / "missing.txt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"{project / 'missing.txt'}:0: no such file"


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        ("newsml", b"<?xml"),
        ("ninjs", b"{"),
        ("jsonld", b"{"),
        ("html", b"<!DOCTYPE html>"),
        ("json", b"{"),
    ],
)
def test_render_every_format_from_file_and_store(project: Path, fmt: str, start: bytes) -> None:
    sample = str(EXAMPLES / "jazz-festival-lineup.md")
    from_file = run(project, "render", sample, "--format", fmt)
    assert from_file.exit_code == 0, from_file.stderr
    assert from_file.stdout_bytes.startswith(start)
    run(project, "ingest", sample)
    slug = str(listed(project)[0]["slug"])
    from_store = run(project, "render", slug, "--format", fmt)
    assert from_store.exit_code == 0, from_store.stderr
    if fmt != "json":  # the stored copy knows its version and slug; the rest is equal
        assert from_store.stdout_bytes == from_file.stdout_bytes


def test_an_invalid_output_refuses_the_article(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import syndicate.render.newsml as newsml

    monkeypatch.setattr(newsml, "render_newsml", lambda article, config: b"<newsItem/>")
    (project / "good.txt").write_text(GOOD, encoding="utf-8")
    result = run(project, "ingest", str(project / "good.txt"))
    assert result.exit_code == 1
    assert f"{project / 'good.txt'}:0: newsml output invalid:" in result.stderr
    assert listed(project) == []


def test_from_forces_the_reader(project: Path) -> None:
    # Markdown under a name that says plain text: sniffed, it would read as the export
    story = project / "budget.txt"
    shutil.copy(EXAMPLES / "city-council-budget.md", story)
    forced = run(project, "render", str(story), "--from", "markdown", "--format", "json")
    assert forced.exit_code == 0, forced.stderr
    rendered = json.loads(forced.stdout)
    assert rendered["headline"] == "City Council Passes a Leaner Budget After a Late-Night Session"
    assert rendered["id"] == "urn:uuid:0c7e2a54-91d3-4b8e-a6f2-3d5b8c1e7f10"
    as_json = run(project, "validate", str(story), "--from", "json")
    assert as_json.exit_code == 1 and as_json.stderr.startswith(f"{story}:")
    unknown = run(project, "validate", str(story), "--from", "docx")
    assert unknown.exit_code == 2 and "docx" in unknown.stderr
