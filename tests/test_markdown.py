"""The Markdown reader: front matter, CommonMark structure, lints and hygiene."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.codec import to_dict
from syndicate.config import Config
from syndicate.errors import ReadError
from syndicate.ingest.base import ReadRequest, ReadResult, story_id
from syndicate.ingest.markdown import read_markdown
from syndicate.ingest.normalize import first_illegal
from syndicate.model import (
    Faq,
    Heading,
    ImageBlock,
    Inline,
    ListBlock,
    Paragraph,
    PubStatus,
    Quote,
    Table,
)

from .conftest import NOW
from .strategies import strings

YAML_ALL = """---
id: urn:uuid:6f1c3c1e-8d5b-4a53-9d43-0d2f9c1e7a10
headline: Rivers rise across the valley
subheadline: Towns prepare sandbags
dateline: Passau
bylines:
  - Anna Berger, Staff Writer
  - name: Wire Desk
    kind: organization
    url: https://example.org/wire
published: 2026-03-03T08:15:00+01:00
updated: 2026-03-04T09:00:00+01:00
embargo: 2026-03-03T06:00:00Z
section: Weather
language: de
keywords: [flood, Danube]
subjects:
  - qcode: medtop:06000000
    name: environment
summary: The Danube is rising.
images:
  - url: https://example.org/flood.webp
    caption: The river at dawn
    credit: Photo Desk
    alt: A flooded street
    width: 1200
    height: 800
corrections:
  - note: An earlier version misspelled Passau.
    time: 2026-03-04T10:00:00+01:00
pubstatus: withheld
---
The water rose overnight.
"""

TOML_ALL = """+++
id = "urn:uuid:6f1c3c1e-8d5b-4a53-9d43-0d2f9c1e7a10"
headline = "Rivers rise across the valley"
subheadline = "Towns prepare sandbags"
dateline = "Passau"
bylines = ["Anna Berger, Staff Writer", {name = "Wire Desk", kind = "organization"}]
published = 2026-03-03T08:15:00+01:00
updated = 2026-03-04T09:00:00+01:00
embargo = 2026-03-03T06:00:00Z
section = "Weather"
language = "de"
keywords = "flood, Danube"
subjects = [{qcode = "medtop:06000000", name = "environment"}]
summary = "The Danube is rising."
pubstatus = "withheld"

[[images]]
url = "https://example.org/flood.webp"
caption = "The river at dawn"
alt = "A flooded street"

[[corrections]]
note = "An earlier version misspelled Passau."
time = 2026-03-04T10:00:00+01:00
+++
The water rose overnight.
"""


def read(text: str, config: Config, name: str = "story.md", **kw: Any) -> ReadResult:
    return read_markdown(ReadRequest(name, text.encode("utf-8"), **kw), config, NOW)


def codes(result: ReadResult) -> list[str]:
    return [lint.code for lint in result.lints]


def body_of(text: str, config: Config) -> tuple[Any, ...]:
    return read("# Headline\n\n" + text, config).article.body


def marked(inline: Inline, kind: str) -> list[str]:
    return [inline.text[m.start : m.end] for m in inline.marks if m.kind == kind]


# -- front matter ---------------------------------------------------------------------


@pytest.mark.parametrize("source", [YAML_ALL, TOML_ALL], ids=["yaml", "toml"])
def test_front_matter_with_every_key(source: str, config: Config) -> None:
    result = read(source, config)
    article = result.article
    assert article.id == "urn:uuid:6f1c3c1e-8d5b-4a53-9d43-0d2f9c1e7a10"
    assert article.headline == "Rivers rise across the valley"
    assert article.subheadline == "Towns prepare sandbags"
    assert article.dateline == "Passau"
    assert [(b.name, b.role, b.kind) for b in article.bylines] == [
        ("Anna Berger", "Staff Writer", "person"),
        ("Wire Desk", None, "organization"),
    ]
    plus_one = ZoneInfo("Europe/Berlin")
    assert article.published == datetime(2026, 3, 3, 8, 15, tzinfo=plus_one)
    assert article.updated == datetime(2026, 3, 4, 9, 0, tzinfo=plus_one)
    assert article.embargo == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    assert article.section == "Weather"
    assert article.language == "de"
    assert article.keywords == ("flood", "Danube")
    assert [(s.qcode, s.name) for s in article.subjects] == [("medtop:06000000", "environment")]
    assert article.summary == "The Danube is rising."
    (image,) = article.images
    assert image.url == "https://example.org/flood.webp"
    assert image.media_type == "image/webp"
    assert (image.caption, image.alt) == ("The river at dawn", "A flooded street")
    (correction,) = article.corrections
    assert correction.note == "An earlier version misspelled Passau."
    assert correction.time == datetime(2026, 3, 4, 10, 0, tzinfo=plus_one)
    assert article.pubstatus is PubStatus.WITHHELD
    assert article.body == (Paragraph(Inline("The water rose overnight.")),)
    assert not result.date_inferred
    assert {"naive-time", "no-date", "no-byline", "no-image"}.isdisjoint(codes(result))


def test_unknown_front_matter_key_is_refused_with_its_line(config: Config) -> None:
    source = "---\nheadline: A story\nsection: News\nauthor: Someone\n---\nBody text.\n"
    with pytest.raises(ReadError) as caught:
        read(source, config)
    assert "author" in caught.value.message
    assert caught.value.line == 4
    assert caught.value.file == "story.md"


def test_unknown_toml_key_is_refused_with_its_line(config: Config) -> None:
    source = '+++\nheadline = "A story"\ncolour = "red"\n+++\nBody text.\n'
    with pytest.raises(ReadError) as caught:
        read(source, config)
    assert "colour" in str(caught.value)
    assert caught.value.line == 3


def test_timestamp_without_offset_is_read_in_the_site_timezone(config: Config) -> None:
    source = "---\nheadline: A story\npublished: 2026-07-01 08:15:00\n---\nBody text.\n"
    result = read(source, config)
    published = result.article.published
    assert isinstance(published, datetime)
    assert published.utcoffset() == timedelta(hours=2)
    assert published.astimezone(UTC) == datetime(2026, 7, 1, 6, 15, tzinfo=UTC)
    (naive,) = [lint for lint in result.lints if lint.code == "naive-time"]
    assert naive.line == 3
    assert "Europe/Berlin" in naive.message


def test_date_only_stays_a_date(config: Config) -> None:
    result = read("---\nheadline: A story\npublished: 2026-03-03\n---\nBody.\n", config)
    assert result.article.published == date(2026, 3, 3)


def test_no_date_uses_the_ingest_time_with_a_lint(config: Config) -> None:
    result = read("# A story\n\nBody.\n", config)
    assert result.date_inferred
    assert result.article.published == NOW
    assert {"no-date", "no-byline", "no-image"} <= set(codes(result))


def test_unclosed_front_matter_is_refused(config: Config) -> None:
    with pytest.raises(ReadError) as caught:
        read("---\nheadline: A story\n\nBody.\n", config)
    assert caught.value.line == 1


# -- headline, headings and identity -----------------------------------------------------


def test_h1_is_the_headline_and_leaves_the_body(config: Config) -> None:
    source = "# The *big* story\n\nFirst.\n\n# Another top heading\n\n### Detail\n\nMore.\n"
    article = read(source, config).article
    assert article.headline == "The big story"
    assert article.body == (
        Paragraph(Inline("First.")),
        Heading("Another top heading", 2),
        Heading("Detail", 3),
        Paragraph(Inline("More.")),
    )


def test_front_matter_headline_wins_over_h1(config: Config) -> None:
    source = "---\nheadline: From the front matter\n---\n# From the body\n\nText.\n"
    article = read(source, config).article
    assert article.headline == "From the front matter"
    assert article.body == (Paragraph(Inline("Text.")),)


def test_long_headline_is_linted_on_its_line(config: Config) -> None:
    source = "---\nsection: News\n---\n\n# " + "word " * 40 + "\n\nText.\n"
    (lint,) = [lint for lint in read(source, config).lints if lint.code == "long-headline"]
    assert lint.line == 5


def test_no_headline_is_refused(config: Config) -> None:
    with pytest.raises(ReadError, match="headline"):
        read("## Only a subheading\n\nText.\n", config)


def test_id_derives_from_the_source_key(config: Config) -> None:
    first = read("# One\n\nText.\n", config, source_key="desk/flood").article
    second = read("# Two\n\nOther text.\n", config, name="b.md", source_key="desk/flood").article
    assert first.id == second.id == story_id(config.site.base_url, "desk/flood")
    other = read("# One\n\nText.\n", config, source_key="desk/other").article
    assert other.id != first.id


# -- inline text ---------------------------------------------------------------------------


def test_links_and_emphasis_are_marks_over_their_words(config: Config) -> None:
    source = (
        "See [the *flood* report](https://example.org/report) and **act now**, "
        "then _wait_ for `status.Code`.\n"
    )
    (paragraph,) = body_of(source, config)
    inline = paragraph.content
    assert inline.text == "See the flood report and act now, then wait for status.Code."
    (link,) = [m for m in inline.marks if m.kind == "link"]
    assert inline.text[link.start : link.end] == "the flood report"
    assert link.href == "https://example.org/report"
    assert marked(inline, "em") == ["flood", "wait"]
    assert marked(inline, "strong") == ["act now"]
    assert marked(inline, "code") == ["status.Code"]


def test_line_breaks_become_spaces(config: Config) -> None:
    (paragraph,) = body_of("one line\nnext line  \nhard break\\\nlast\n", config)
    assert paragraph.content.text == "one line next line hard break last"


def test_raw_html_stays_literal_text(config: Config) -> None:
    blocks = body_of("Before <script>alert(1)</script> after &amp; AT&T, 5 < 6.\n", config)
    assert blocks == (Paragraph(Inline("Before <script>alert(1)</script> after & AT&T, 5 < 6.")),)
    (block,) = body_of("<script>alert(1)</script>\n", config)
    assert block == Paragraph(Inline("<script>alert(1)</script>"))


def test_unsafe_link_is_not_a_link(config: Config) -> None:
    (paragraph,) = body_of("[click](javascript:alert(1))\n", config)
    assert not paragraph.content.marks
    assert "click" in paragraph.content.text


def test_entities_cannot_smuggle_illegal_characters(config: Config) -> None:
    (paragraph,) = body_of("a&#12;b &#x1F600; c&#0;d\n", config)
    assert first_illegal(paragraph.content.text) is None
    assert "\U0001f600" in paragraph.content.text


# -- blocks ------------------------------------------------------------------------------


def test_nested_lists(config: Config) -> None:
    source = "1. first\n   - inner *one*\n   - inner two\n     1. deepest\n2. second\n"
    (block,) = body_of(source, config)
    assert isinstance(block, ListBlock)
    assert block.ordered and block.depth() == 3
    first, second = block.items
    assert (first.content.text, second.content.text) == ("first", "second")
    assert first.children is not None and not first.children.ordered
    assert [i.content.text for i in first.children.items] == ["inner one", "inner two"]
    assert marked(first.children.items[0].content, "em") == ["one"]
    deepest = first.children.items[1].children
    assert deepest is not None and deepest.ordered
    assert deepest.items[0].content.text == "deepest"


def test_loose_list_item_paragraphs_join(config: Config) -> None:
    (block,) = body_of("- first part\n\n  second part\n\n- next\n", config)
    assert [i.content.text for i in block.items] == ["first part second part", "next"]


def test_thousand_deep_list_is_flattened_with_a_lint(config: Config) -> None:
    lines = ["# Deep", ""] + ["  " * i + f"- level {i + 1}" for i in range(1000)]
    result = read("\n".join(lines) + "\n", config)
    (block,) = result.article.body
    assert isinstance(block, ListBlock)
    assert block.depth() == config.limits.max_list_depth
    texts, stack = [], [block]
    while stack:
        current = stack.pop()
        texts.extend(item.content.text for item in current.items)
        stack.extend(item.children for item in current.items if item.children)
    assert sorted(texts) == sorted(f"level {i + 1}" for i in range(1000))
    (lint,) = [lint for lint in result.lints if lint.code == "list-flattened"]
    assert lint.line == 3 + config.limits.max_list_depth
    assert "1000" in lint.message


def test_deeply_nested_quotes_and_brackets_do_not_recurse(config: Config) -> None:
    quote = read("# Deep\n\n" + "> " * 1000 + "inside\n", config).article.body
    assert quote == (Quote(Inline("inside")),)
    brackets = read("# Deep\n\n" + "[" * 1000 + "x" + "](u)" * 1000 + "\n", config)
    assert "x" in brackets.article.body[0].content.text


def test_tables(config: Config) -> None:
    source = (
        "| City | Level |\n|:---|---:|\n| Passau | **8.5** m |\n| Linz |\n| Wels | 3 | extra |\n"
    )
    (table,) = body_of(source, config)
    assert isinstance(table, Table)
    assert [c.text for c in table.header] == ["City", "Level"]
    assert [[c.text for c in row] for row in table.rows] == [
        ["Passau", "8.5 m"],
        ["Linz", ""],
        ["Wels", "3"],
    ]
    assert marked(table.rows[0][1], "strong") == ["8.5"]


def test_faq_run_becomes_one_faq_block(config: Config) -> None:
    source = "- Is it safe? Yes, mostly.\n- When will it end? **Not** before Friday.\n"
    (faq,) = body_of(source, config)
    assert isinstance(faq, Faq)
    assert [(i.question.text, i.answer.text) for i in faq.items] == [
        ("Is it safe?", "Yes, mostly."),
        ("When will it end?", "Not before Friday."),
    ]


def test_single_question_is_a_faq_only_under_a_faq_heading(config: Config) -> None:
    under = body_of("## Frequently Asked Questions\n\n- Is it safe? Yes.\n", config)
    assert isinstance(under[1], Faq)
    alone = body_of("## Details\n\n- Is it safe? Yes.\n", config)
    assert isinstance(alone[1], ListBlock)


def test_lists_that_are_not_faqs(config: Config) -> None:
    assert isinstance(body_of("- Is it safe? Yes.\n- No question here.\n", config)[0], ListBlock)
    assert isinstance(body_of("1. Is it safe? Yes.\n2. Why? Because.\n", config)[0], ListBlock)
    nested = "- Is it safe? Yes.\n  - Why? Because.\n"
    assert isinstance(body_of(nested, config)[0], ListBlock)


def test_blockquote_with_attribution(config: Config) -> None:
    (quote,) = body_of("> We will *rebuild*.\n> — Mayor Jonas Ebner\n", config)
    assert quote == Quote(Inline("We will rebuild.", quote.content.marks), "Mayor Jonas Ebner")
    assert marked(quote.content, "em") == ["rebuild"]
    (plain,) = body_of("> Just words,\n> on two lines.\n", config)
    assert plain == Quote(Inline("Just words, on two lines."))


def test_lone_image_becomes_an_image_block(config: Config) -> None:
    source = 'Text.\n\n![A flooded *street*](https://example.org/a.png "Main Street at noon")\n'
    result = read("# Flood\n\n" + source, config)
    _, block = result.article.body
    assert isinstance(block, ImageBlock)
    image = block.image
    assert image.url == "https://example.org/a.png"
    assert image.media_type == "image/png"
    assert (image.alt, image.caption) == ("A flooded street", "Main Street at noon")
    assert result.article.images == (image,)
    assert "no-image" not in codes(result)


def test_relative_image_keeps_its_alt_text_with_a_lint(config: Config) -> None:
    result = read("# Flood\n\n![the river](river.jpg)\n", config)
    assert result.article.body == (Paragraph(Inline("the river")),)
    assert "image-url" in codes(result)


def test_code_becomes_a_code_marked_paragraph(config: Config) -> None:
    blocks = body_of("```python\nprint('hi')\nx = 1\n```\n\n    indented code\n", config)
    fenced, indented = blocks
    assert fenced.content.text == "print('hi') x = 1"  # whitespace runs collapse, as in HTML
    assert marked(fenced.content, "code") == [fenced.content.text]
    assert marked(indented.content, "code") == ["indented code"]


def test_thematic_breaks_are_dropped(config: Config) -> None:
    assert body_of("One.\n\n---\n\n***\n\nTwo.\n", config) == (
        Paragraph(Inline("One.")),
        Paragraph(Inline("Two.")),
    )


# -- dateline and lints ------------------------------------------------------------------


def test_dateline_leaves_the_first_paragraph(config: Config) -> None:
    result = read("# Flood\n\nPassau – The **river** rose.\n\nLinz – Not a dateline.\n", config)
    article = result.article
    assert article.dateline == "Passau"
    first, second = article.body
    assert first.content.text == "The river rose."
    assert marked(first.content, "strong") == ["river"]
    assert second.content.text == "Linz – Not a dateline."


def test_front_matter_dateline_wins(config: Config) -> None:
    source = "---\ndateline: Vienna\n---\n# Flood\n\nPassau – The river rose.\n"
    article = read(source, config).article
    assert article.dateline == "Vienna"
    assert article.body[0].content.text == "Passau – The river rose."


def test_missing_space_lints_name_file_lines(config: Config) -> None:
    source = (
        "---\nsection: News\n---\n# Flood\n\nThe river rose.Residents left.\n"
        "It was fine\nuntil noon.Then it rained.\n\n- A list item.Another one\n\n"
        "Code `a.Bc` is fine and so is U.S. policy.\n"
    )
    lines = [lint.line for lint in read(source, config).lints if lint.code == "missing-space"]
    assert lines == [6, 8, 10]


# -- refusals and hygiene ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\n", "\u00a0\u3000\n\u2003".encode(), b"\xef\xbb\xbf"]
)
def test_empty_documents_are_refused(data: bytes, config: Config) -> None:
    with pytest.raises(ReadError, match="empty"):
        read_markdown(ReadRequest("blank.md", data), config, NOW)


def test_front_matter_without_body_is_refused(config: Config) -> None:
    with pytest.raises(ReadError, match="body"):
        read("---\nheadline: Only a headline\n---\n\n", config)


def test_invalid_utf8_is_refused(config: Config) -> None:
    with pytest.raises(ReadError, match="UTF-8"):
        read_markdown(ReadRequest("bad.md", b"# Title\n\n\xff\xfe text"), config, NOW)


def check_any(text: str, config: Config) -> None:
    try:
        data = text.encode("utf-8", "surrogatepass")  # a lone surrogate: invalid UTF-8 bytes
        result = read_markdown(ReadRequest("any.md", data), config, NOW)
    except ReadError:
        return
    for value in strings(to_dict(result.article)):
        assert first_illegal(value) is None, value


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
def test_any_text_reads_or_is_refused(text: str, config: Config) -> None:
    check_any(text, config)


MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("# *_-+>[]()!`|~:.?\n 1aZé\x00\x0c&;<")) | st.characters(),
    max_size=300,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MARKDOWNISH)
def test_any_markdownish_text_reads_or_is_refused(text: str, config: Config) -> None:
    check_any("# Headline\n\n" + text, config)
