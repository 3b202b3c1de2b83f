"""The public side over real HTTP on 127.0.0.1: every route, content types,
conditional GET per encoding, compression, retractions and holds, partner
feeds, and what crawlers and feed readers make of it."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import brotli
import extruct
import feedparser
import pytest
import requests
from click.testing import CliRunner, Result

from syndicate.cli import cli as syndicate_cli
from syndicate.model import PubStatus
from syndicate.render.jsonld import render_jsonld
from syndicate.store import Store
from syndicate.tokens import new_token, token_hash
from syndicate.web.app import create_app

from .live import live_server
from .newsroom import T0, Newsroom, article, settings

FEEDS = {
    "all": 'title = "Everything"\ncontent = "full"\n',
    "world": 'title = "World"\n[filters]\nsections = ["World"]\n',
    "partners": 'title = "For partners"\naccess = "partners"\ncontent = "full"\n',
    "short": 'title = "Two at a time"\nitems = 2\n',  # so it has archive pages
}
TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


@dataclass
class Served:
    base: str
    newsroom: Newsroom
    token: str
    slugs: dict[str, str]
    config_file: Path

    def get(self, path: str, **headers: str) -> requests.Response:
        return requests.get(self.base + path, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder: Path = tmp_path_factory.mktemp("web")
    config = settings(
        folder,
        "sqlite:///var/syndicate.db",
        FEEDS,
        websub="enabled = true",
        server="cache_seconds = 0",
    )
    with Store.open(config, auto_upgrade=True) as store:
        newsroom = Newsroom(store, config)
        for n in range(1, 6):
            newsroom.publish(article(n), T0 + timedelta(minutes=n))
        newsroom.publish(replace(article(3), pubstatus=PubStatus.CANCELED), T0 + timedelta(hours=1))
        newsroom.publish(article(8, pubstatus=PubStatus.WITHHELD), T0)
        newsroom.publish(article(9, embargo=T0 + timedelta(days=3650)), T0)
        token = new_token()
        store.add_partner("wire", token_hash(token), T0)
        slugs = {str(n): store.get(article(n).id).slug for n in (1, 2, 3, 8, 9)}
        with live_server(create_app(config, store)) as base:
            yield Served(base, newsroom, token, slugs, folder / "config.toml")


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/", "text/html"),
        ("/sections/world", "text/html"),
        ("/articles/{1}", "text/html"),
        ("/articles/{1}.xml", "application/vnd.iptc.g2.newsitem+xml"),
        ("/articles/{1}.ninjs.json", "application/ninjs+json"),
        ("/feeds/all.rss", "application/rss+xml"),
        ("/feeds/all.atom", "application/atom+xml"),
        ("/feeds/all.json", "application/feed+json"),
        ("/feeds/short/archive/1.rss", "application/rss+xml"),
        ("/feeds/short/archive/1.atom", "application/atom+xml"),
        ("/feeds/short/archive/1.json", "application/feed+json"),
        ("/sitemap.xml", "application/xml"),
        ("/sitemaps/1.xml", "application/xml"),
        ("/news-sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain"),
    ],
)
def test_routes_answer_with_exact_types(served: Served, path: str, media_type: str) -> None:
    response = served.get(path.replace("{1}", served.slugs["1"]))
    assert response.status_code == 200, response.text[:200]
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["etag"].startswith('"')
    assert "last-modified" in response.headers
    assert "cache-control" in response.headers
    assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
@pytest.mark.parametrize("path", ["/feeds/all.rss", "/feeds/world.atom", "/"])
def test_conditional_get_per_encoding(served: Served, path: str, encoding: str) -> None:
    first = served.get(path, **{"Accept-Encoding": encoding})
    assert first.status_code == 200
    etag = first.headers["etag"]
    if encoding == "identity":
        assert "content-encoding" not in first.headers
    else:
        assert first.headers["content-encoding"] == encoding
        assert etag.endswith(f'-{encoding}"')
    again = served.get(path, **{"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag and again.content == b""
    since = served.get(
        path, **{"Accept-Encoding": encoding, "If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304


def test_gzip_and_brotli_bytes_are_the_document(served: Served) -> None:
    plain = served.get("/feeds/all.atom", **{"Accept-Encoding": "identity"})
    raw = requests.get(
        served.base + "/feeds/all.atom",
        headers={"Accept-Encoding": "gzip"},
        timeout=10,
        stream=True,
    ).raw.read()
    assert gzip.decompress(raw) == plain.content
    br = requests.get(
        served.base + "/feeds/all.atom", headers={"Accept-Encoding": "br"}, timeout=10, stream=True
    ).raw.read()
    assert brotli.decompress(br) == plain.content
    assert len({plain.headers["etag"], served.get("/feeds/all.atom").headers["etag"]}) == 2


def test_head_has_headers_and_no_body(served: Served) -> None:
    plain = {"Accept-Encoding": "identity"}
    head = requests.head(served.base + "/feeds/all.rss", headers=plain, timeout=10)
    full = served.get("/feeds/all.rss", **plain)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert int(head.headers["content-length"]) == len(full.content)


def test_retracted_held_and_embargoed_articles(served: Served) -> None:
    gone = served.get(f"/articles/{served.slugs['3']}")
    assert gone.status_code == 410 and "text/html" in gone.headers["content-type"]
    kill = served.get(f"/articles/{served.slugs['3']}.xml")
    assert kill.status_code == 200 and b"stat:canceled" in kill.content
    assert json.loads(served.get(f"/articles/{served.slugs['3']}.ninjs.json").content)[
        "pubStatus"
    ] == ("canceled")
    for held in (served.slugs["8"], served.slugs["9"]):
        for suffix in ("", ".xml", ".ninjs.json"):
            assert served.get(f"/articles/{held}{suffix}").status_code == 404
    feed = feedparser.parse(served.get("/feeds/all.rss").content)
    assert article(3).id not in {e.id for e in feed.entries}


def test_partner_feed_needs_a_token(served: Served) -> None:
    denied = served.get("/feeds/partners.rss")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"].startswith("Bearer")
    assert served.get("/feeds/partners.rss", Authorization="Bearer wrong").status_code == 401
    ok = served.get("/feeds/partners.rss", Authorization=f"Bearer {served.token}")
    assert ok.status_code == 200 and ok.headers["cache-control"].startswith("private")
    by_key = requests.get(
        served.base + "/feeds/partners.atom", params={"key": served.token}, timeout=10
    )
    assert by_key.status_code == 200
    assert feedparser.parse(by_key.content).bozo == 0


def test_partner_tokens_from_the_cli_open_and_close_the_feed(served: Served) -> None:
    def cli(*args: str) -> Result:
        return CliRunner().invoke(
            syndicate_cli, ["--config", str(served.config_file), "partners", *args]
        )

    added = cli("add", "agency")
    assert added.exit_code == 0, added.stderr
    token = added.stdout.strip()
    assert "not shown again" in added.stderr and token not in added.stderr
    assert served.get("/feeds/partners.rss", Authorization=f"Bearer {token}").status_code == 200
    again = cli("add", "agency")
    assert again.exit_code == 1 and "partner 'agency' already exists" in again.stderr
    assert "Traceback" not in again.output + again.stderr
    listed = json.loads(cli("list", "--json").stdout)
    assert {p["name"]: p["revoked_at"] for p in listed}["agency"] is None
    assert token not in json.dumps(listed)
    assert cli("revoke", "agency").exit_code == 0
    assert served.get("/feeds/partners.rss", Authorization=f"Bearer {token}").status_code == 401
    assert {p["name"]: p["revoked_at"] for p in json.loads(cli("list", "--json").stdout)}["agency"]
    assert cli("revoke", "agency").exit_code == 1  # already revoked
    audited = CliRunner().invoke(
        syndicate_cli, ["--config", str(served.config_file), "audit", "--json"]
    )
    actions = [(r["action"], r["detail"]) for r in json.loads(audited.stdout)]
    assert ("partner-add", {"partner": "agency"}) in actions
    assert ("partner-revoke", {"partner": "agency"}) in actions
    assert cli("revoke", "nobody").exit_code == 1
    # the other partner's token still works
    assert (
        served.get("/feeds/partners.rss", Authorization=f"Bearer {served.token}").status_code == 200
    )


def test_errors_are_short_pages(served: Served) -> None:
    for path in ("/nothing-here", "/articles/no-such-story", "/feeds/nope.rss", "/feeds/all.txt"):
        response = served.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Traceback" not in response.text and len(response.text) < 1000
    assert requests.post(served.base + "/feeds/all.rss", timeout=10).status_code == 405


def test_served_json_ld_is_what_the_renderer_made(served: Served) -> None:
    page = served.get(f"/articles/{served.slugs['2']}")
    data = extruct.extract(page.text, base_url=page.url, syntaxes=["json-ld"], uniform=False)
    stored = served.newsroom.store.get(article(2).id)
    assert data["json-ld"] == [render_jsonld(stored, served.newsroom.config)]


def test_feedparser_reads_served_feeds_with_hub_and_self(served: Served) -> None:
    for ext in ("rss", "atom"):
        response = served.get(f"/feeds/all.{ext}")
        parsed = feedparser.parse(response.content)
        assert parsed.bozo == 0
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert rels["hub"].endswith("/hub")
        assert rels["self"].endswith(f"/feeds/all.{ext}")
        assert 'rel="hub"' in response.headers["link"] and 'rel="self"' in response.headers["link"]
    assert json.loads(served.get("/feeds/all.json").content)["hubs"][0]["type"] == "WebSub"


def test_robots_names_the_sitemaps(served: Served) -> None:
    lines = served.get("/robots.txt").text.splitlines()
    sitemaps = [line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap: ")]
    assert [s.rsplit("/", 1)[1] for s in sitemaps] == ["sitemap.xml", "news-sitemap.xml"]


def test_concurrent_requests_while_documents_are_rebuilt(served: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    paths = ["/feeds/all.rss", "/feeds/all.atom", "/feeds/world.json", "/", "/sitemap.xml"] * 20
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda p: served.get(p).status_code, paths))
    assert statuses == [200] * len(paths)
