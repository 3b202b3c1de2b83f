"""ninjs 3.1 output: every sample renders and passes the project's profile and
the official schema; the JSON reads back into the same article as far as ninjs
carries it; hostile text survives escaped exactly once; rendering is pure."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import assume, given
from referencing import Registry, Resource

from syndicate.config import Config, load_config
from syndicate.errors import RenderError
from syndicate.ingest import read
from syndicate.ingest.assemble import SUMMARY_CHARS, shorten
from syndicate.ingest.base import ReadRequest
from syndicate.ingest.dates import as_instant
from syndicate.ingest.files import load_request
from syndicate.ingest.jsonin import read_json
from syndicate.model import (
    Article,
    Byline,
    Heading,
    Image,
    ImageBlock,
    Inline,
    Mark,
    Paragraph,
    PubStatus,
    Subject,
    Timestamp,
)
from syndicate.render.ninjs import render_ninjs
from syndicate.render.xhtml import body_xhtml
from syndicate.validate import check_ninjs, parse_xml

from .conftest import EXAMPLES, NOW, REPO, SHARED, need_shared
from .strategies import articles

NINJS = SHARED / "conformance" / "ninjs" / "schemas"
HYPOTHESIS_CONFIG = load_config(REPO / "tests" / "data" / "config.toml", environ={})


def sample_paths() -> list[Path]:
    return sorted(
        p for p in EXAMPLES.iterdir() if p.is_file() and not p.name.endswith(".meta.toml")
    )


@cache
def official_validator() -> jsonschema.protocols.Validator:
    """The official ninjs 3.1 schema, its GeoJSON reference served from the local copy."""
    registry: Registry[Any] = Registry()
    for name in ("GeoJSON-schema.json", "ninjs-schema_3.1.json"):
        schema = json.loads((NINJS / name).read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema)
        uri = (schema.get("$id") or schema["id"]).rstrip("#")
        registry = registry.with_resources([(uri, resource), (uri + "#", resource)])
    schema = json.loads((NINJS / "ninjs-schema_3.1.json").read_text(encoding="utf-8"))
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(
        schema, registry=registry
    )
    return validator


def official_problems(doc: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in official_validator().iter_errors(doc)]


def read_back(doc: dict[str, Any], config: Config) -> Article:
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return read_json(ReadRequest("article.ninjs.json", data), config, NOW).article


# -- the samples ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name)
def test_every_example_renders_valid_ninjs(path: Path, config: Config) -> None:
    article = read(load_request(path, config), config, NOW).article
    doc = render_ninjs(article, config)
    check_ninjs(doc)
    assert doc["uri"] == article.id
    need_shared(NINJS)
    assert official_problems(doc) == []


def test_the_seed_renders_valid_ninjs(seed_path: Path, config: Config) -> None:
    article = read(load_request(seed_path, config), config, NOW).article
    doc = render_ninjs(article, config)
    check_ninjs(doc)
    need_shared(NINJS)
    assert official_problems(doc) == []


def test_the_profile_only_uses_names_the_official_schema_defines() -> None:
    need_shared(NINJS)
    official = json.loads((NINJS / "ninjs-schema_3.1.json").read_text(encoding="utf-8"))
    defined = set(official["$defs"]["ninjsType"]["properties"])
    profile = json.loads((REPO / "schemas" / "ninjs-profile.schema.json").read_text("utf-8"))
    assert set(profile["properties"]) <= defined
    assert "keywords" not in defined


def test_the_profile_refuses_what_ninjs_3_1_would_refuse(config: Config) -> None:
    doc = render_ninjs(mapped_article(), config)
    for bad in (
        {**doc, "keywords": ["a"]},
        {**doc, "copyrightHolder": {"name": "x"}},
        {**doc, "version": 2},
        {**doc, "firstCreated": "2026-03-03"},
        {**doc, "headlines": [{"role": "sub", "contentType": "text/plain", "value": "x"}]},
        {**doc, "located": "a\x00b"},
    ):
        with pytest.raises(RenderError):
            check_ninjs(bad)


# -- the mapping ----------------------------------------------------------------------

KST = timezone(timedelta(hours=9))


def mapped_article() -> Article:
    return Article(
        id="urn:uuid:0b8a2c3e-1111-4c6d-8e13-5f7a9b0d2e64",
        slug="kim-arrives",
        headline="Kim arrives in Beijing",
        subheadline="A rare trip",
        language="ko",
        published=date(2026, 3, 3),
        updated=datetime(2026, 3, 4, 10, 0, tzinfo=KST),
        section="World",
        dateline="Seoul",
        bylines=(
            Byline("Jane Roe", "correspondent", "person", "https://wire.example/jane"),
            Byline("Kim Min-jun", "correspondent"),
            Byline("Wire Desk", "correspondent", "organization"),
        ),
        keywords=("diplomacy",),
        subjects=(Subject("medtop:11000000", "politics"),),
        summary="The summary.",
        images=(
            Image(
                "https://img.example/b.jpg",
                "image/jpeg",
                length=2048,
                caption="The train.",
                credit="Photo Desk",
                width=1600,
                height=900,
                alt="A green train",
            ),
        ),
        pubstatus=PubStatus.WITHHELD,
        embargo=datetime(2026, 3, 5, 6, 0, tzinfo=UTC),
        body=(Paragraph(Inline("Body text.", (Mark("em", 5, 9),))),),
    )


def test_the_mapping(config: Config) -> None:
    article = mapped_article()
    doc = render_ninjs(article, config)
    check_ninjs(doc)
    assert doc["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json",
    }
    assert (doc["uri"], doc["type"], doc["version"], doc["slugline"]) == (
        article.id,
        "text",
        "1",
        "kim-arrives",
    )
    assert doc["firstCreated"] == "2026-03-03T00:00:00+01:00"  # midnight, Europe/Berlin
    assert doc["versionCreated"] == "2026-03-04T10:00:00+09:00"
    assert doc["embargoedUntil"] == "2026-03-05T06:00:00+00:00"
    assert doc["pubStatus"] == "withheld"
    assert [(h["role"], h["value"]) for h in doc["headlines"]] == [
        ("main", "Kim arrives in Beijing"),
        ("sub", "A rare trip"),
    ]
    assert doc["descriptions"] == [
        {"role": "summary", "contentType": "text/plain", "value": "The summary."}
    ]
    assert doc["by"] == "Jane Roe and Kim Min-jun and Wire Desk, correspondent"
    assert doc["people"] == [
        {"name": "Jane Roe", "rel": "author", "uri": "https://wire.example/jane"},
        {"name": "Kim Min-jun", "rel": "author"},
    ]
    assert doc["organisations"] == [{"name": "Wire Desk", "rel": "author"}]
    assert doc["located"] == "Seoul"
    assert doc["subjects"] == [
        {"uri": "http://cv.iptc.org/newscodes/mediatopic/11000000", "name": "politics"}
    ]
    assert doc["bodies"] == [
        {"role": "main", "contentType": "application/xhtml+xml", "value": body_xhtml(article)}
    ]
    assert doc["associations"] == [
        {
            "name": "picture1",
            "type": "picture",
            "uri": "https://img.example/b.jpg",
            "descriptions": [
                {"role": "caption", "contentType": "text/plain", "value": "The train."}
            ],
            "by": "Photo Desk",
            "renditions": [
                {
                    "name": "original",
                    "href": "https://img.example/b.jpg",
                    "contentType": "image/jpeg",
                    "width": 1600,
                    "height": 900,
                    "sizeInBytes": 2048,
                }
            ],
        }
    ]
    assert doc["copyrightHolder"] == config.publisher.name
    assert doc["copyrightNotice"] == config.render.copyright_notice
    assert doc["usageTerms"] == config.render.usage_terms
    assert "keywords" not in doc


def test_by_line_with_different_roles_and_languages(config: Config) -> None:
    article = dataclasses.replace(
        mapped_article(),
        language="de",
        bylines=(Byline("Anna Roth", "Fotos"), Byline("Jonas Keller"), Byline("Dpa", None)),
    )
    assert render_ninjs(article, config)["by"] == "Anna Roth (Fotos) und Jonas Keller und Dpa"
    back = read_back(render_ninjs(article, config), config)
    assert [b.name for b in back.bylines] == ["Anna Roth", "Jonas Keller", "Dpa"]


def test_iris_and_odd_offsets_become_uris_and_rfc3339(config: Config) -> None:
    odd = timezone(timedelta(hours=5, minutes=30, seconds=15))
    article = dataclasses.replace(
        mapped_article(),
        id="tag:example.org,2026:Zürich story",
        published=datetime(2026, 3, 3, 12, 0, tzinfo=odd),
        images=(Image("https://img.example/bild ä.jpg"),),
    )
    doc = render_ninjs(article, config)
    check_ninjs(doc)
    assert doc["uri"] == "tag:example.org,2026:Z%C3%BCrich%20story"
    assert doc["associations"][0]["uri"] == "https://img.example/bild%20%C3%A4.jpg"
    assert doc["firstCreated"] == "2026-03-03T06:29:45+00:00"


# -- the round trip -------------------------------------------------------------------


def instant(value: Timestamp | None) -> datetime | None:
    return None if value is None else as_instant(value, HYPOTHESIS_CONFIG.site.timezone)


def expected_images(images: tuple[Image, ...]) -> tuple[Image, ...]:
    """ninjs has no property for alt text."""
    return tuple(dataclasses.replace(i, alt=None) for i in images)


def same_words(a: str, b: str) -> bool:
    """A first heading that repeats the headline is dropped by the reader."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_round_trip(article: Article) -> Article:
    """Render, check, serialise, read back; compare what ninjs carries."""
    first = article.body[0]
    assume(not (isinstance(first, Heading) and same_words(first.text, article.headline)))
    doc = render_ninjs(article, HYPOTHESIS_CONFIG)
    check_ninjs(doc)
    back = read_back(doc, HYPOTHESIS_CONFIG)
    assert back.id == article.id
    assert back.version == article.version
    assert back.headline == article.headline
    assert back.subheadline == article.subheadline
    assert back.language == article.language
    assert back.dateline == article.dateline
    by_kind = sorted(article.bylines, key=lambda b: b.kind != "person")
    assert [(b.name, b.kind, b.url) for b in back.bylines] == [
        (b.name, b.kind, b.url) for b in by_kind
    ]
    published = instant(article.published)
    assert back.published == published
    updated = instant(article.updated)
    assert back.updated == (None if updated == published else updated)
    assert back.subjects == article.subjects
    first_paragraph = next((b.content.text for b in article.body if isinstance(b, Paragraph)), None)
    fallback = shorten(first_paragraph, SUMMARY_CHARS) if first_paragraph else None
    assert back.summary == (article.summary or fallback)
    assert back.pubstatus == article.pubstatus
    assert back.embargo == article.embargo
    assert back.images == expected_images(article.images)
    assert back.body == article.body
    return back


@given(articles())
def test_round_trip_through_the_ninjs_reader(article: Article) -> None:
    check_round_trip(article)


@given(articles(hostile=True))
def test_hostile_text_round_trips_exactly(article: Article) -> None:
    doc = render_ninjs(article, HYPOTHESIS_CONFIG)
    raw = json.dumps(doc, ensure_ascii=False)
    assert json.loads(raw) == doc
    assert json.dumps(article.headline, ensure_ascii=False) in raw
    root = parse_xml(doc["bodies"][0]["value"].encode("utf-8")).getroot()
    assert root.tag == "{http://www.w3.org/1999/xhtml}div"
    assert not list(root.iter("{http://www.w3.org/1999/xhtml}script"))
    check_round_trip(article)


def test_markup_in_text_is_escaped_once(config: Config) -> None:
    hostile = '&amp; <script>alert(1)</script> ]]> <!DOCTYPE x [<!ENTITY a "b">]>'
    article = dataclasses.replace(
        mapped_article(),
        headline=hostile,
        summary=hostile,
        body=(Paragraph(Inline(hostile)), ImageBlock(Image("https://img.example/a.png"))),
    )
    doc = render_ninjs(article, config)
    check_ninjs(doc)
    raw = json.dumps(doc, ensure_ascii=False)
    assert '"value": "&amp; <script>alert(1)</script>' in raw
    body = doc["bodies"][0]["value"]
    assert "<p>&amp;amp; &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &lt;!DOCTYPE" in body
    assert "<script" not in body
    back = read_back(doc, config)
    assert back.headline == hostile
    assert back.summary == hostile
    assert back.body[0] == Paragraph(Inline(hostile))


# -- purity ---------------------------------------------------------------------------


@given(articles())
def test_rendering_is_deterministic(article: Article) -> None:
    one = render_ninjs(article, HYPOTHESIS_CONFIG)
    two = render_ninjs(article, HYPOTHESIS_CONFIG)
    assert json.dumps(one) == json.dumps(two)


def test_each_document_is_a_fresh_dict(config: Config) -> None:
    article = mapped_article()
    first = render_ninjs(article, config)
    first["standard"]["version"] = "2.2"
    first["headlines"].clear()
    again = render_ninjs(article, config)
    assert again["standard"]["version"] == "3.1"
    assert again["headlines"][0]["value"] == article.headline
