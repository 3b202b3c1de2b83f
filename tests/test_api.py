"""The admin API over real HTTP: tokens and scopes, every endpoint, the error
answers (401, 403, 404, 405, 409, 413, 422, 500) as JSON, an audit row per write naming the
token, and an article posted here reaching a webhook partner."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from standardwebhooks import Webhook

from syndicate.config import Config, load_config
from syndicate.errors import ConfigError
from syndicate.store import Store
from syndicate.tokens import token_hash
from syndicate.web.app import create_app
from syndicate.worker import Worker

from .conftest import EXAMPLES
from .live import live_server
from .pushkit import push_settings
from .receiver import Receiver, receiver

TOKENS = {"ops": ("ops-secret", "admin"), "desk": ("desk-secret", "publish")}
TOKENS["viewer"] = ("viewer-secret", "read")
LIMIT = 20_000
BUDGET = "urn:uuid:0c7e2a54-91d3-4b8e-a6f2-3d5b8c1e7f10"  # city-council-budget.md's id


def api_section() -> str:
    tables = "".join(
        f'[[api.tokens]]\nname = "{name}"\n'
        f'sha256 = "{hashlib.sha256(token.encode()).hexdigest()}"\nscopes = ["{scope}"]\n'
        for name, (token, scope) in TOKENS.items()
    )
    return f"max_request_bytes = {LIMIT}\n{tables}"


@dataclass
class Api:
    base: str
    store: Store
    config: Config
    http: requests.Session

    def call(self, method: str, path: str, who: str | None = "ops", **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {TOKENS[who][0]}"} if who else {}
        headers.update(kw.pop("headers", {}))
        answer = self.http.request(method, self.base + path, headers=headers, timeout=30, **kw)
        if answer.status_code == 204:
            assert not answer.content
        else:
            assert answer.headers["content-type"] == "application/json", answer.text
        return answer

    def ingest(self, name: str = "city-council-budget.md", **params: Any) -> Any:
        data = (EXAMPLES / name).read_bytes()
        return self.call(
            "POST", "/api/articles", "desk", params={"filename": name, **params}, data=data
        )

    def audit(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.call("GET", "/api/audit", "viewer").json()
        return rows


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    config = push_settings(tmp_path, "sqlite:///var/syndicate.db", api=api_section())
    with (
        Store.open(config, auto_upgrade=True) as store,
        live_server(create_app(config, store)) as base,
        requests.Session() as http,
    ):
        yield Api(base, store, config, http)


@pytest.fixture
def partner() -> Iterator[Receiver]:
    with receiver() as made:
        yield made


def test_tokens_and_scopes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = api.call("GET", "/api/articles", who=None)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.json()["error"] == "Unauthorized" and missing.json()["detail"]
    for header in ("Bearer wrong", "Basic b3BzOnNlY3JldA==", "Bearer", "ops-secret"):
        answer = api.http.get(api.base + "/api/articles", headers={"Authorization": header})
        assert answer.status_code == 401 and answer.json()["error"] == "Unauthorized"
    assert api.call("GET", "/api/articles", "viewer").status_code == 200
    refused = api.call("POST", "/api/partners", "desk", json={"name": "x"})
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert api.call("POST", "/api/articles/x/publish", "viewer").status_code == 403
    assert api.call("GET", "/api/deliveries", "viewer").status_code == 200
    assert api.call("GET", "/api/subscribers", "desk").status_code == 403
    assert api.call("GET", "/api/subscribers", "ops").status_code == 200
    # without a token, a body is neither read nor parsed: 401 before 413 or 422
    assert api.call("POST", "/api/push", who=None, data=b"{").status_code == 401
    monkeypatch.setenv("SYNDICATE_API_TOKEN", "from-the-environment")
    with live_server(create_app(api.config, api.store)) as base:
        env = requests.get(
            base + "/api/partners", headers={"Authorization": "Bearer from-the-environment"}
        )
        assert env.status_code == 200
        requests.post(
            base + "/api/partners",
            json={"name": "via-env"},
            headers={"Authorization": "Bearer from-the-environment"},
        )
    assert api.audit()[0]["actor"] == "env"


HEX = "ab" * 32


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (f'name = " "\nsha256 = "{HEX}"\nscopes = ["read"]', "api.tokens[0]: name must not"),
        ('name = "x"\nsha256 = "abc"\nscopes = ["read"]', "api.tokens[0]: sha256 must be 64"),
        (f'name = "x"\nsha256 = "{HEX}"\nscopes = ["root"]', "unknown scope 'root'"),
        (f'name = "x"\nsha256 = "{HEX}"\nscopes = []', "api.tokens[0]: scopes must name"),
        (f'name = "x"\nsha256 = "{HEX}"', "api.tokens[0]: missing key scopes"),
        (f'name = "x"\nsha256 = "{HEX}"\nscopes = ["read"]\nwho = 1', "api.tokens[0].who"),
        ('name = "x"\nsha256 = 1\nscopes = ["read"]', "api.tokens[0].sha256: expected a str"),
    ],
)
def test_token_settings_are_checked(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[[api.tokens]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        load_config(path, environ={})
    assert caught.value.file == str(path)


def test_token_settings_come_from_the_file_only(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[[api.tokens]]\nname = "a"\nsha256 = "{HEX.upper()}"\nscopes = ["read"]\n')
    assert load_config(path, environ={}).api.tokens[0].scopes == ("read",)
    with pytest.raises(ConfigError, match="SYNDICATE_API_TOKENS: a list of tables cannot"):
        load_config(path, environ={"SYNDICATE_API_TOKENS": "a"})
    limited = load_config(path, environ={"SYNDICATE_API_MAX_REQUEST_BYTES": "1000"})
    assert limited.api.max_request_bytes == 1000


def test_openapi_describes_every_operation(api: Api) -> None:
    doc = requests.get(api.base + "/openapi.json", timeout=10).json()
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"],
    }
    operations = [
        (path, method, op)
        for path, methods in doc["paths"].items()
        if path.startswith("/api/")
        for method, op in methods.items()
    ]
    assert len(operations) == 24
    for path, method, op in operations:
        assert op["summary"] and "Scope: `" in op["description"], (path, method)
        assert op["security"] == [{"bearer": []}]
        assert {"401", "403", "503"} <= set(op["responses"]), (path, method)
        assert "WWW-Authenticate" in op["responses"]["401"]["headers"]


def test_ingest_read_and_versions(api: Api) -> None:
    first = api.ingest()
    assert first.status_code == 201
    made = first.json()
    assert made["id"] == BUDGET and made["status"] == "created" and made["version"] == 1
    assert made["slug"].startswith("city-council") and made["headline"]
    again = api.ingest()
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    held = api.ingest("heat-plan.md", hold="true").json()
    assert held["status"] == "held"
    listed = api.call("GET", "/api/articles", "viewer").json()
    assert {a["id"] for a in listed} == {BUDGET, held["id"]}
    assert set(listed[0]) == {
        "id",
        "version",
        "slug",
        "headline",
        "section",
        "published",
        "updated",
        "pubstatus",
    }
    assert [a["id"] for a in api.call("GET", "/api/articles?pubstatus=withheld").json()] == [
        held["id"]
    ]
    doc = api.call("GET", f"/api/articles/{BUDGET}", "viewer").json()
    assert doc["id"] == BUDGET and doc["pubstatus"] == "usable"
    assert api.call("GET", f"/api/articles/{made['slug']}").json()["id"] == BUDGET
    versions = api.call("GET", f"/api/articles/{BUDGET}/versions").json()
    assert [v["version"] for v in versions] == [1] and versions[0]["pubstatus"] == "usable"
    assert api.call("GET", f"/api/articles/{BUDGET}/versions/1").json()["version"] == 1
    assert api.call("GET", f"/api/articles/{BUDGET}/versions/9").status_code == 404
    assert api.call("GET", f"/api/articles/{BUDGET}/versions/0").status_code == 422
    assert api.call("GET", "/api/articles/urn:uuid:nope").status_code == 404
    rows = api.audit()
    assert [(r["action"], r["actor"], r["host"]) for r in rows] == [
        ("ingest", "desk", "127.0.0.1"),
        ("ingest", "desk", "127.0.0.1"),
    ]
    assert rows[0]["detail"] == {"file": "heat-plan.md", "hold": True}


def test_ids_with_slashes_and_forced_formats(api: Api) -> None:
    text = (EXAMPLES / "heat-plan.md").read_text(encoding="utf-8")
    story = "https://news.example.org/stories/heat-plan"
    body = text.replace("---\n", f"---\nid: {story}\n", 1).encode()
    made = api.call("POST", "/api/articles", "desk", params={"format": "markdown"}, data=body)
    assert made.status_code == 201 and made.json()["id"] == story
    assert api.call("GET", f"/api/articles/{story}").json()["id"] == story
    assert api.call("GET", f"/api/articles/{story}/versions").json()[0]["version"] == 1
    assert api.call("POST", f"/api/articles/{story}/publish").status_code == 409
    forced = api.call("POST", "/api/articles", "desk", params={"format": "json"}, data=body)
    assert forced.status_code == 422 and forced.json()["problems"]
    typed = {"Content-Type": "application/json; charset=utf-8"}
    by_type = api.call("POST", "/api/articles", "desk", data=body, headers=typed)
    assert by_type.status_code == 422 and by_type.json()["problems"]
    markdown = {"Content-Type": "text/markdown"}
    jazz = (EXAMPLES / "jazz-festival-lineup.md").read_bytes()
    assert api.call("POST", "/api/articles", "desk", data=jazz, headers=markdown).status_code == 201
    plain = {"Content-Type": "text/plain"}  # names no format: the content decides
    sniffed = api.call("POST", "/api/articles", "desk", data=jazz, headers=plain)
    # text/plain leaves the format open: sniffed as the same Markdown, so nothing changed
    assert sniffed.status_code == 200 and sniffed.json()["status"] == "unchanged"


def test_refusals_and_limits(api: Api) -> None:
    bad = api.call("POST", "/api/articles", "desk", params={"filename": "a.json"}, data=b'{"x": 1')
    refused = bad.json()
    assert bad.status_code == 422 and refused["error"] == "Unprocessable content"
    assert refused["problems"][0]["file"] == "a.json" and refused["problems"][0]["line"] >= 1
    assert refused["warnings"] == [] and "a.json" in refused["detail"]
    empty = api.call("POST", "/api/articles", "desk", data=b"")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert api.call("POST", "/api/articles?format=docx", "desk", data=b"x").status_code == 422
    big = b"# Big\n\n" + b"word " * LIMIT
    assert api.call("POST", "/api/articles", "desk", data=big).status_code == 413
    chunks = iter([b"# Big\n\n"] + [b"word " * 1000] * 10)  # no Content-Length: counted
    streamed = api.call("POST", "/api/articles", "desk", data=chunks)
    assert streamed.status_code == 413 and str(LIMIT) in streamed.json()["detail"]
    padded = {"feed": "all", "url": "http://127.0.0.1:9/", "format": "ninjs", "name": "x" * LIMIT}
    assert api.call("POST", "/api/subscribers", json=padded).status_code == 413
    invalid = api.call("POST", "/api/subscribers", json={"feed": "all"})
    assert invalid.status_code == 422 and "body.url" in invalid.json()["detail"]
    assert api.call("POST", "/api/push", data=b"{", headers={}).status_code == 422
    latin = api.call(
        "POST",
        "/api/push",
        data='{"feed": "é"}'.encode("latin-1"),
        headers={"Content-Type": "application/json"},
    )
    assert latin.status_code == 422 and "UTF-8" in latin.json()["detail"]
    assert api.call("GET", "/api/nowhere").status_code == 404
    assert api.call("DELETE", "/api/articles").status_code == 405
    assert api.call("GET", "/api/articles?limit=0").status_code == 422
    assert api.store.count() == 0


class BrokenStore(Store):
    """A store whose audit list fails as no library error would."""

    def audit_rows(self, article_id: str | None = None, limit: int = 500) -> Any:
        raise RuntimeError("the audit table caught fire at /srv/secret/path")


def test_unexpected_failures_and_unknown_paths_answer_json(tmp_path: Path) -> None:
    config = push_settings(tmp_path, "sqlite:///var/syndicate.db", api=api_section())
    viewer = {"Authorization": f"Bearer {TOKENS['viewer'][0]}"}
    with (
        BrokenStore.open(config, auto_upgrade=True) as store,
        live_server(create_app(config, store)) as base,
    ):
        failed = requests.get(base + "/api/audit", headers=viewer, timeout=10)
        assert failed.status_code == 500
        assert failed.headers["content-type"] == "application/json"
        assert failed.json() == {
            "error": "Internal error",
            "detail": "something went wrong on our side",
        }
        for path in ("/api", "/api/", "/api/nowhere/at/all", "/api/key.txt"):
            missing = requests.get(base + path, headers=viewer, timeout=10)
            assert missing.status_code == 404, path
            assert missing.headers["content-type"] == "application/json", path
        public = requests.get(base + "/apiary", timeout=10)
        assert public.status_code == 404 and public.headers["content-type"].startswith("text/html")


def test_lifecycle(api: Api) -> None:
    api.ingest(hold="true")
    done = api.call("POST", f"/api/articles/{BUDGET}/publish", "desk")
    assert done.status_code == 200 and done.json()["pubstatus"] == "usable"
    again = api.call("POST", f"/api/articles/{BUDGET}/publish", "desk")
    assert again.status_code == 409 and "already published" in again.json()["detail"]
    corrected = api.call("POST", f"/api/articles/{BUDGET}/correct", json={"note": "A figure."})
    assert corrected.json()["version"] == 3
    new_text = (EXAMPLES / "city-council-budget.md").read_text().replace("nine hours", "ten hours")
    content = {"format": "markdown", "document": new_text}
    with_content = api.call(
        "POST", f"/api/articles/{BUDGET}/correct", json={"note": "Ten hours.", "content": content}
    )
    assert with_content.status_code == 200 and with_content.json()["version"] == 4
    broken = {"note": "x", "content": {"format": "json", "document": "{"}}
    refused = api.call("POST", f"/api/articles/{BUDGET}/correct", json=broken)
    assert refused.status_code == 422 and refused.json()["problems"][0]["file"] == "correction"
    assert api.call("POST", f"/api/articles/{BUDGET}/correct", json={"note": ""}).status_code == 422
    until = {"until": "2099-01-01T06:00:00+01:00"}
    embargoed = api.call("POST", f"/api/articles/{BUDGET}/embargo", json=until).json()
    assert embargoed["embargo"] == "2099-01-01T06:00:00+01:00"
    for when in ("2001-01-01T06:00:00+01:00", "2099-01-01T06:00:00", "soon"):
        late = api.call("POST", f"/api/articles/{BUDGET}/embargo", json={"until": when})
        assert late.status_code == 422, when
    reason = {"reason": "Wrong council."}
    assert api.call("POST", f"/api/articles/{BUDGET}/retract", json=reason).status_code == 200
    assert api.call("POST", f"/api/articles/{BUDGET}/retract", json=reason).status_code == 409
    assert (
        api.call("POST", f"/api/articles/{BUDGET}/correct", json={"note": "x"}).status_code == 409
    )
    assert api.call("POST", "/api/articles/urn:uuid:nope/publish").status_code == 404
    rows = api.call("GET", f"/api/audit?article={BUDGET}", "viewer").json()
    assert [(r["action"], r["actor"]) for r in rows][::-1] == [
        ("ingest", "desk"),
        ("publish", "desk"),
        ("correct", "ops"),
        ("correct", "ops"),
        ("embargo", "ops"),
        ("retract", "ops"),
    ]
    assert rows[0]["detail"] == {"reason": "Wrong council."}


def test_subscribers(api: Api, partner: Receiver) -> None:
    hook = partner.url("/hook")
    for bad, why in [
        ({"url": "http://10.0.0.1/hook"}, "private"),
        ({"url": "ftp://127.0.0.1/x"}, "scheme"),
        ({"feed": "nope"}, "no feed 'nope'"),
        ({"secret": "short"}, "secret"),
        ({"format": "rss"}, "body.format"),
    ]:
        body = {"feed": "all", "url": hook, "format": "ninjs", **bad}
        refused = api.call("POST", "/api/subscribers", json=body)
        assert refused.status_code == 422 and why in refused.json()["detail"], refused.text
    made = api.call(
        "POST",
        "/api/subscribers",
        json={
            "feed": "all",
            "url": hook,
            "format": "ninjs",
            "name": "Wire",
            "filters": {"sections": ["Local"]},
        },
    )
    assert made.status_code == 201
    sub = made.json()
    assert sub["secret"].startswith("whsec_") and sub["filters"] == {"sections": ["local"]}
    sub_id = sub["id"]
    listed = api.call("GET", "/api/subscribers").json()
    assert [s["id"] for s in listed] == [sub_id] and "secret" not in listed[0]
    shown = api.call("GET", f"/api/subscribers/{sub_id}").json()
    assert shown["name"] == "Wire" and shown["deliveries"] == [] and "secret" not in shown
    paused = api.call("PATCH", f"/api/subscribers/{sub_id}", json={"state": "paused"}).json()
    assert paused["state"] == "paused" and paused["state_reason"] == "paused by an operator"
    changed = api.call(
        "PATCH",
        f"/api/subscribers/{sub_id}",
        json={"state": "active", "name": "Wire 2", "embargoed": True, "filters": None},
    ).json()
    assert (changed["state"], changed["name"], changed["embargoed"]) == ("active", "Wire 2", True)
    assert changed["filters"] is None
    rotated = api.call("POST", f"/api/subscribers/{sub_id}/rotate-secret").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != sub["secret"]
    stored = api.store.subscription(sub_id)
    assert stored.secret == rotated["secret"] and stored.previous_secret == sub["secret"]
    assert api.call("DELETE", f"/api/subscribers/{sub_id}").status_code == 204
    assert api.call("GET", "/api/subscribers").json() == []
    assert api.call("GET", "/api/subscribers?all=true").json()[0]["state"] == "ended"
    assert api.call("PATCH", f"/api/subscribers/{sub_id}", json={}).status_code == 409
    assert api.call("POST", f"/api/subscribers/{sub_id}/rotate-secret").status_code == 409
    assert api.call("GET", "/api/subscribers/sub_nope").status_code == 404
    assert api.call("DELETE", "/api/subscribers/sub_nope").status_code == 404
    assert api.call("PATCH", f"/api/subscribers/{sub_id}", json={"x": 1}).status_code == 422
    assert [(r["action"], r["actor"], r["detail"]["subscriber"]) for r in api.audit()][::-1] == [
        ("subscriber-add", "ops", sub_id),
        ("subscriber-update", "ops", sub_id),
        ("subscriber-update", "ops", sub_id),
        ("subscriber-rotate-secret", "ops", sub_id),
        ("subscriber-remove", "ops", sub_id),
    ]


def test_partners(api: Api) -> None:
    made = api.call("POST", "/api/partners", json={"name": "Wire Co"})
    assert made.status_code == 201
    token = made.json()["token"]
    assert api.store.partner_by_token_hash(token_hash(token)) == "Wire Co"
    assert api.call("POST", "/api/partners", json={"name": "Wire Co"}).status_code == 409
    assert api.call("POST", "/api/partners", json={"name": "a/b"}).status_code == 422
    assert [p["name"] for p in api.call("GET", "/api/partners").json()] == ["Wire Co"]
    assert api.call("DELETE", "/api/partners/Wire Co").status_code == 204
    assert api.call("DELETE", "/api/partners/Wire Co").status_code == 404
    assert api.call("GET", "/api/partners").json()[0]["revoked_at"]
    assert api.store.partner_by_token_hash(token_hash(token)) is None
    assert [r["action"] for r in api.audit()] == ["partner-revoke", "partner-add"]


def test_posted_article_reaches_a_webhook_partner(api: Api, partner: Receiver) -> None:
    body = {"feed": "all", "url": partner.url("/hook"), "format": "ninjs"}
    sub = api.call("POST", "/api/subscribers", json=body).json()
    partner.signs(partner.url("/hook"), sub["secret"])
    posted = api.ingest().json()
    [delivery_id] = posted["deliveries"]
    pending = api.call("GET", "/api/deliveries?state=pending", "viewer").json()
    assert [d["id"] for d in pending] == [delivery_id]
    worker = Worker(api.store, api.config)
    try:
        worker.run(burst=True)
    finally:
        worker.transport.close()
    [got] = partner.requests_to("/hook")
    payload = Webhook(sub["secret"]).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == delivery_id and payload["type"] == "article.published"
    assert payload["data"]["id"] == BUDGET and payload["data"]["content"]["uri"] == BUDGET
    shown = api.call("GET", f"/api/deliveries/{delivery_id}", "viewer").json()
    assert shown["state"] == "delivered" and [a["status"] for a in shown["attempt_log"]] == [200]
    assert api.call("GET", "/api/deliveries/msg_nope").status_code == 404
    dry = api.call("POST", "/api/push", "desk", json={"feed": "all", "dry_run": True}).json()
    assert [(p["subscription"], p["article"]) for p in dry["planned"]] == [(sub["id"], BUDGET)]
    assert dry["planned"][0]["bytes"] > 100 and dry["queued"] == []
    again = api.call("POST", "/api/push", "desk", json={"feed": "all"}).json()
    assert again["queued"] == [] and again["already_queued"] == 1
    forced = api.call("POST", "/api/push", "desk", json={"feed": "all", "force": True}).json()
    assert len(forced["queued"]) == 1
    assert api.call("POST", "/api/push", "desk", json={"feed": "nope"}).status_code == 422
    still = api.call("POST", f"/api/deliveries/{forced['queued'][0]}/retry")
    assert still.status_code == 409
    assert api.call("POST", f"/api/deliveries/{delivery_id}/retry").json() == {"queued": 1}
    assert api.call("POST", "/api/deliveries/retry-dead").json() == {"queued": 0}
    assert api.call("POST", "/api/deliveries/msg_nope/retry").status_code == 404
    actions = [(r["action"], r["actor"]) for r in api.audit()]
    assert actions[:4] == [
        ("deliveries-retry-dead", "ops"),
        ("delivery-retry", "ops"),
        ("push", "desk"),
        ("push", "desk"),
    ]
