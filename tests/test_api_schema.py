"""The admin API against its own OpenAPI description: schemathesis generates
requests for every operation from /openapi.json and sends them over real HTTP
to a live server (the description is made from the app at collection, and
checked equal to what the server serves; admin token, stored articles, a subscriber, queued
deliveries, no worker). No answer may be a server error, and every answer's
status, content type and body must be what the description says."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from syndicate.config import Config
from syndicate.store import Store
from syndicate.web.app import create_app

from .conftest import EXAMPLES
from .live import live_server
from .pushkit import push_settings
from .receiver import receiver

TOKEN = "schema-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
API = f"""max_request_bytes = 200000
[[api.tokens]]
name = "schemathesis"
sha256 = "{hashlib.sha256(TOKEN.encode()).hexdigest()}"
scopes = ["admin"]"""
SAMPLES = ["city-council-budget.md", "heat-plan.md", "jazz-festival-lineup.md"]
WEBHOOK_FORMATS = ["newsml", "ninjs", "jsonld", "atom-entry"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


FRAMING = {"content-length", "transfer-encoding", "host", "connection"}
"""Headers that frame the HTTP message itself: negative cases fill them with
junk (`Content-Length: l|Nc`), which the HTTP server answers 400 before the
API sees the request. They test the server, not the API: left out."""

KNOWN: dict[str, list[Any]] = {}
"""Ids the seeded server knows, so generated requests reach real resources too."""


def seed(base: str, hook: str) -> None:
    """Articles (one held, one retracted), a subscriber, queued deliveries, a partner."""
    with requests.Session() as http:
        http.headers.update(AUTH)
        sub = http.post(
            f"{base}/api/subscribers", json={"feed": "all", "url": hook, "format": "ninjs"}
        )
        assert sub.status_code == 201, sub.text
        ids = []
        for path in sorted(EXAMPLES.iterdir()):
            if path.suffix in {".md", ".txt", ".json", ".html"}:
                done = http.post(
                    f"{base}/api/articles", params={"filename": path.name}, data=path.read_bytes()
                )
                if done.status_code == 201:
                    ids.append(done.json()["id"])
        assert len(ids) >= 2
        http.post(f"{base}/api/articles", params={"hold": "true"}, data=b"# Held\n\nA draft.\n")
        http.post(f"{base}/api/articles/{ids[0]}/retract", json={"reason": "Seeded."})
        assert http.post(f"{base}/api/partners", json={"name": "seeded"}).status_code == 201
        deliveries = http.get(f"{base}/api/deliveries").json()
        assert deliveries
    KNOWN.update(
        article_id=ids,
        number=[1, 2],
        sub_id=[sub.json()["id"]],
        delivery_id=[d["id"] for d in deliveries],
        name=["seeded"],
        hook=[hook],
    )


@pytest.fixture(scope="module")
def api_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("api-schema")
    config = push_settings(folder, "sqlite:///var/syndicate.db", api=API)
    with (
        Store.open(config, auto_upgrade=True) as store,
        receiver() as partner,
        live_server(create_app(config, store)) as base,
    ):
        seed(base, partner.url("/hook"))
        yield base


def description() -> dict[str, Any]:
    """/openapi.json as the app serves it (made without a server or a store)."""
    return create_app(Config(root=Path(__file__).parent)).openapi()


schema = schemathesis.openapi.from_dict(description())


def known(name: str) -> st.SearchStrategy[Any]:
    return st.deferred(lambda: st.sampled_from(KNOWN[name]))


@schema.hook
def before_generate_path_parameters(context: Any, strategy: st.SearchStrategy[Any]) -> Any:
    """Now and then, ids of resources that exist."""
    names = re.findall(r"\{(\w+)\}", context.operation.path)
    return st.one_of(strategy, st.fixed_dictionaries({n: known(n) for n in names}))


@schema.hook
def before_generate_body(context: Any, strategy: st.SearchStrategy[Any]) -> Any:
    """Now and then, a real article, or a subscription or push naming a real feed."""
    operation = context.operation
    if operation.method.upper() != "POST":
        return strategy
    feeds = st.sampled_from(["all", "world", "briefing"])
    if operation.path == "/api/articles":
        documents = [(EXAMPLES / n).read_text(encoding="utf-8") for n in SAMPLES]
        return st.one_of(strategy, st.sampled_from(documents))
    if operation.path == "/api/subscribers":
        valid = st.fixed_dictionaries(
            {"feed": feeds, "url": known("hook"), "format": st.sampled_from(WEBHOOK_FORMATS)},
            optional={"name": st.text(max_size=20), "embargoed": st.booleans()},
        )
        return st.one_of(strategy, valid)
    if operation.path == "/api/push":
        valid = st.fixed_dictionaries(
            {"feed": feeds},
            optional={
                "dry_run": st.booleans(),
                "force": st.booleans(),
                "article": known("article_id"),
                "subscriber": known("sub_id"),
            },
        )
        return st.one_of(strategy, valid)
    return strategy


def test_the_served_description_is_the_one_tested(api_base: str) -> None:
    served = requests.get(f"{api_base}/openapi.json", timeout=10)
    assert served.status_code == 200 and served.json() == description()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_description(case: Any, api_base: str) -> None:
    for name in list(case.headers or {}):
        if name.lower() in FRAMING:
            del case.headers[name]
    case.call_and_validate(base_url=api_base, headers=AUTH, checks=CHECKS)
