"""JSON input: the canonical article JSON (round trip, schema refusals with
paths) and IPTC ninjs 3.x / 2.x (official examples, field mapping)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from syndicate import codec
from syndicate.config import Config
from syndicate.errors import ReadError
from syndicate.ingest import read
from syndicate.ingest.base import ReadRequest, ReadResult
from syndicate.ingest.jsonin import detect, read_json
from syndicate.model import (
    Article,
    Byline,
    Correction,
    Faq,
    FaqItem,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    ListItem,
    Mark,
    Paragraph,
    PubStatus,
    Quote,
    Subject,
    Table,
)
from syndicate.resources import json_schema

from .conftest import NOW, SHARED, need_shared

NINJS = SHARED / "conformance" / "ninjs"
KST = timezone(timedelta(hours=9))
BERLIN_WINTER = timezone(timedelta(hours=1))


def read_bytes(data: bytes, config: Config, name: str = "article.json") -> ReadResult:
    return read_json(ReadRequest(name, data), config, NOW)


def read_doc(doc: dict[str, Any], config: Config) -> ReadResult:
    return read_bytes(json.dumps(doc, ensure_ascii=False).encode("utf-8"), config)


def full_article() -> Article:
    return Article(
        id="urn:uuid:6f1c3c52-8a31-4a4f-9a84-2f0d3c1e9b10",
        slug="kim-jong-un-arrives-in-beijing",
        version=3,
        headline="Kim Jong-un arrives in Beijing",
        subheadline="A rare trip abroad",
        language="en-GB",
        dateline="Beijing",
        bylines=(
            Byline("Jane Roe", "Seoul correspondent", "person", "https://example.org/jane"),
            Byline("Example Wire", None, "organization"),
        ),
        published=datetime(2026, 3, 3, 8, 15, tzinfo=KST),
        updated=date(2026, 3, 4),
        section="World",
        keywords=("North Korea", "China"),
        subjects=(Subject("medtop:11000000", "politics"),),
        summary="The leader arrived by train.",
        images=(
            Image(
                "https://example.org/a.jpg",
                "image/jpeg",
                length=12345,
                caption="The train",
                credit="Agency",
                width=1200,
                height=800,
                alt="A green train",
            ),
        ),
        pubstatus=PubStatus.WITHHELD,
        embargo=datetime(2026, 3, 5, 0, 0, tzinfo=UTC),
        corrections=(Correction("The date was wrong.", datetime(2026, 3, 4, 9, 0, tzinfo=KST)),),
        body=(
            Heading("Background", 2),
            Heading("Details", 4),
            Paragraph(
                Inline(
                    "Sanctions Impact: see the report & more.",
                    (
                        Mark("strong", 0, 17),
                        Mark("em", 18, 21),
                        Mark("code", 35, 39),
                        Mark("link", 22, 32, "https://example.org/report"),
                    ),
                )
            ),
            ListBlock(
                (
                    ListItem(
                        Inline("first", (Mark("em", 0, 5),)),
                        ListBlock((ListItem(Inline("nested")),), ordered=True),
                    ),
                    ListItem(Inline("")),
                )
            ),
            Table(
                (Inline("A"), Inline("B", (Mark("strong", 0, 1),))),
                ((Inline("1"), Inline("")),),
            ),
            Faq((FaqItem(Inline("Why?"), Inline("Because.", (Mark("em", 0, 7),))),)),
            Quote(Inline("Words.", (Mark("em", 0, 5),)), "Someone"),
            Quote(Inline("Unattributed.")),
            ImageBlock(Image("https://example.org/b.png", "image/png", alt="B")),
        ),
    )


def canonical(article: Article | None = None) -> dict[str, Any]:
    return codec.to_dict(article or full_article())


# -- the canonical article JSON ------------------------------------------------------


def test_canonical_round_trip(config: Config) -> None:
    article = full_article()
    data = json.dumps(codec.to_dict(article), ensure_ascii=False, indent=2).encode("utf-8")
    result = read_bytes(data, config)
    assert result.article == article
    assert result.lints == ()
    assert result.date_inferred is False
    jsonschema.Draft202012Validator(json_schema("article.schema.json")).validate(
        codec.to_dict(article)
    )


def test_canonical_minimal_without_hash_and_through_the_dispatcher(config: Config) -> None:
    article = Article(
        id="https://example.org/story/1",
        slug="short",
        headline="Short",
        language="en",
        published=date(2026, 1, 2),
        section="News",
        body=(Paragraph(Inline("Text.")),),
    )
    data = codec.to_dict(article, with_hash=False)
    result = read(ReadRequest("x.json", json.dumps(data).encode()), config, NOW)
    assert result.article == article
    assert {lint.code for lint in result.lints} == {"no-byline", "no-image"}


def test_canonical_hash_mismatch_is_a_lint(config: Config) -> None:
    data = canonical()
    data["content_hash"] = "0" * 64
    assert "content-hash" in [lint.code for lint in read_doc(data, config).lints]


def test_canonical_text_is_cleaned_and_marks_follow(config: Config) -> None:
    data = canonical()
    data["headline"] = "Cafe\u0301\u0000 news"
    data["body"][2] = {
        "type": "paragraph",
        "text": "Cafe\u0301 au lait",
        "marks": [{"type": "em", "start": 6, "end": 8}],
    }
    article = read_doc(data, config).article
    assert article.headline == "Café news"
    assert article.body[2] == Paragraph(Inline("Café au lait", (Mark("em", 5, 7),)))


def problems_of(doc: dict[str, Any], config: Config) -> list[str]:
    with pytest.raises(ReadError) as info:
        read_doc(doc, config)
    return [p.message for p in info.value.problems]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("summary"), "$: 'summary' is a required property"),
        (lambda d: d.update(extra=1), "Additional properties are not allowed ('extra'"),
        (lambda d: d["subjects"][0].update(qcode="medtop:1"), "$.subjects[0].qcode: 'medtop:1'"),
        (lambda d: d.update(published="2026-03-03T08:15:00"), "$.published: '2026-03-03T08:15"),
        (lambda d: d.update(embargo="2026-03-05"), "$.embargo: '2026-03-05' is not"),
        (lambda d: d.update(published="2026-02-30"), "$.published: '2026-02-30' is not"),
        (lambda d: d.update(updated="2026-03-03T25:00:00+09:00"), "$.updated: not a valid date"),
        (lambda d: d.update(pubstatus="draft"), "$.pubstatus: 'draft' is not one of"),
        (lambda d: d.update(version=0), "$.version: 0 is less than the minimum of 1"),
        (lambda d: d.update(id="not a uri"), "$.id: 'not a uri' does not match"),
        (lambda d: d["body"][0].update(level=1), "$.body[0].level: 1 is less than"),
        (lambda d: d["body"][1].update(type="aside"), "$.body[1].type: 'aside' is not one of"),
        (lambda d: d["body"][2]["marks"][0].update(href="https://x.org"), "$.body[2].marks[0]"),
        (lambda d: d["body"][2]["marks"][2].pop("href"), "$.body[2].marks[2]: 'href' is a"),
        (lambda d: d["body"][2]["marks"][1].update(end=99), "$.body[2].marks[1]: ends at 99"),
        (lambda d: d["body"][2]["marks"][1].update(end=18), "$.body[2].marks[1]: empty range"),
        (lambda d: d["body"][4]["rows"][0].pop(), "$.body[4].rows[0]: 1 cells under 2 columns"),
        (lambda d: d["body"][3]["items"][0].update(x=1), "$.body[3].items[0]: Additional"),
        (lambda d: d["images"][0].update(url="ftp://x"), "$.images[0].url: 'ftp://x'"),
        (lambda d: d["corrections"][0].update(time="soon"), "$.corrections[0].time: 'soon'"),
        (lambda d: d.update(body=[]), "$.body: [] should be non-empty"),
        (lambda d: d.update(content_hash="abc"), "$.content_hash: 'abc' does not match"),
    ],
)
def test_canonical_refusals_name_the_json_path(config: Config, change: Any, expected: str) -> None:
    data = canonical()
    change(data)
    problems = problems_of(data, config)
    assert any(p.startswith(expected) or expected in p for p in problems), problems


def test_every_problem_is_reported(config: Config) -> None:
    data = canonical()
    data["subjects"][0]["qcode"] = "x"
    data["bylines"][0]["kind"] = "robot"
    problems = problems_of(data, config)
    assert len(problems) == 2
    assert problems[0].startswith("$.bylines[0].kind") and problems[1].startswith("$.subjects[0]")


def test_canonical_lists_deeper_than_the_limit_are_refused(config: Config) -> None:
    item: dict[str, Any] = {"text": "bottom"}
    for level in range(config.limits.max_list_depth + 1):
        item = {
            "text": f"level {level}",
            "children": {"type": "list", "ordered": False, "items": [item]},
        }
    data = canonical()
    data["body"] = [item["children"]]
    assert any("deeper than 8 levels" in p for p in problems_of(data, config))


# -- malformed input -----------------------------------------------------------------


def test_invalid_json_names_line_and_column(config: Config) -> None:
    with pytest.raises(ReadError) as info:
        read_bytes(b'{\n  "uri": "urn:x",\n  "headlines": [,]\n}', config)
    assert info.value.line == 3
    assert "line 3, column 17" in info.value.message


@pytest.mark.parametrize(
    "data",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a": ' * 5000 + b"1" + b"}" * 5000, b"x", b""],
)
def test_hostile_json_is_a_read_error(config: Config, data: bytes) -> None:
    with pytest.raises(ReadError):
        read_bytes(data, config)


def test_deep_but_parseable_json_is_refused(config: Config) -> None:
    deep: Any = "x"
    for _ in range(300):
        deep = {"a": deep}
    with pytest.raises(ReadError, match="nested deeper"):
        read_doc({"uri": "urn:x", "headlines": [{"value": "H"}], "extra": deep}, config)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1, 2]", "expected a JSON object, not an array"),
        (b'{"title": "x"}', "not an article: expected the canonical"),
        (b'{"uri": "urn:x", "headline": "H", "body_text": "b"}', "ninjs 1.x is not read"),
        (b"\xff{}", "not valid UTF-8 at byte offset 0"),
    ],
)
def test_documents_that_are_not_articles(config: Config, data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_bytes(data, config)


def test_detection() -> None:
    assert detect(canonical()) == "canonical"
    assert detect({"uri": "x", "versionCreated": "", "headlines": []}) == "ninjs3"
    assert detect({"uri": "x", "versioncreated": "", "headlines": []}) == "ninjs2"
    assert detect({"uri": "x", "headlines": [], "bodies": []}) == "ninjs3"
    assert detect({"uri": "x", "standard": {"name": "ninjs", "version": "2.1"}}) == "ninjs2"
    assert detect({"uri": "x", "standard": {"name": "TTNINJS", "version": "3.0"}}) == "ninjs3"
    assert detect({"uri": "x", "headline": "h", "versioncreated": ""}) == "ninjs1"


# -- ninjs ---------------------------------------------------------------------------


def ninjs_examples() -> list[Path]:
    """Official 2.x and 3.x examples that carry a headline and a body."""
    if not NINJS.is_dir():
        return [NINJS]
    found = []
    for folder in ("examples/2.1", "examples/3.0", "doc-examples/2.2", "doc-examples/3.1"):
        for path in sorted((NINJS / folder).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            values = [b.get("value", "").strip() for b in doc.get("bodies", ())]
            if doc.get("headlines") and any(values):
                found.append(path)
    return found


@pytest.mark.parametrize("path", ninjs_examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_official_ninjs_examples(config: Config, path: Path) -> None:
    need_shared(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    result = read_bytes(path.read_bytes(), config, path.name)
    article = result.article
    assert article.id == doc["uri"]
    headlines = doc["headlines"]
    main = next((h for h in headlines if h.get("role") == "main"), headlines[0])
    assert article.headline == " ".join(main["value"].split())
    assert article.body and all(not isinstance(b, Heading) or b.text for b in article.body)
    created = doc.get("versionCreated") or doc.get("versioncreated")
    if created and not (doc.get("firstCreated") or doc.get("firstcreated")):
        assert article.published == datetime.fromisoformat(created)
    codec.from_dict(codec.to_dict(article))


def test_ninjs_counts_what_it_reads() -> None:
    if NINJS.is_dir():
        assert len(ninjs_examples()) >= 20


def hand_written_v3() -> dict[str, Any]:
    return {
        "uri": "https://wire.example/items/2026-0042",
        "standard": {
            "name": "ninjs",
            "version": "3.1",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json",
        },
        "type": "text",
        "version": "3",
        "firstCreated": "2026-03-03T08:15:00+09:00",
        "versionCreated": "2026-03-04T10:00:00Z",
        "embargoedUntil": "2026-03-05T06:00:00+01:00",
        "pubStatus": "withheld",
        "language": "ko",
        "located": "서울",
        "by": "By Jane Roe and Kim Min-jun, Seoul correspondents",
        "headlines": [
            {"role": "sub", "value": "A rare   trip"},
            {"role": "main", "value": "Kim arrives in Beijing"},
        ],
        "descriptions": [
            {"role": "teaser", "value": "Teaser."},
            {"role": "summary", "contentType": "text/html", "value": "<p>The <b>summary</b>.</p>"},
        ],
        "bodies": [
            {"contentType": "text/plain", "value": "Plain version."},
            {
                "role": "main",
                "contentType": "application/xhtml+xml",
                "value": "<div><h1>Kim arrives in Beijing</h1><p>Body <em>text</em>.</p>"
                "<h2>More</h2><ul><li>one</li></ul></div>",
            },
        ],
        "people": [
            {"name": "Jane Roe", "rel": "author", "uri": "https://wire.example/people/jane"},
            {"name": "Kim Min-jun", "rel": "http://cv.iptc.org/newscodes/rel/creator"},
            {"name": "Kim Jong-un", "rel": "about"},
        ],
        "organisations": [{"name": "Wire Desk", "rel": "author"}],
        "subjects": [
            {"uri": "http://cv.iptc.org/newscodes/mediatopic/11000000", "name": "politics"},
            {"uri": "http://cv.iptc.org/newscodes/mediatopic/11000000", "name": "politics"},
            {"uri": "http://cv.iptc.org/newscodes/mediatopic/20000621", "name": "diplomacy"},
            {"uri": "https://wire.example/tags/rail", "name": "rail travel"},
            {"uri": "http://cv.iptc.org/newscodes/mediatopic/04000000"},
        ],
        "associations": [
            {
                "name": "mainpic",
                "uri": "urn:wire:pic:1",
                "type": "picture",
                "by": "Photo Desk",
                "headlines": [{"value": "The train"}],
                "descriptions": [{"role": "caption", "value": "The green train arrives."}],
                "renditions": [
                    {
                        "name": "thumb",
                        "href": "https://img.example/t.jpg",
                        "contentType": "image/jpg",
                        "width": 100,
                        "height": 60,
                    },
                    {
                        "name": "big",
                        "href": "https://img.example/b.jpg",
                        "contentType": "image/jpg",
                        "width": 1600,
                        "height": 900,
                        "sizeInBytes": 204800,
                    },
                ],
            },
            {"name": "clip", "uri": "https://vid.example/v.mp4", "type": "video"},
        ],
    }


def expected_article() -> dict[str, Any]:
    return {
        "id": "https://wire.example/items/2026-0042",
        "version": 3,
        "headline": "Kim arrives in Beijing",
        "subheadline": "A rare trip",
        "language": "ko",
        "dateline": "서울",
        "bylines": (
            Byline(
                "Jane Roe", "Seoul correspondents", "person", "https://wire.example/people/jane"
            ),
            Byline("Kim Min-jun", "Seoul correspondents", "person"),
            Byline("Wire Desk", None, "organization"),
        ),
        "published": datetime(2026, 3, 3, 8, 15, tzinfo=KST),
        "updated": datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
        "embargo": datetime(2026, 3, 5, 6, 0, tzinfo=BERLIN_WINTER),
        "pubstatus": PubStatus.WITHHELD,
        "subjects": (
            Subject("medtop:11000000", "politics"),
            Subject("medtop:20000621", "diplomacy"),
        ),
        "keywords": ("rail travel",),
        "summary": "The summary.",
        "images": (
            Image(
                "https://img.example/b.jpg",
                "image/jpeg",
                length=204800,
                caption="The green train arrives.",
                credit="Photo Desk",
                width=1600,
                height=900,
            ),
        ),
        "body": (
            Paragraph(Inline("Body text.", (Mark("em", 5, 9),))),
            Heading("More", 2),
            ListBlock((ListItem(Inline("one")),)),
        ),
    }


def check(article: Article, expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        assert getattr(article, key) == value, key


def test_ninjs3_mapping(config: Config) -> None:
    result = read_doc(hand_written_v3(), config)
    check(result.article, expected_article())
    assert result.article.slug == "kim-arrives-in-beijing"
    assert result.article.section == config.ingest.default_section
    assert [lint.code for lint in result.lints] == ["subject-unnamed"]


def test_the_hand_written_document_is_valid_ninjs(config: Config) -> None:
    need_shared(NINJS)
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry()
    for name in ("GeoJSON-schema.json", "ninjs-schema_3.1.json"):
        schema = json.loads((NINJS / "schemas" / name).read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema)
        uri = (schema.get("$id") or schema["id"]).rstrip("#")
        registry = registry.with_resources([(uri, resource), (uri + "#", resource)])
    schema = json.loads((NINJS / "schemas" / "ninjs-schema_3.1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, registry=registry).validate(hand_written_v3())


def to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """The same document with ninjs 2.x names."""
    out = {}
    for key, value in doc.items():
        if key == "standard":
            value = {**value, "version": "2.2"}
        if isinstance(value, list):
            value = [
                {k.lower(): v for k, v in item.items()} if isinstance(item, dict) else item
                for item in value
            ]
            for item in value:
                for rendition in item.get("renditions", ()):
                    for k in list(rendition):
                        rendition[k.lower()] = rendition.pop(k)
        out["embargoed" if key == "embargoedUntil" else key.lower()] = value
    return out


def test_ninjs2_mapping(config: Config) -> None:
    doc = to_v2(copy.deepcopy(hand_written_v3()))
    assert "versioncreated" in doc and "contenttype" in doc["bodies"][1]
    check(read_doc(doc, config).article, expected_article())
    del doc["standard"]
    check(read_doc(doc, config).article, expected_article())


def test_ninjs_dates_without_offset_or_time(config: Config) -> None:
    doc = {
        "uri": "urn:x:1",
        "versionCreated": "2026-01-15",
        "embargoedUntil": "2026-07-01T09:30:00",
        "headlines": [{"value": "H"}],
        "bodies": [{"value": "Line one.\n\n  Line   two.  "}],
    }
    result = read_doc(doc, config)
    assert result.article.published == datetime(2026, 1, 15, tzinfo=BERLIN_WINTER)
    assert result.article.embargo == datetime(
        2026, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))
    )
    assert result.article.updated is None
    assert result.article.body == (Paragraph(Inline("Line one.")), Paragraph(Inline("Line two.")))
    assert "naive-time" in [lint.code for lint in result.lints]


def test_ninjs_bylines_from_by_alone(config: Config) -> None:
    doc = {
        "uri": "urn:x:2",
        "by": "Von Christian Hollmann, dpa",
        "headlines": [{"value": "H"}],
        "bodies": [{"contentType": "text/html", "value": "<p>x</p>"}],
    }
    assert read_doc(doc, config).article.bylines == (Byline("Christian Hollmann", "dpa"),)


def test_ninjs_nitf_body(config: Config) -> None:
    nitf = (
        '<?xml version="1.0" encoding="UTF-8"?><nitf><head><title>T</title></head><body>'
        "<body.head><hedline><hl1>H</hl1></hedline><byline>By X</byline></body.head>"
        "<body.content><block><p>First.</p><p>Second.</p></block></body.content></body></nitf>"
    )
    doc = {
        "uri": "urn:x:3",
        "headlines": [{"value": "H"}],
        "bodies": [{"contentType": "text/vnd.IPTC.NITF", "value": nitf}],
    }
    assert read_doc(doc, config).article.body == (
        Paragraph(Inline("First.")),
        Paragraph(Inline("Second.")),
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(uri="not a uri"), "$.uri: 'not a uri': a URI is needed"),
        (lambda d: d.pop("uri"), "$.uri: missing"),
        (lambda d: d.update(headlines={"value": "x"}), "$.headlines: expected an array"),
        (lambda d: d["headlines"].append("x"), "$.headlines[2]: expected an object"),
        (lambda d: d["bodies"][1].update(value=5), "$.bodies[1].value: expected a string"),
        (lambda d: d.update(pubStatus="draft"), "$.pubStatus: 'draft' is not a pubStatus"),
        (lambda d: d.update(firstCreated="yesterday"), "$.firstCreated: 'yesterday' is not"),
        (lambda d: d["people"][0].update(name=["x"]), "$.people[0].name: expected a string"),
        (
            lambda d: d["bodies"][1].update(value="<div>" * 300 + "</div>" * 300),
            "$.bodies[1].value: markup refused",
        ),
    ],
)
def test_ninjs_problems_name_the_json_path(config: Config, change: Any, expected: str) -> None:
    doc = hand_written_v3()
    change(doc)
    problems = problems_of(doc, config)
    assert any(p.startswith(expected) for p in problems), problems


def test_ninjs_without_headline_or_body(config: Config) -> None:
    doc = hand_written_v3()
    del doc["bodies"]
    with pytest.raises(ReadError, match="no body text"):
        read_doc(doc, config)
    doc = hand_written_v3()
    del doc["headlines"]
    with pytest.raises(ReadError, match="no headline"):
        read_doc(doc, config)
