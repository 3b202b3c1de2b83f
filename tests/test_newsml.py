"""NewsML-G2 newsItem: the examples and the seed against the project's profile
and the official 2.35 XSD, the metadata mapping, the XHTML body read back,
hostile text escaped exactly once, and byte-for-byte determinism."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from syndicate.config import Config, load_config
from syndicate.errors import RenderError
from syndicate.ingest import read
from syndicate.ingest.conventions import tidy_text
from syndicate.ingest.files import discover, load_request
from syndicate.ingest.normalize import clean
from syndicate.ingest.xhtml import blocks_from_element
from syndicate.model import (
    Article,
    Byline,
    Correction,
    Faq,
    FaqItem,
    Heading,
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
from syndicate.render.newsml import NAR_NS, render_newsml
from syndicate.render.xhtml import XHTML_NS
from syndicate.validate import SAFE_XML, check_newsml

from .conftest import EXAMPLES, NOW, SHARED, need_shared
from .test_text_export import SEED_SECTIONS

OFFICIAL = SHARED / "conformance" / "newsml-g2" / "G2-multi-schema-2.35.xsd"
EXAMPLE_FILES = discover([EXAMPLES])
N = f"{{{NAR_NS}}}"
H = f"{{{XHTML_NS}}}"
BERLIN_WINTER = timezone(timedelta(hours=1))


@cache
def official_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(OFFICIAL), parser))


def check_official(data: bytes) -> None:
    """Valid against IPTC's own NewsML-G2 2.35 schema, with a newsItem as root."""
    root = etree.fromstring(data, SAFE_XML)
    assert root.tag == f"{N}newsItem"
    schema = official_schema()
    assert schema.validate(root), schema.error_log


def render(article: Article, config: Config) -> etree._Element:
    """Rendered, through the project's gate, parsed back."""
    return check_newsml(render_newsml(article, config)).getroot()


def inline_html(root: etree._Element) -> etree._Element:
    (inline,) = root.iterfind(f"{N}contentSet/{N}inlineXML")
    assert inline.get("contenttype") == "application/xhtml+xml"
    (html,) = list(inline)
    assert html.tag == f"{H}html"
    return html


def texts(root: etree._Element, path: str) -> list[str]:
    return [el.text or "" for el in root.iterfind(path, {"n": NAR_NS})]


def load(path: Path, config: Config) -> Article:
    return read(load_request(path, config), config, NOW).article


def story(**changes: object) -> Article:
    base = Article(
        id="urn:uuid:6f0e7a52-0000-4000-8000-000000000001",
        slug="council-votes",
        headline="Council votes on the budget",
        language="en",
        published=datetime(2026, 3, 3, 8, 15, tzinfo=BERLIN_WINTER),
        section="Local",
        body=(Paragraph(Inline("The council voted.")),),
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def seed_article(seed_path: Path, config: Config) -> Article:
    return load(seed_path, config)


# -- every sample article ----------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_render_valid_and_read_back(path: Path, config: Config) -> None:
    article = load(path, config)
    data = render_newsml(article, config)
    root = check_newsml(data).getroot()
    blocks, lints = blocks_from_element(
        inline_html(root), max_list_depth=config.limits.max_list_depth
    )
    assert blocks == list(article.body)
    assert lints == []
    assert texts(root, "n:contentMeta/n:headline")[0] == article.headline


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_valid_against_the_official_schema(path: Path, config: Config) -> None:
    need_shared(OFFICIAL)
    check_official(render_newsml(load(path, config), config))


def test_examples_are_there() -> None:
    assert len(EXAMPLE_FILES) >= 5
    assert not any(p.name.endswith(".meta.toml") for p in EXAMPLE_FILES)


# -- the seed export ---------------------------------------------------------------


def test_seed_valid_against_the_official_schema(seed_article: Article, config: Config) -> None:
    need_shared(OFFICIAL)
    check_official(render_newsml(seed_article, config))


def test_seed_body_in_inline_xml(seed_article: Article, config: Config) -> None:
    html = inline_html(render(seed_article, config))
    assert [el.text for el in html.iterfind(f"{H}head/{H}title")] == [seed_article.headline]
    body = html.find(f"{H}body")
    assert body is not None
    assert ["".join(h2.itertext()) for h2 in body.iter(f"{H}h2")] == SEED_SECTIONS
    tables = list(body.iter(f"{H}table"))
    assert len(tables) == 1
    assert len(tables[0].findall(f"{H}tbody/{H}tr")) == 3
    faqs = [s for s in body.iter(f"{H}section") if s.get("class") == "faq"]
    assert len(faqs) == 1
    terms = [el.tag for el in faqs[0].iterfind(f"{H}dl/*")]
    assert terms == [f"{H}dt", f"{H}dd"] * 7
    blocks, _ = blocks_from_element(html, max_list_depth=config.limits.max_list_depth)
    assert blocks == list(seed_article.body)


def test_seed_renders_the_same_bytes_twice(seed_article: Article, config: Config) -> None:
    first = render_newsml(seed_article, config)
    assert first == render_newsml(seed_article, config)
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<newsItem ')


# -- the metadata mapping ----------------------------------------------------------


def test_identity_rights_and_catalog_come_from_article_and_config(config: Config) -> None:
    custom = dataclasses.replace(
        config,
        render=dataclasses.replace(
            config.render,
            catalog="https://catalog.example.org/codes.xml",
            copyright_notice="© 2026 Example <Media> & Co",
            usage_terms="Partners only; no archiving.",
        ),
        publisher=dataclasses.replace(
            config.publisher, name="Example Media", url="https://m.example/"
        ),
    )
    root = render(story(version=4), custom)
    assert root.get("guid") == "urn:uuid:6f0e7a52-0000-4000-8000-000000000001"
    assert root.get("version") == "4"
    assert (root.get("standard"), root.get("standardversion")) == ("NewsML-G2", "2.35")
    assert root.get("conformance") == "power"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert [el.get("href") for el in root.iterfind(f"{N}catalogRef")] == [
        "https://catalog.example.org/codes.xml"
    ]
    holder = root.find(f"{N}rightsInfo/{N}copyrightHolder")
    assert holder is not None and holder.get("uri") == "https://m.example/"
    assert texts(holder, "n:name") == ["Example Media"]
    assert texts(root, "n:rightsInfo/n:copyrightNotice") == ["© 2026 Example <Media> & Co"]
    assert texts(root, "n:rightsInfo/n:usageTerms") == ["Partners only; no archiving."]
    assert texts(root, "n:itemMeta/n:provider/n:name") == ["Example Media"]
    item_class = root.find(f"{N}itemMeta/{N}itemClass")
    assert item_class is not None and item_class.get("qcode") == "ninat:text"


@pytest.mark.parametrize("status", list(PubStatus))
def test_pubstatus(status: PubStatus, config: Config) -> None:
    root = render(story(pubstatus=status), config)
    status_el = root.find(f"{N}itemMeta/{N}pubStatus")
    assert status_el is not None and status_el.get("qcode") == f"stat:{status.value}"


def signals(root: etree._Element) -> list[str | None]:
    return [el.get("qcode") for el in root.iterfind(f"{N}itemMeta/{N}signal")]


def test_signal_correction_update_or_none(config: Config) -> None:
    when = datetime(2026, 3, 4, 9, 0, tzinfo=BERLIN_WINTER)
    corrected = story(version=2, corrections=(Correction("The vote was 31 to 24.", when),))
    root = render(corrected, config)
    assert signals(root) == ["sig:correction"]
    assert texts(root, "n:itemMeta/n:edNote") == [
        "Correction (2026-03-04T09:00:00+01:00): The vote was 31 to 24."
    ]
    assert signals(render(story(version=2), config)) == ["sig:update"]
    assert signals(render(story(), config)) == []
    assert texts(render(story(), config), "n:itemMeta/n:edNote") == []


def test_embargo_only_when_set(config: Config) -> None:
    assert render(story(), config).find(f"{N}itemMeta/{N}embargoed") is None
    until = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)
    root = render(story(embargo=until, pubstatus=PubStatus.WITHHELD), config)
    assert texts(root, "n:itemMeta/n:embargoed") == ["2026-03-05T06:00:00+00:00"]


@pytest.mark.parametrize(
    ("day", "midnight"),
    [
        (date(2026, 1, 15), "2026-01-15T00:00:00+01:00"),
        (date(2026, 7, 1), "2026-07-01T00:00:00+02:00"),
    ],
)
def test_a_date_is_midnight_in_the_site_timezone(day: date, midnight: str, config: Config) -> None:
    assert config.site.timezone == "Europe/Berlin"
    root = render(story(published=day), config)
    assert texts(root, "n:itemMeta/n:firstCreated") == [midnight]
    assert texts(root, "n:itemMeta/n:versionCreated") == [midnight]
    assert texts(root, "n:contentMeta/n:contentCreated") == [midnight]
    assert root.find(f"{N}contentMeta/{N}contentModified") is None


def test_times_keep_their_offset_and_updated_is_the_version_time(config: Config) -> None:
    seoul = timezone(timedelta(hours=9))
    article = story(
        published=datetime(2026, 11, 23, 9, 0, tzinfo=seoul),
        updated=datetime(2026, 11, 23, 11, 30, 15, 250000, tzinfo=seoul),
    )
    root = render(article, config)
    assert texts(root, "n:itemMeta/n:firstCreated") == ["2026-11-23T09:00:00+09:00"]
    assert texts(root, "n:itemMeta/n:versionCreated") == ["2026-11-23T11:30:15.250000+09:00"]
    assert texts(root, "n:contentMeta/n:contentModified") == ["2026-11-23T11:30:15.250000+09:00"]


def test_an_offset_with_seconds_is_written_in_utc(config: Config) -> None:
    odd = timezone(timedelta(minutes=53, seconds=28))
    root = render(story(published=datetime(1890, 5, 1, 12, 0, tzinfo=odd)), config)
    assert texts(root, "n:itemMeta/n:firstCreated") == ["1890-05-01T11:06:32+00:00"]


def test_descriptive_metadata(config: Config) -> None:
    article = story(
        subheadline="Libraries keep their Sunday hours",
        dateline="Hafenstadt",
        bylines=(
            Byline("Amara Nwosu", "City Hall Reporter"),
            Byline("Kim Lee", "Seoul correspondent"),
            Byline("Data Desk", "Editor", "organization", "https://example.org/data-desk"),
        ),
        keywords=("budget", "city council"),
        subjects=(Subject("medtop:11000000", "politics"),),
        summary="The council approved the budget.",
    )
    meta = render(article, config).find(f"{N}contentMeta")
    assert meta is not None
    assert [(el.get("role"), el.text) for el in meta.iterfind(f"{N}headline")] == [
        (None, "Council votes on the budget"),
        ("hlrole:sub", "Libraries keep their Sunday hours"),
    ]
    assert texts(meta, "n:located/n:name") == ["Hafenstadt"]
    assert texts(meta, "n:dateline") == ["Hafenstadt"]
    creators = [
        (el.get("type"), el.get("role"), el.get("uri"), el.findtext(f"{N}name"))
        for el in meta.iterfind(f"{N}creator")
    ]
    assert creators == [
        ("cpnat:person", "cpprole:author", None, "Amara Nwosu"),
        ("cpnat:person", "cpprole:correspondent", None, "Kim Lee"),
        ("cpnat:organisation", "cpprole:editor", "https://example.org/data-desk", "Data Desk"),
    ]
    assert texts(meta, "n:by") == [
        "Amara Nwosu, City Hall Reporter",
        "Kim Lee, Seoul correspondent",
        "Data Desk, Editor",
    ]
    assert [t.get("tag") for t in meta.iterfind(f"{N}language")] == ["en"]
    assert [
        (s.get("qcode"), s.get("literal"), s.findtext(f"{N}name"))
        for s in meta.iterfind(f"{N}subject")
    ] == [("medtop:11000000", None, "politics"), (None, "Local", "Local")]
    assert texts(meta, "n:keyword") == ["budget", "city council"]
    assert texts(meta, "n:slugline") == ["council-votes"]
    description = meta.find(f"{N}description")
    assert description is not None and description.get("role") == "drol:summary"
    assert description.text == "The council approved the budget."


def test_optional_metadata_is_left_out(config: Config) -> None:
    meta = render(story(), config).find(f"{N}contentMeta")
    assert meta is not None
    for tag in ("located", "dateline", "creator", "by", "keyword", "description"):
        assert meta.find(f"{N}{tag}") is None, tag
    assert len(meta.findall(f"{N}headline")) == 1


def test_the_gate_refuses_what_the_profile_does_not_allow(config: Config) -> None:
    with pytest.raises(RenderError, match="newsml"):
        check_newsml(render_newsml(story(subjects=(Subject("topic:x", "x"),)), config))
    with pytest.raises(RenderError, match="newsml"):
        check_newsml(render_newsml(story(language="not a language"), config))
    with pytest.raises(RenderError, match="newsml"):
        render_newsml(story(headline="bell \x07 in the headline"), config)


# -- hostile text ------------------------------------------------------------------

HOSTILE = (
    "<script>alert(1)</script>",
    "&amp;",
    "&lt;b&gt;",
    '<!DOCTYPE x [<!ENTITY a "b">]>',
    "&a;",
    "]]>",
    "<![CDATA[x]]>",
    "<?xml version='1.0'?>",
    "<!-- not a comment -->",
    "\"quoted\" 'single'",
    "שלום עולם",
    "مرحبا بالعالم\u200f",
    "\u202eevil\u202c",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👩🏽‍💻",
    "a\u00a0b",
)


def tidy(text: str) -> str:
    return tidy_text(clean(text))


def stretch(text: str, size: int = 10_000) -> str:
    return tidy((text + " ") * (size // (len(text) + 1) + 1))[:size].rstrip(" ")


piece = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20),
)
hostile_text = (
    st.lists(piece, min_size=1, max_size=4)
    .map(lambda parts: tidy(" ".join(parts)))
    .filter(lambda text: bool(text) and not text.isspace())
)
headlines = st.one_of(hostile_text, hostile_text.map(stretch))


@st.composite
def hostile_articles(draw: st.DrawFn) -> Article:
    text = hostile_text
    cells = [Inline(draw(text)) for _ in range(4)]
    paragraph = draw(text)
    body = (
        Heading(draw(text)),
        Paragraph(Inline(paragraph, (Mark("strong", 0, len(paragraph)),))),
        *(Paragraph(Inline(p)) for p in draw(st.lists(text, min_size=1, max_size=3))),
        Table((cells[0], cells[1]), ((cells[2], cells[3]),)),
        ListBlock((ListItem(Inline(draw(text))),)),
        Faq((FaqItem(Inline(draw(text)), Inline(draw(text))),)),
        Quote(Inline(draw(text)), draw(text)),
    )
    return story(
        headline=draw(headlines),
        subheadline=draw(st.none() | text),
        dateline=draw(st.none() | text),
        bylines=tuple(Byline(n, draw(st.none() | text)) for n in draw(st.lists(text, max_size=2))),
        keywords=tuple(draw(st.lists(text, max_size=3))),
        subjects=(Subject("medtop:04000000", draw(text)),),
        summary=draw(st.none() | text),
        section=draw(text),
        body=body,
    )


def check_hostile(article: Article, config: Config) -> None:
    data = render_newsml(article, config)
    assert b"<!DOCTYPE" not in data and b"<script" not in data
    root = check_newsml(data).getroot()
    if OFFICIAL.exists():
        check_official(data)
    meta = root.find(f"{N}contentMeta")
    assert meta is not None
    headlines = [el.text for el in meta.iterfind(f"{N}headline")]
    assert headlines == [article.headline, *([article.subheadline] if article.subheadline else [])]
    assert texts(meta, "n:dateline") == ([article.dateline] if article.dateline else [])
    assert texts(meta, "n:keyword") == list(article.keywords)
    assert texts(meta, "n:creator/n:name") == [b.name for b in article.bylines]
    assert texts(meta, "n:description") == ([article.summary] if article.summary else [])
    assert [s.get("literal") for s in meta.iterfind(f"{N}subject[@literal]")] == [article.section]
    html = inline_html(root)
    assert html.findtext(f"{H}head/{H}title") == article.headline
    blocks, _ = blocks_from_element(html, max_list_depth=config.limits.max_list_depth)
    assert blocks == list(article.body)


@cache
def data_config() -> Config:
    """The site settings of the `config` fixture, for tests that cannot take fixtures."""
    return load_config(Path(__file__).parent / "data" / "config.toml", environ={})


@given(article=hostile_articles())
def test_hostile_text_is_escaped_exactly_once(article: Article) -> None:
    check_hostile(article, data_config())


def test_a_ten_thousand_character_hostile_headline(config: Config) -> None:
    headline = stretch(" ".join(HOSTILE))
    assert len(headline) >= 9_990
    article = story(headline=headline, body=(Paragraph(Inline("&amp; <b>not bold</b> ]]>")),))
    check_hostile(article, config)
    data = render_newsml(article, config)
    assert b"&amp;amp;" in data and b"&lt;b&gt;not bold&lt;/b&gt;" in data
