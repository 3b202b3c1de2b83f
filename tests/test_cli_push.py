"""The push and lifecycle commands: subscribers, deliveries, push, worker,
publish, correct, embargo, retract, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from standardwebhooks import Webhook

from syndicate.cli import cli

from .conftest import EXAMPLES
from .pushkit import push_settings
from .receiver import Receiver, Script, receiver


@pytest.fixture
def partner() -> Iterator[Receiver]:
    with receiver() as made:
        yield made


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    push_settings(tmp_path, "sqlite:///var/syndicate.db")
    return tmp_path / "config.toml"


def run(config_file: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_file), *args], catch_exceptions=False)


def ingest_sample(config_file: Path, *extra: str) -> str:
    result = run(config_file, "ingest", str(EXAMPLES / "city-council-budget.md"), "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)[0]["id"])


def add(config_file: Path, url: str, *extra: str) -> tuple[str, str]:
    result = run(
        config_file,
        "subscribers",
        "add",
        "--feed",
        "all",
        "--url",
        url,
        "--format",
        "ninjs",
        *extra,
    )
    assert result.exit_code == 0, result.stderr
    secret = result.stderr.split("keep it): ")[1].strip() if "keep it" in result.stderr else ""
    return result.stdout.strip(), secret


def test_subscribers_lifecycle(config_file: Path, partner: Receiver) -> None:
    sub_id, secret = add(config_file, partner.url("/hook"), "--name", "Wire")
    assert sub_id.startswith("sub_") and secret.startswith("whsec_")
    listed = json.loads(run(config_file, "subscribers", "list", "--json").stdout)
    assert [(s["id"], s["name"], s["state"]) for s in listed] == [(sub_id, "Wire", "active")]
    assert "secret" not in json.dumps(listed)
    assert run(config_file, "subscribers", "pause", sub_id).exit_code == 0
    assert (
        json.loads(run(config_file, "subscribers", "list", "--json").stdout)[0]["state"] == "paused"
    )
    assert run(config_file, "subscribers", "resume", sub_id).exit_code == 0
    rotated = run(config_file, "subscribers", "rotate-secret", sub_id)
    assert rotated.exit_code == 0 and rotated.stdout.strip().startswith("whsec_")
    shown = run(config_file, "subscribers", "show", sub_id)
    assert shown.exit_code == 0 and sub_id in shown.stdout
    assert run(config_file, "subscribers", "remove", sub_id).exit_code == 0
    assert json.loads(run(config_file, "subscribers", "list", "--json").stdout) == []
    assert (
        json.loads(run(config_file, "subscribers", "list", "--all", "--json").stdout)[0]["state"]
        == "ended"
    )
    assert run(config_file, "subscribers", "resume", sub_id).exit_code == 1  # ended stays ended
    audit = json.loads(run(config_file, "audit", "--json").stdout)
    assert [a["action"] for a in audit][::-1] == [
        "subscriber-add",
        "subscriber-update",
        "subscriber-update",
        "subscriber-rotate-secret",
        "subscriber-remove",
    ]
    assert all(a["detail"]["subscriber"] == sub_id and a["actor"] for a in audit)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "http://[::ffff:10.0.0.1]/",
        "ftp://127.0.0.1/x",
    ],
)
def test_subscribe_refuses_unsafe_urls(config_file: Path, url: str) -> None:
    result = run(
        config_file, "subscribers", "add", "--feed", "all", "--url", url, "--format", "ninjs"
    )
    assert result.exit_code == 1
    assert "refused" in result.stderr or "not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_loopback_needs_the_allow_list(tmp_path: Path) -> None:
    from .newsroom import settings

    settings(tmp_path, "sqlite:///var/syndicate.db")
    result = run(
        tmp_path / "config.toml",
        "subscribers",
        "add",
        "--feed",
        "all",
        "--url",
        "http://127.0.0.1:9/x",
        "--format",
        "ninjs",
    )
    assert result.exit_code == 1 and "127.0.0.1" in result.stderr


def test_bad_secret_and_unknown_feed(config_file: Path) -> None:
    bad = run(
        config_file,
        "subscribers",
        "add",
        "--feed",
        "all",
        "--url",
        "http://127.0.0.1:9/",
        "--format",
        "ninjs",
        "--secret",
        "short",
    )
    assert bad.exit_code == 1 and "--secret" in bad.stderr
    nofeed = run(
        config_file,
        "subscribers",
        "add",
        "--feed",
        "nope",
        "--url",
        "http://127.0.0.1:9/",
        "--format",
        "ninjs",
    )
    assert nofeed.exit_code == 1 and "no feed 'nope'" in nofeed.stderr


def test_push_dry_run_force_and_worker(config_file: Path, partner: Receiver) -> None:
    sub_id, secret = add(config_file, partner.url("/hook"))
    partner.signs(partner.url("/hook"), secret)
    article_id = ingest_sample(config_file)
    assert run(config_file, "worker", "--burst").exit_code == 0
    [first] = partner.requests_to("/hook")
    Webhook(secret).verify(first.body, first.headers)
    dry = run(config_file, "push", "all", "--dry-run")
    assert (
        dry.exit_code == 0 and sub_id in dry.stdout and "1 deliveries would be queued" in dry.stdout
    )
    again = run(config_file, "push", "all")
    assert "0 deliveries queued (1 already there)" in again.stdout
    forced = run(config_file, "push", "all", "--force", "--article", article_id)
    assert "1 deliveries queued" in forced.stdout
    assert run(config_file, "worker", "--burst").exit_code == 0
    tries = partner.requests_to("/hook")
    assert len(tries) == 2 and tries[0].headers["webhook-id"] != tries[1].headers["webhook-id"]
    listed = json.loads(run(config_file, "deliveries", "list", "--json").stdout)
    assert {d["state"] for d in listed} == {"delivered"} and len(listed) == 2
    shown = run(config_file, "deliveries", "show", listed[0]["id"])
    assert shown.exit_code == 0 and "200" in shown.stdout


def test_push_refuses_what_it_cannot_send(config_file: Path, partner: Receiver) -> None:
    sub_id, _ = add(config_file, partner.url("/hook"))
    article_id = ingest_sample(config_file, "--hold")  # stored, not in any feed
    cases = [
        (("--subscriber", "sub_nope"), "no subscription 'sub_nope'"),
        (("--article", "urn:uuid:nope"), "urn:uuid:nope"),
        (("--article", article_id), "is not among feed 'all''s items"),
    ]
    for options, reason in cases:
        refused = run(config_file, "push", "all", *options)
        assert refused.exit_code == 1 and reason in refused.stderr, (options, refused.stderr)
        assert "Traceback" not in refused.stderr and "queued" not in refused.stdout
    assert run(config_file, "subscribers", "pause", sub_id).exit_code == 0
    paused = run(config_file, "push", "all", "--subscriber", sub_id)
    assert paused.exit_code == 1 and "paused, not active" in paused.stderr
    assert partner.requests_to("/hook") == []


def test_push_wait_says_when_no_worker_runs(config_file: Path, partner: Receiver) -> None:
    add(config_file, partner.url("/hook"))
    article_id = ingest_sample(config_file)
    waited = run(
        config_file, "push", "all", "--force", "--article", article_id, "--wait", "--timeout", "0.3"
    )
    assert "no worker has been heard from" in waited.stderr
    assert waited.exit_code == 1 and "1 pending" in waited.stdout  # given up, not lost
    assert json.loads(run(config_file, "deliveries", "list", "--json").stdout)


def test_deliveries_retry_dead(config_file: Path, partner: Receiver) -> None:
    partner.script("/hook", Script(statuses=[400, 200]))
    _, secret = add(config_file, partner.url("/hook"))
    partner.signs(partner.url("/hook"), secret)
    ingest_sample(config_file)
    run(config_file, "worker", "--burst")
    dead = json.loads(run(config_file, "deliveries", "list", "--state", "dead", "--json").stdout)
    assert len(dead) == 1 and dead[0]["last_status"] == 400
    retried = run(config_file, "deliveries", "retry", "--dead")
    assert "1 deliveries queued again" in retried.stdout
    run(config_file, "worker", "--burst")
    assert json.loads(
        run(config_file, "deliveries", "list", "--state", "delivered", "--json").stdout
    )
    assert run(config_file, "deliveries", "retry", "msg_nope").exit_code == 1
    assert run(config_file, "deliveries", "retry").exit_code == 2


def test_lifecycle_commands_and_audit(config_file: Path) -> None:
    article_id = ingest_sample(config_file, "--hold")
    shown = json.loads(run(config_file, "articles", "show", article_id, "--json").stdout)
    assert shown["pubstatus"] == "withheld"
    assert run(config_file, "publish", article_id).exit_code == 0
    assert run(config_file, "publish", article_id).exit_code == 1  # already published
    corrected = run(config_file, "correct", article_id, "--note", "Fixed a figure.")
    assert corrected.exit_code == 0 and "version 3" in corrected.stdout
    embargoed = run(config_file, "embargo", article_id, "--until", "2099-01-01T06:00:00+01:00")
    assert embargoed.exit_code == 0
    past = run(config_file, "embargo", article_id, "--until", "2001-01-01T06:00:00+01:00")
    assert past.exit_code == 1 and "already passed" in past.stderr
    assert run(config_file, "retract", article_id, "--reason", "Wrong council.").exit_code == 0
    assert run(config_file, "retract", article_id, "--reason", "Again").exit_code == 1
    assert run(config_file, "correct", article_id, "--note", "x").exit_code == 1
    audit = json.loads(run(config_file, "audit", "--article", article_id, "--json").stdout)
    assert [a["action"] for a in audit][::-1] == [
        "ingest",
        "publish",
        "correct",
        "embargo",
        "retract",
    ]
    assert audit[0]["detail"] == {"reason": "Wrong council."}
    assert all(a["actor"] and a["host"] for a in audit)
