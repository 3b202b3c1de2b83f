"""The plain-text export reader, on the seed export and on the format's conventions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicate import codec
from syndicate.config import Config
from syndicate.errors import ReadError
from syndicate.ingest import read
from syndicate.ingest.base import ReadRequest, ReadResult
from syndicate.ingest.normalize import first_illegal
from syndicate.ingest.text import read_text_export, split_row
from syndicate.model import Faq, Heading, ListBlock, Paragraph, Table

from .conftest import NOW
from .strategies import strings

SEED_SECTIONS = [
    "A Historic Parallel and Shifting Alliances",
    "Diplomatic Signals and Regional Implications",
    "Seating Arrangements and Travel Logistics",
    "Geopolitical Context and Shifting Sands",
    "Balancing Act and Future Negotiations",
    "Understanding North Korea’s Diplomatic Strategy",
    "Frequently Asked Questions About Kim Jong-un’s Trip",
    "What potential impact could China’s economic assistance have on North Korea’s "
    "willingness too engage in denuclearization talks?",
    "North Korea’s Kim Set to Make Debut in Multilateral Diplomacy in China",
    "Significance of Kim Jong-un’s China Visit",
    "The Context: Stalled Denuclearization Talks",
    "China’s Role as Mediator and Key Ally",
    "Economic Implications for North korea",
    "Potential Outcomes and Challenges",
    "Ancient Precedents: Kim’s Previous Visits to China",
    "Implications for International Security and Diplomacy",
]


def read_text(text: str | bytes, config: Config, name: str = "story.txt") -> ReadResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_text_export(ReadRequest(name, data, source_key=name), config, NOW)


def all_text(result: ReadResult) -> str:
    return codec.dumps(result.article)


@pytest.fixture
def seed(seed_path: Path, config: Config) -> ReadResult:
    return read_text(seed_path.read_bytes(), config, str(seed_path))


def test_seed_headline_and_dateline(seed: ReadResult) -> None:
    article = seed.article
    assert article.headline == (
        "Kim Jong-un to Attend Beijing Military Parade, Signals Potential Three-Way Summit"
    )
    assert article.dateline == "Beijing"
    first = article.body[0]
    assert isinstance(first, Paragraph)
    assert first.content.text.startswith("North Korean Leader Kim Jong-un is poised")


def test_seed_sections_in_order(seed: ReadResult) -> None:
    headings = [b.text for b in seed.article.body if isinstance(b, Heading)]
    assert headings == SEED_SECTIONS


def test_seed_table(seed: ReadResult) -> None:
    tables = [b for b in seed.article.body if isinstance(b, Table)]
    assert len(tables) == 1
    table = tables[0]
    assert [c.text for c in table.header] == [
        "Leader",
        "Country",
        "Expected Arrival Date",
        "Seating Position (relative to Xi Jinping)",
    ]
    assert len(table.rows) == 3
    assert [row[0].text for row in table.rows] == ["kim Jong-un", "Vladimir Putin", "Xi Jinping"]


def test_seed_faq_is_one_block_of_seven(seed: ReadResult) -> None:
    faqs = [b for b in seed.article.body if isinstance(b, Faq)]
    assert len(faqs) == 1
    items = faqs[0].items
    assert len(items) == 7
    assert all(i.question.text.endswith("?") and i.answer.text for i in items)
    assert items[0].question.text == "What is the primary purpose of Kim jong-un’s visit to China?"
    lists = [b for b in seed.article.body if isinstance(b, ListBlock)]
    assert not any("?" in item.content.text for block in lists for item in block.items)


def test_seed_list(seed: ReadResult) -> None:
    lists = [b for b in seed.article.body if isinstance(b, ListBlock)]
    assert len(lists) == 1
    labels = [item.content.text.split(":")[0] for item in lists[0].items]
    assert labels == ["Infrastructure Projects", "Agricultural Assistance", "Investment"]


def test_seed_boilerplate_removed(seed: ReadResult) -> None:
    text = all_text(seed)
    assert "Share your thoughts in the comments below" not in text
    assert "Key search terms" not in text
    last = seed.article.body[-1]
    assert isinstance(last, Paragraph)
    assert last.content.text.endswith("to see how this unfolds.")


def test_seed_missing_space_lints(seed: ReadResult) -> None:
    lines = sorted(lint.line for lint in seed.lints if lint.code == "missing-space")
    assert lines == [24, 33, 35, 38, 52, 61]
    assert not any("U.S.President" in lint.message for lint in seed.lints)


def test_seed_label_lines_are_paragraphs_with_strong_label(seed: ReadResult) -> None:
    labelled = [
        b
        for b in seed.article.body
        if isinstance(b, Paragraph) and b.content.text.startswith("Sanctions Impact:")
    ]
    assert len(labelled) == 1
    mark = labelled[0].content.marks[0]
    assert mark.kind == "strong"
    assert labelled[0].content.text[mark.start : mark.end] == "Sanctions Impact:"


def test_seed_metadata_fallbacks(seed: ReadResult, config: Config) -> None:
    article = seed.article
    assert article.section == config.ingest.default_section
    assert article.language == config.site.language
    assert article.summary and article.summary.startswith("North Korean Leader")
    assert seed.date_inferred and article.published == NOW
    codes = {lint.code for lint in seed.lints}
    assert {"no-date", "no-byline", "no-image"} <= codes


def test_metadata_lines(config: Config) -> None:
    result = read_text(
        "Headline Here\nBy Jane Doe, Staff Writer\nPublished: March 3, 2026 08:15 KST\n"
        "Updated: 2026-03-04\nSeoul – Body text here.\n",
        config,
    )
    article = result.article
    assert [(b.name, b.role) for b in article.bylines] == [("Jane Doe", "Staff Writer")]
    assert article.published.isoformat() == "2026-03-03T08:15:00+09:00"
    assert article.updated is not None and article.updated.isoformat() == "2026-03-04"
    assert article.dateline == "Seoul"
    assert not result.date_inferred


def test_time_without_zone_uses_site_timezone(config: Config) -> None:
    result = read_text("Headline\nPublished: March 3, 2026 08:15\nBody text.\n", config)
    assert result.article.published.isoformat() == "2026-03-03T08:15:00+01:00"


def test_unknown_zone_abbreviation_is_refused_with_line(config: Config) -> None:
    with pytest.raises(ReadError) as caught:
        read_text("Headline\n\nPublished: March 3, 2026 08:15 CST\nBody.\n", config)
    assert caught.value.line == 3
    assert "CST" in caught.value.message


def test_by_at_the_start_of_a_sentence_is_body(config: Config) -> None:
    result = read_text("Headline\nBy the time the parade began, the square was full.\n", config)
    assert not result.article.bylines
    assert isinstance(result.article.body[0], Paragraph)


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("| a | b |", ["a", "b"]),
        ("| a \\| b | c |", ["a | b", "c"]),
        ("| a | | c |", ["a", "", "c"]),
        ("| a | b ||", ["a", "b", ""]),
        ("a | b", ["a", "b"]),
    ],
)
def test_split_row(line: str, cells: list[str]) -> None:
    assert split_row(line) == cells


def test_heading_followed_by_heading_and_body_headings_outside_toc(config: Config) -> None:
    text = (
        "Main Story\nTable of Contents\n- 1. Main Story\n- 2. First Part\n- 3. Never Used\n"
        "Intro paragraph text here.\nFirst Part\nSecond Story Starts Here\n"
        "A sentence of the second story.\n"
    )
    result = read_text(text, config)
    headings = [b.text for b in result.article.body if isinstance(b, Heading)]
    assert headings == ["First Part", "Second Story Starts Here"]
    toc = [lint for lint in result.lints if lint.code == "toc-unmatched"]
    assert len(toc) == 1 and "Never Used" in toc[0].message and toc[0].line == 5


def test_list_run_ends_at_other_line_even_when_numbering_continues(config: Config) -> None:
    text = "Headline\nIntro text.\n1. one\n2. two\nA paragraph between.\n3. three\n"
    blocks = read_text(text, config).article.body
    lists = [b for b in blocks if isinstance(b, ListBlock)]
    assert [len(b.items) for b in lists] == [2, 1]
    assert all(b.ordered for b in lists)


def test_markup_is_text(config: Config) -> None:
    hostile = "<script>alert(1)</script> &amp; AT&T 5 < 6 <!DOCTYPE x [<!ENTITY a 'b'>]>"
    result = read_text(f"Headline &amp; <b>bold</b>\n{hostile}.\n", config)
    assert result.article.headline == "Headline &amp; <b>bold</b>"
    paragraph = result.article.body[0]
    assert isinstance(paragraph, Paragraph) and paragraph.content.text == hostile + "."


def test_hygiene_nfc_controls_crlf_bom(config: Config) -> None:
    raw = "\ufeffCafe\u0301 News\r\nBody\x00 with\x0b controls.\rand\ttab.\r\n".encode()
    result = read_text(raw, config)
    assert result.article.headline == "Café News"
    texts = [b.content.text for b in result.article.body if isinstance(b, Paragraph)]
    assert texts == ["Body with controls.", "and tab."]


def test_typography_and_fullwidth_kept(config: Config) -> None:
    line = "“Quoted” — dash − minus 👩🏽‍🚀 🇰🇷 ＂全角＂，句号。 שלום"
    result = read_text(f"Headline\n{line}\n", config)
    paragraph = result.article.body[0]
    assert isinstance(paragraph, Paragraph) and paragraph.content.text == line


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\u00a0\u3000\u2028\t\x1c\x1d\x1e\x1f\x85"])
def test_empty_and_whitespace_refused(text: str, config: Config) -> None:
    with pytest.raises(ReadError, match="empty"):
        read_text(text, config)


def test_every_isspace_character_is_refused(config: Config) -> None:
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    with pytest.raises(ReadError, match="empty"):
        read_text(spaces, config)


def test_invalid_utf8_refused_with_offset(config: Config) -> None:
    with pytest.raises(ReadError, match="byte offset 9"):
        read_text(b"Headline\n\xff\xfe body", config)


def test_oversized_refused_before_parsing(config: Config) -> None:
    limit = config.limits.max_article_bytes
    data = b"\xff" * (limit + 1)  # invalid UTF-8: a parse would say so instead
    with pytest.raises(ReadError, match="over the"):
        read(ReadRequest("big.txt", data), config, NOW)


def test_very_long_headline_accepted_with_lint(config: Config) -> None:
    headline = "Word " * 2000
    result = read_text(f"{headline.strip()}\nBody text.\n", config)
    assert len(result.article.headline) == 9999
    assert any(lint.code == "long-headline" and lint.line == 1 for lint in result.lints)


def test_huge_table_of_contents(config: Config) -> None:
    entries = "\n".join(f"- {n}. Entry number {n}" for n in range(1, 100_001))
    text = f"Big Story\nTable of Contents\n{entries}\nIntro text.\nEntry number 7\nMore text.\n"
    assert len(text.encode()) < config.limits.max_article_bytes
    result = read_text(text, config)
    headings = [b.text for b in result.article.body if isinstance(b, Heading)]
    assert headings == ["Entry number 7"]
    toc = [lint for lint in result.lints if lint.code == "toc-unmatched"]
    assert len(toc) == 1 and "99999 table-of-contents entries" in toc[0].message


def test_thousand_deep_list_is_flattened(config: Config) -> None:
    lines = "\n".join("  " * depth + f"- level {depth + 1}" for depth in range(1000))
    result = read_text(f"Deep\nIntro.\n{lines}\n", config)
    block = next(b for b in result.article.body if isinstance(b, ListBlock))
    assert block.depth() == config.limits.max_list_depth
    flattened = [lint for lint in result.lints if lint.code == "list-flattened"]
    assert len(flattened) == 1 and flattened[0].line == 3
    assert "1000 levels" in flattened[0].message
    count, stack = 0, [block]
    while stack:
        current = stack.pop()
        count += len(current.items)
        stack.extend(i.children for i in current.items if i.children)
    assert count == 1000


def test_faq_answers_continue_on_indented_lines(config: Config) -> None:
    text = (
        "Headline\nFrequently Asked Questions\n- Is it open? Yes, it is\n  open every day.\n"
        "- Who pays? The city.\n"
    )
    faq = next(b for b in read_text(text, config).article.body if isinstance(b, Faq))
    assert [(i.question.text, i.answer.text) for i in faq.items] == [
        ("Is it open?", "Yes, it is open every day."),
        ("Who pays?", "The city."),
    ]


def test_dateline_in_any_script(config: Config) -> None:
    result = read_text("헤드라인\n서울 – 본문 첫 문장입니다.\n", config)
    assert result.article.dateline == "서울"


def test_long_prefix_is_not_a_dateline(config: Config) -> None:
    result = read_text("Headline\nOne two three four five – rest of it.\n", config)
    assert result.article.dateline is None


@given(st.text())
def test_any_text_gives_an_article_or_a_read_error(text: str) -> None:
    from syndicate.config import load_config

    config = load_config(Path(__file__).parent / "data" / "config.toml", environ={})
    try:
        result = read_text_export(
            ReadRequest("prop.txt", text.encode("utf-8", "surrogatepass")), config, NOW
        )
    except ReadError:
        return
    for value in strings(codec.to_dict(result.article)):  # each string: JSON would escape them
        assert first_illegal(value) is None, value
