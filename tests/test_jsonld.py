"""schema.org JSON-LD: every example and the seed pass the gate; conformance
with the official schema.org vocabulary (release 30.0, ../shared); the
project's vocabulary table against it; headlines, dates, breadcrumbs,
corrections, authors; hostile text."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicate import vocabulary
from syndicate.config import Config, SiteConfig
from syndicate.errors import RenderError
from syndicate.ingest import read
from syndicate.ingest.conventions import tidy_text
from syndicate.ingest.files import SIDECAR_SUFFIX, load_request
from syndicate.ingest.normalize import clean
from syndicate.model import (
    Article,
    Byline,
    Correction,
    Faq,
    FaqItem,
    Image,
    ImageBlock,
    Inline,
    Paragraph,
    Subject,
    Timestamp,
)
from syndicate.render.jsonld import MAX_HEADLINE, cut_headline, render_jsonld
from syndicate.urls import Urls
from syndicate.validate import check_jsonld

from .conftest import EXAMPLES, NOW, SEED, SHARED, need_shared

VOCABULARY = SHARED / "conformance" / "schemaorg" / "schemaorg-current-https.jsonld"
EXAMPLE_FILES = sorted(
    p for p in EXAMPLES.iterdir() if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX)
)


def read_article(path: Path, config: Config) -> Article:
    return read(load_request(path, config), config, NOW).article


def make_article(**changes: Any) -> Article:
    base = Article(
        id="urn:uuid:7d0f4c1e-3b8a-4e52-9a61-0c2f5d8e9b11",
        slug="test-story",
        headline="Test Story Headline",
        language="en",
        published=datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=2))),
        section="World News",
        body=(Paragraph(Inline("One paragraph of text.")),),
    )
    return dataclasses.replace(base, **changes)


def graph_node(doc: dict[str, Any], type_: str) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [n for n in doc["@graph"] if n.get("@type") == type_]
    assert len(nodes) == 1, f"expected one {type_} node"
    return nodes[0]


def walk_nodes(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every JSON object below @graph, without recursion."""
    stack: list[Any] = list(doc["@graph"])
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


# -- every example and the seed pass the gate --------------------------------


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_render_valid_jsonld(path: Path, config: Config) -> None:
    doc = render_jsonld(read_article(path, config), config)
    check_jsonld(doc)


def test_seed_renders_valid_jsonld(seed_path: Path, config: Config) -> None:
    check_jsonld(render_jsonld(read_article(seed_path, config), config))


def test_seed_faq_page(seed_path: Path, config: Config) -> None:
    doc = render_jsonld(read_article(seed_path, config), config)
    faq = graph_node(doc, "FAQPage")
    questions = faq["mainEntity"]
    assert len(questions) == 7
    for question in questions:
        assert question["@type"] == "Question"
        assert question["name"].strip()
        answer = question["acceptedAnswer"]
        assert answer["@type"] == "Answer"
        assert answer["text"].strip()
    assert questions[0]["name"].startswith("What is the primary purpose")


# -- conformance with the official vocabulary ---------------------------------


class Official:
    """The schema.org vocabulary file: classes, their parents, properties,
    and the terms superseded by others."""

    def __init__(self, path: Path) -> None:
        graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
        self.parents: dict[str, set[str]] = {}
        self.domains: dict[str, set[str]] = {}
        self.ranges: dict[str, set[str]] = {}
        self.superseded: set[str] = set()
        for node in graph:
            types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            name = node["@id"].removeprefix("schema:")
            if "rdfs:Class" in types:
                self.parents[name] = _ids(node.get("rdfs:subClassOf"))
            if "rdf:Property" in types:
                self.domains[name] = _ids(node.get("schema:domainIncludes"))
                self.ranges[name] = _ids(node.get("schema:rangeIncludes"))
            if "schema:supersededBy" in node:
                self.superseded.add(name)

    def ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = [name]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.parents.get(current, ()))
        return seen

    def problems(self, node: dict[str, Any]) -> list[str]:
        if "@type" not in node:
            return [] if set(node) == {"@id"} else [f"untyped node {node}"]
        type_ = node["@type"]
        if type_ not in self.parents:
            return [f"{type_} is not a schema.org class"]
        out = [f"{t} is superseded" for t in (type_, *node) if t in self.superseded]
        lineage = self.ancestors(type_)
        for key, value in node.items():
            if key.startswith("@"):
                continue
            if key not in self.domains:
                out.append(f"{key} is not a schema.org property")
            elif not self.domains[key] & lineage:
                out.append(f"{key} is not in the domain of {type_}")
            else:
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and "@type" in item:
                        if not self.ancestors(item["@type"]) & self.ranges[key]:
                            out.append(f"{key} on {type_} cannot hold a {item['@type']}")
        return out


def _ids(value: Any) -> set[str]:
    if value is None:
        return set()
    items = value if isinstance(value, list) else [value]
    return {item["@id"].removeprefix("schema:") for item in items}


@cache
def _official(path: Path) -> Official:
    return Official(path)


@pytest.fixture
def official() -> Official:
    return _official(need_shared(VOCABULARY))


def rich_article() -> Article:
    """Everything the renderer can emit at once."""
    image = Image(
        "https://images.example.org/a.jpg", "image/jpeg", 1000, "Caption", "Credit", 800, 600
    )
    return make_article(
        version=2,
        headline=" ".join(["word"] * 40),
        summary="A summary.",
        dateline="Lisbon",
        bylines=(
            Byline("Ana Reporter", "Reporter", "person", "https://example.org/ana"),
            Byline("Wire Desk", None, "organization"),
        ),
        updated=datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        keywords=("alpha", "beta, gamma"),
        subjects=(Subject("medtop:04000000", "economy, business and finance"),),
        images=(image,),
        corrections=(
            Correction(
                "An earlier version misspelt a name.", datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
            ),
        ),
        body=(
            Paragraph(Inline("Text.")),
            ImageBlock(Image("https://images.example.org/b.png", "image/png")),
            Faq((FaqItem(Inline("Why?"), Inline("Because.")),)),
        ),
    )


def rendered_documents(config: Config) -> list[tuple[str, dict[str, Any]]]:
    docs = [(p.name, render_jsonld(read_article(p, config), config)) for p in EXAMPLE_FILES]
    docs.append(("rich", render_jsonld(rich_article(), config)))
    if SEED.exists():
        docs.append(("seed", render_jsonld(read_article(SEED, config), config)))
    return docs


def test_every_node_conforms_to_schema_org(official: Official, config: Config) -> None:
    problems: list[str] = []
    seen_types: set[str] = set()
    for name, doc in rendered_documents(config):
        for node in walk_nodes(doc):
            seen_types.add(node.get("@type", ""))
            problems.extend(f"{name}: {p}" for p in official.problems(node))
    assert problems == []
    assert {
        "NewsArticle",
        "FAQPage",
        "BreadcrumbList",
        "CorrectionComment",
        "DefinedTerm",
        "NewsMediaOrganization",
        "Person",
        "Organization",
        "Place",
    } <= seen_types


def test_vocabulary_table_agrees_with_schema_org(official: Official) -> None:
    problems = []
    for name, cls in vocabulary.CLASSES.items():
        if name not in official.parents:
            problems.append(f"class {name} unknown")
            continue
        if cls.parent is not None and cls.parent not in official.parents[name]:
            problems.append(f"{name} is not a subclass of {cls.parent}")
        for prop in cls.properties:
            if name not in official.domains.get(prop, set()):
                problems.append(f"{prop} is not declared on {name}")
    assert problems == []
    for name in vocabulary.CLASSES:
        allowed = vocabulary.ALLOWED[name]
        lineage = official.ancestors(name)
        assert all(official.domains[p] & lineage for p in allowed), name


LITERAL_TYPES = {
    "text": {"Text"},
    "url": {"URL"},
    "date": {"Date", "DateTime"},
    "bool": {"Boolean"},
    "int": {"Integer", "Number"},
}
NARROWED = {
    # Google's Article documentation gives image sizes as pixel numbers, where
    # schema.org names Distance or QuantitativeValue.
    ("width", "int"),
    ("height", "int"),
    # Google's breadcrumb documentation: `item` is the URL of the crumb's page;
    # schema.org accepts a URL where a Thing is expected.
    ("item", "url"),
}


def test_vocabulary_ranges_agree_with_schema_org(official: Official) -> None:
    assert set(vocabulary.RANGES) == vocabulary.known_properties()
    problems = []
    for prop, kinds in vocabulary.RANGES.items():
        expected = official.ranges[prop]
        for kind in kinds:
            if (prop, kind) in NARROWED:
                continue
            wanted = LITERAL_TYPES.get(kind) or official.ancestors(kind)
            if not wanted & expected:
                problems.append(f"{prop}: {kind} is not in {sorted(expected)}")
    assert problems == []


# -- headlines ------------------------------------------------------------------


def expected_cut(words: list[str]) -> str:
    """The longest run of whole words within the limit, with an ellipsis if it fits."""
    best = words[0]
    for k in range(2, len(words) + 1):
        candidate = " ".join(words[:k])
        if len(candidate) > MAX_HEADLINE:
            break
        best = candidate
    return best + "…" if len(best) < MAX_HEADLINE else best


@pytest.mark.parametrize(
    "words",
    [
        ["Harbour"] * 20,
        [f"w{i:03d}" for i in range(30)],
        ["Council", "approves", "budget"] * 12,
        ["Ten-thousand"] + ["characters"] * 908,
        ["x" * 54, "y" * 55, "z" * 10],
    ],
    ids=["repeated", "numbered", "sentence", "ten-thousand", "exact-110"],
)
def test_long_headline_cut_at_a_word_boundary(words: list[str], config: Config) -> None:
    full = " ".join(words)
    assert len(full) > MAX_HEADLINE
    doc = render_jsonld(make_article(headline=full), config)
    check_jsonld(doc)
    node = graph_node(doc, "NewsArticle")
    assert node["alternativeHeadline"] == full
    headline = node["headline"]
    assert headline == expected_cut(words)
    assert len(headline) <= MAX_HEADLINE
    stem = headline.removesuffix("…")
    assert full.startswith(stem) and full[len(stem)] == " "
    crumbs = graph_node(doc, "BreadcrumbList")["itemListElement"]
    assert crumbs[2]["name"] == headline


def test_ten_thousand_character_headline(config: Config) -> None:
    full = ("Scientists publish a very long report on the state of the harbour " * 160)[:10_000]
    doc = render_jsonld(make_article(headline=full.strip()), config)
    check_jsonld(doc)
    node = graph_node(doc, "NewsArticle")
    assert len(full.strip()) > 9_000
    assert node["alternativeHeadline"] == full.strip()
    assert len(node["headline"]) <= MAX_HEADLINE
    assert full.startswith(node["headline"].removesuffix("…"))


def test_short_headline_is_kept_whole(config: Config) -> None:
    headline = "x" * 100 + " " + "y" * 9
    node = graph_node(render_jsonld(make_article(headline=headline), config), "NewsArticle")
    assert node["headline"] == headline and len(headline) == MAX_HEADLINE
    assert "alternativeHeadline" not in node


def test_headline_without_spaces_cut_between_characters() -> None:
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    for text in ("한" * 300, "a" * 108 + family * 5, "e\u0301" * 100):
        cut = cut_headline(text)
        assert len(cut) <= MAX_HEADLINE and cut.endswith("…")
        stem = cut.removesuffix("…")
        assert text.startswith(stem)
        assert stem[-1] != "\u200d" and text[len(stem)] not in "\u200d\u0301"


# -- dates, breadcrumbs, corrections, authors ---------------------------------


@pytest.mark.parametrize(
    ("published", "text"),
    [
        (date(2026, 11, 20), "2026-11-20"),
        (
            datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=9))),
            "2026-11-20T09:30:00+09:00",
        ),
        (
            datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
            "2026-11-20T09:30:00-03:30",
        ),
        (datetime(2026, 11, 20, 9, 30, 15, 250000, tzinfo=UTC), "2026-11-20T09:30:15.250000+00:00"),
    ],
)
def test_dates_keep_their_form_and_offset(published: Timestamp, text: str, config: Config) -> None:
    doc = render_jsonld(make_article(published=published), config)
    check_jsonld(doc)
    node = graph_node(doc, "NewsArticle")
    assert node["datePublished"] == text
    assert node["dateModified"] == text


def test_updated_is_date_modified(config: Config) -> None:
    updated = datetime(2026, 11, 22, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    doc = render_jsonld(make_article(published=date(2026, 11, 20), updated=updated), config)
    node = graph_node(doc, "NewsArticle")
    assert (node["datePublished"], node["dateModified"]) == (
        "2026-11-20",
        "2026-11-22T18:00:00+01:00",
    )


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8080", "https://news.example.com/edition/"])
def test_breadcrumbs_use_the_site_urls(base_url: str, config: Config) -> None:
    config = dataclasses.replace(config, site=SiteConfig(base_url=base_url))
    article = make_article(slug="bridge-reopens", section="World News")
    doc = render_jsonld(article, config)
    check_jsonld(doc)
    urls = Urls(base_url)
    crumbs = graph_node(doc, "BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, config.site.name, urls.home()),
        (2, "World News", urls.section("World News")),
        (3, article.headline, urls.article("bridge-reopens")),
    ]
    node = graph_node(doc, "NewsArticle")
    assert node["url"] == node["mainEntityOfPage"] == urls.article("bridge-reopens")
    assert node["@id"] == urls.article("bridge-reopens") + "#article"


def test_correction_comments_only_on_corrected_versions(config: Config) -> None:
    plain = render_jsonld(make_article(), config)
    assert "correction" not in graph_node(plain, "NewsArticle")
    assert all(n.get("@type") != "CorrectionComment" for n in walk_nodes(plain))
    when = datetime(2026, 11, 21, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    corrected = make_article(
        version=2,
        updated=when,
        corrections=(Correction("An earlier version gave the wrong date.", when),),
    )
    doc = render_jsonld(corrected, config)
    check_jsonld(doc)
    assert graph_node(doc, "NewsArticle")["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "An earlier version gave the wrong date.",
            "datePublished": "2026-11-21T10:15:00+01:00",
        }
    ]


def test_person_and_organization_authors(config: Config) -> None:
    bylines = (
        Byline("Mara Lindqvist", "Correspondent", "person", "https://example.org/mara"),
        Byline("Data Desk", None, "organization", "https://example.org/data"),
        Byline("Aiko Mori"),
    )
    doc = render_jsonld(make_article(bylines=bylines), config)
    check_jsonld(doc)
    assert graph_node(doc, "NewsArticle")["author"] == [
        {"@type": "Person", "name": "Mara Lindqvist", "url": "https://example.org/mara"},
        {"@type": "Organization", "name": "Data Desk", "url": "https://example.org/data"},
        {"@type": "Person", "name": "Aiko Mori"},
    ]


def test_publisher_and_unsigned_articles(config: Config) -> None:
    doc = render_jsonld(make_article(), config)
    node = graph_node(doc, "NewsArticle")
    publisher = node["publisher"]
    assert publisher == {
        "@type": "NewsMediaOrganization",
        "@id": config.publisher.url + "#publisher",
        "name": config.publisher.name,
        "url": config.publisher.url,
        "logo": {
            "@type": "ImageObject",
            "url": config.publisher.logo,
            "contentUrl": config.publisher.logo,
        },
    }
    assert node["author"] == [publisher]
    assert node["copyrightHolder"] == {"@id": publisher["@id"]}


def test_images_subjects_keywords(config: Config) -> None:
    doc = render_jsonld(rich_article(), config)
    check_jsonld(doc)
    node = graph_node(doc, "NewsArticle")
    assert node["image"] == [
        {
            "@type": "ImageObject",
            "url": "https://images.example.org/a.jpg",
            "contentUrl": "https://images.example.org/a.jpg",
            "width": 800,
            "height": 600,
            "caption": "Caption",
            "creditText": "Credit",
            "encodingFormat": "image/jpeg",
        },
        {
            "@type": "ImageObject",
            "url": "https://images.example.org/b.png",
            "contentUrl": "https://images.example.org/b.png",
            "encodingFormat": "image/png",
        },
    ]
    assert node["keywords"] == ["alpha", "beta, gamma"]
    assert node["about"] == [
        {
            "@type": "DefinedTerm",
            "name": "economy, business and finance",
            "termCode": "04000000",
            "inDefinedTermSet": "http://cv.iptc.org/newscodes/mediatopic/",
            "url": "http://cv.iptc.org/newscodes/mediatopic/04000000",
        }
    ]
    assert node["dateline"] == "Lisbon"
    assert node["locationCreated"] == {"@type": "Place", "name": "Lisbon"}


def test_rendering_is_deterministic(config: Config) -> None:
    article = rich_article()
    first = json.dumps(render_jsonld(article, config), sort_keys=False)
    assert json.dumps(render_jsonld(article, config), sort_keys=False) == first


# -- the gate refuses what breaks the profile or the vocabulary ---------------


def test_vocabulary_problems_are_reported() -> None:
    doc = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "headline": "H",
                "datePublished": "20 November 2026",
                "caption": "not on an article",
                "colour": "blue",
                "author": {"@type": "Place", "name": "Lisbon"},
                "about": {"@type": "Unicorn", "name": "x"},
                "isAccessibleForFree": "yes",
                "image": [{"@type": "ImageObject", "url": "javascript:alert(1)"}],
            }
        ],
    }
    problems = "\n".join(vocabulary.vocabulary_problems(doc))
    for needle in (
        "datePublished expects date",
        "'caption' is not a property of NewsArticle",
        "unknown property 'colour'",
        "author expects Person or Organization",
        "unknown type 'Unicorn'",
        "isAccessibleForFree expects bool",
        "url expects url",
    ):
        assert needle in problems
    assert vocabulary.vocabulary_problems({"@graph": [{"@id": "https://x.example/"}]}) == []
    assert vocabulary.vocabulary_problems({"@graph": [{"@id": "_:b0"}]}) == [
        "@graph/0/@id: expects an http(s) URL, got '_:b0'"
    ]


def test_gate_refuses_a_broken_document(config: Config) -> None:
    doc = render_jsonld(make_article(), config)
    graph_node(doc, "NewsArticle")["headline"] = "x" * (MAX_HEADLINE + 1)
    with pytest.raises(RenderError, match="jsonld"):
        check_jsonld(doc)
    doc = render_jsonld(make_article(), config)
    graph_node(doc, "BreadcrumbList")["itemListElement"][0]["caption"] = "x"
    with pytest.raises(RenderError):
        check_jsonld(doc)


def test_deep_documents_are_walked_without_recursion() -> None:
    node: dict[str, Any] = {"@type": "Thing", "name": "leaf"}
    for _ in range(5_000):
        node = {"@type": "CreativeWork", "about": node}
    assert vocabulary.vocabulary_problems({"@graph": [node]}) == []


# -- hostile text ---------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "</script>",
    "&amp;",
    "&lt;b&gt;",
    "<!--",
    "]]>",
    '"quoted" \\back\\slash',
    "\u202eevil\u202c",
    "مرحبا بالعالم",
    "\u200fשלום\u200e",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1e9\U0001f1ea",
    "e\u0301",
    "\u2028\u2029",
    "\x00\x1f\ufffe",
    "\u00a0",
    "{{ x }}",
]


def _tidy(raw: str) -> str:
    return tidy_text(clean(raw))


hostile_text = (
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=1, max_size=6)
    .map(lambda parts: _tidy(" ".join(parts)))
    .filter(lambda t: t.strip() != "")
)
headlines = st.one_of(
    hostile_text,
    hostile_text.map(lambda t: _tidy((t + " ") * (10_000 // (len(t) + 1) + 1))[:10_000]).filter(
        lambda t: t.strip() != ""
    ),
)


@given(
    headline=headlines,
    summary=hostile_text,
    dateline=hostile_text,
    name=hostile_text,
    keyword=hostile_text,
    question=hostile_text,
    answer=hostile_text,
    note=hostile_text,
    caption=hostile_text,
)
def test_hostile_text_round_trips(
    headline: str,
    summary: str,
    dateline: str,
    name: str,
    keyword: str,
    question: str,
    answer: str,
    note: str,
    caption: str,
) -> None:
    config = Config(root=Path("."))
    when = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    article = make_article(
        headline=headline,
        summary=summary,
        dateline=dateline,
        bylines=(Byline(name), Byline(name, kind="organization")),
        keywords=(keyword,),
        subjects=(Subject("medtop:01000000", name),),
        images=(Image("https://images.example.org/x.jpg", caption=caption, credit=name),),
        corrections=(Correction(note, when),),
        body=(Paragraph(Inline(summary)), Faq((FaqItem(Inline(question), Inline(answer)),))),
    )
    doc = render_jsonld(article, config)
    check_jsonld(doc)
    for text in (json.dumps(doc), json.dumps(doc, ensure_ascii=False)):
        assert json.loads(text) == doc
    node = graph_node(doc, "NewsArticle")
    assert node.get("alternativeHeadline", node["headline"]) == headline
    assert headline.startswith(node["headline"].removesuffix("…"))
    assert len(node["headline"]) <= MAX_HEADLINE
    assert node["description"] == summary
    assert node["dateline"] == dateline
    assert [a["name"] for a in node["author"]] == [name, name]
    assert node["keywords"] == [keyword]
    assert node["about"][0]["name"] == name
    assert node["image"][0]["caption"] == caption
    assert node["correction"][0]["text"] == note
    faq = graph_node(doc, "FAQPage")["mainEntity"][0]
    assert (faq["name"], faq["acceptedAnswer"]["text"]) == (question, answer)
