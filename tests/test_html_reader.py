"""The HTML reader: real news pages judged as the shared corpus describes, and
the rules for charsets, metadata, dates, language and body blocks."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from syndicate.codec import to_dict
from syndicate.config import Config
from syndicate.errors import ReadError
from syndicate.ingest import detect_format, read
from syndicate.ingest.base import ReadRequest, ReadResult
from syndicate.ingest.html import read_html
from syndicate.ingest.html.charset import decode_page
from syndicate.ingest.html.headline import strip_site
from syndicate.ingest.html.language import bcp47, script_language
from syndicate.ingest.html.parse import strip_internal_subset
from syndicate.ingest.html.people import split_names
from syndicate.ingest.html.when import read_timestamp
from syndicate.ingest.normalize import first_illegal
from syndicate.model import Heading, ListBlock, Paragraph, Quote, Table
from syndicate.render import render_all

from .conftest import NOW, SHARED, need_shared

CORPUS = SHARED / "corpus" / "html"
MIN_FULLY_CORRECT = 17
JUDGED = ("headline", "authors", "published", "body_in", "body_out")

# -- judging, as ../shared/corpus/html/README.md describes it -------------------------


def squash(text: str) -> str:
    return " ".join(text.split())


def body_strings(result: ReadResult) -> list[str]:
    """Every string under the canonical JSON's body, whitespace collapsed."""
    found: list[str] = []
    stack: list[Any] = [to_dict(result.article)["body"]]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(squash(value))
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _name_key(name: str) -> str:
    return squash(re.sub(r"[.,]", " ", name.lower()))


def author_found(expected: str, names: list[str]) -> bool:
    """Equal, or contained as whole words, ignoring case, periods and commas."""
    want = _name_key(expected)
    pattern = re.compile(r"(?:^| )" + re.escape(want) + r"(?: |$)")
    return any(_name_key(n) == want or pattern.search(_name_key(n)) for n in names)


def published_right(expected: str, result: ReadResult) -> bool:
    """A date: the same calendar date as written; a datetime: the same instant,
    and an answer without an offset fails."""
    if result.date_inferred:
        return False
    value = result.article.published
    if len(expected) == 10:
        return value.isoformat()[:10] == expected
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return False
    return value == datetime.fromisoformat(expected.replace("Z", "+00:00"))


@dataclass
class Verdict:
    fields: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return all(self.fields.values())


def judge(expect: dict[str, Any], result: ReadResult) -> Verdict:
    verdict = Verdict()
    article = result.article
    if expect["headline"] is not None:
        verdict.fields["headline"] = squash(article.headline) == squash(expect["headline"])
        if not verdict.fields["headline"]:
            verdict.notes.append(f"headline {article.headline!r}")
    if expect["authors"]:
        names = [b.name for b in article.bylines]
        verdict.fields["authors"] = all(author_found(a, names) for a in expect["authors"])
        if not verdict.fields["authors"]:
            verdict.notes.append(f"authors {names!r}, expected {expect['authors']!r}")
    if expect["published"] is not None:
        verdict.fields["published"] = published_right(expect["published"], result)
        if not verdict.fields["published"]:
            verdict.notes.append(f"published {article.published.isoformat()}")
    strings = body_strings(result)
    missing = [p for p in expect["body_must_contain"] if not any(squash(p) in s for s in strings)]
    leaked = [p for p in expect["body_must_not_contain"] if any(squash(p) in s for s in strings)]
    verdict.fields["body_in"] = not missing
    verdict.fields["body_out"] = not leaked
    verdict.notes += [f"missing {p!r}" for p in missing] + [f"boilerplate {p!r}" for p in leaked]
    return verdict


def test_corpus_pages(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    pages = sorted(need_shared(CORPUS).glob("*.html"))
    assert len(pages) == 20
    totals = {name: [0, 0] for name in JUDGED}
    correct: list[str] = []
    report: list[str] = []
    start = time.perf_counter()
    for page in pages:
        expect = json.loads(page.with_suffix(".expect.json").read_text(encoding="utf-8"))
        result = read_html(ReadRequest(page.name, page.read_bytes()), config, NOW)
        verdict = judge(expect, result)
        for name, right in verdict.fields.items():
            totals[name][0] += right
            totals[name][1] += 1
        if verdict.correct:
            correct.append(page.stem)
        else:
            report.append(f"  {page.stem} FAIL: " + "; ".join(verdict.notes))
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\nHTML corpus ({len(pages)} pages, {elapsed:.1f} s):")
        print("  per field: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in totals.items()))
        print(f"  fully correct: {len(correct)}/{len(pages)}")
        print("\n".join(report))
    assert len(correct) >= MIN_FULLY_CORRECT, report


def test_corpus_articles_pass_the_output_gate(config: Config) -> None:
    """What ingest requires before storing: every format renders and validates,
    and the JSON-LD carries the headline in full (cut ones in alternativeHeadline)."""
    for page in sorted(need_shared(CORPUS).glob("*.html")):
        article = read_html(ReadRequest(page.name, page.read_bytes()), config, NOW).article
        jsonld = json.loads(render_all(article, config)["jsonld"].data)
        nodes = jsonld.get("@graph", [jsonld])
        node = next(n for n in nodes if "headline" in n)
        assert article.headline in (node["headline"], node.get("alternativeHeadline")), page


# -- synthetic pages ----------------------------------------------------------------

SENTENCES = (
    "The river rose through the night and reached the old town walls by morning, "
    "where volunteers stacked sandbags along the quay.",
    "Officials said the water would crest on Thursday afternoon, two days earlier than "
    "forecast, after heavy rain upstream in the hills.",
    "Residents of the lower streets were asked to move their cars and valuables to higher "
    "ground before nightfall on Wednesday evening.",
    "The mayor thanked the fire brigade and the hundreds of volunteers who had worked "
    "through the night to protect the historic centre.",
)


def page(head: str = "", article: str = "", *, lang: str = "en", before: str = "") -> bytes:
    """A plausible news page: <head> extras, then an <article> of four paragraphs
    after `article`, with navigation and a footer around it."""
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    lang_attr = f' lang="{lang}"' if lang else ""
    return (
        f'<!DOCTYPE html><html{lang_attr}><head><meta charset="utf-8">'
        f"<title>River rises in the old town</title>{head}</head><body>"
        f'<nav><a href="/">Home</a> <a href="/world">World</a></nav>{before}'
        f"<article><h1>River rises in the old town</h1>{article}{paragraphs}</article>"
        "<footer><p>Copyright Example News. All rights reserved.</p></footer></body></html>"
    ).encode()


def read_page(config: Config, data: bytes, name: str = "page.html") -> ReadResult:
    return read_html(ReadRequest(name, data), config, NOW)


# -- charset --------------------------------------------------------------------------

RUSSIAN = "Правительство обсудило бюджет на следующий год"


def test_declared_charset_wins() -> None:
    data = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p>'
    decoded = decode_page(data.encode("cp1251"))
    assert (decoded.encoding, decoded.how) == ("cp1251", "declared")
    assert RUSSIAN in decoded.text


def test_http_equiv_latin1_means_windows_1252() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    data = f"<html><head>{head}</head><body><p>“Ça va”, dit-il — déjà.</p>"
    decoded = decode_page(data.encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert "“Ça va”, dit-il — déjà." in decoded.text


def test_xml_declaration_names_the_charset() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-15"?><html><body><p>5 € à Paris</p>'
    assert "5 € à Paris" in decode_page(data.encode("iso-8859-15")).text


def test_byte_order_mark_wins_over_declaration() -> None:
    data = '<html><head><meta charset="iso-8859-1"></head><body><p>Grüße</p>'
    decoded = decode_page(b"\xff\xfe" + data.encode("utf-16-le"))
    assert decoded.how == "bom"
    assert "Grüße" in decoded.text


def test_latin1_label_over_utf8_bytes_is_utf8() -> None:
    data = '<html><head><meta charset="iso-8859-1"></head><body><p>Grüße aus Köln</p>'
    decoded = decode_page(data.encode("utf-8"))
    assert decoded.encoding == "utf-8"
    assert "Grüße aus Köln" in decoded.text


def test_declared_utf16_means_utf8() -> None:
    data = '<html><head><meta charset="utf-16"></head><body><p>naïve café</p>'
    assert "naïve café" in decode_page(data.encode("utf-8")).text


def test_undeclared_legacy_page_is_detected() -> None:
    text = (
        "Le gouvernement a présenté mercredi le projet de budget pour l’année prochaine, "
        "où les dépenses d’éducation augmentent fortement. "
    )
    data = f"<html><head><title>Budget</title></head><body>{'<p>' + text + '</p>' * 3}"
    decoded = decode_page(data.encode("cp1252"))
    assert decoded.how == "detected"
    assert text in decoded.text


def test_language_breaks_a_tie_between_code_pages() -> None:
    text = "Zażółć gęślą jaźń. Rząd przedstawił w środę projekt budżetu na przyszły rok. "
    data = f'<html lang="pl"><head><title>t</title></head><body><p>{text * 4}</p>'
    decoded = decode_page(data.encode("cp1250"))
    assert decoded.encoding == "cp1250"
    assert text in decoded.text


def test_undecodable_bytes_are_replaced_not_refused(config: Config) -> None:
    data = page().replace(b'charset="utf-8"', b'charset="shift_jis"') + b"\x82\xff\xfe\x80"
    result = read_page(config, data)
    assert result.article.headline == "River rises in the old town"
    assert "charset-replaced" in {lint.code for lint in result.lints}


# -- metadata priority ----------------------------------------------------------------


def jsonld(node: dict[str, Any]) -> str:
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


def test_jsonld_headline_beats_og_title(config: Config) -> None:
    head = '<meta property="og:title" content="River rises | Example News">' + jsonld(
        {"@type": "NewsArticle", "headline": "The river rises in the old town"}
    )
    assert read_page(config, page(head)).article.headline == "The river rises in the old town"


def test_og_title_loses_a_known_site_suffix(config: Config) -> None:
    head = (
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:title" content="Flood warning for Passau | Example News">'
    )
    assert read_page(config, page(head)).article.headline == "Flood warning for Passau"


def test_separator_without_a_site_name_is_part_of_the_headline() -> None:
    assert strip_site("Jay-Z - the interview", ["Example News"]) == "Jay-Z - the interview"
    assert strip_site("Budget talks - Politics - Example News", ["Example News"]) == (
        "Budget talks - Politics"
    )
    assert strip_site("Example News | Budget talks", ["example news"]) == "Budget talks"


def test_h1_inside_the_title_when_no_meta(config: Config) -> None:
    data = page().replace(
        b"<title>River rises in the old town</title>",
        b"<title>River rises in the old town - Local - Site</title>",
    )
    assert read_page(config, data).article.headline == "River rises in the old town"


def test_meta_value_attribute_counts_when_content_is_missing(config: Config) -> None:
    result = read_page(config, page('<meta name="author" value="Jane Doe">'))
    assert [b.name for b in result.article.bylines] == ["Jane Doe"]


def test_visible_byline_split_into_names(config: Config) -> None:
    byline = '<div class="byline">By Jane Doe and John Roe | Passau</div>'
    result = read_page(config, page(article=byline))
    assert [b.name for b in result.article.bylines] == ["Jane Doe", "John Roe"]


def test_byline_in_a_related_box_is_not_the_authors(config: Config) -> None:
    related = '<aside class="related"><span class="author">Par Other Writer</span></aside>'
    byline = '<p><span class="author">Par Marie Curie</span></p>'
    result = read_page(config, page(article=byline, before=related))
    assert [b.name for b in result.article.bylines] == ["Marie Curie"]


def test_jsonld_author_by_reference_into_the_graph(config: Config) -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Person", "@id": "#anna", "name": "Anna Berger"},
            {"@type": "NewsArticle", "headline": "River rises", "author": [{"@id": "#anna"}]},
        ],
    }
    result = read_page(config, page(jsonld(graph) + '<meta name="author" content="Wrong One">'))
    assert [b.name for b in result.article.bylines] == ["Anna Berger"]


def test_organization_author_falls_through_to_meta(config: Config) -> None:
    node = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example News"}}
    result = read_page(config, page(jsonld(node) + '<meta name="author" content="Jane Doe">'))
    assert [b.name for b in result.article.bylines] == ["Jane Doe"]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Jane Doe, John Roe and Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
        ("Von Max Mustermann und Erika Musterfrau", ["Max Mustermann", "Erika Musterfrau"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("责任编辑：孔德明", ["孔德明"]),
        ("https://example.org/authors/jane", []),
        ("Staff", []),
        ("Example News", []),
    ],
)
def test_split_names(raw: str, names: list[str]) -> None:
    assert split_names(raw, ["Example News"]) == names


def test_summary_and_images_from_meta(config: Config) -> None:
    head = (
        '<link rel="canonical" href="https://news.example.org/2024/05/river">'
        '<meta property="og:description" content="Water crests on Thursday.">'
        '<meta property="og:image" content="/img/river.png">'
        '<meta name="twitter:image" content="data:image/png;base64,AAAA">'
    )
    article = read_page(config, page(head)).article
    assert article.summary == "Water crests on Thursday."
    assert [(i.url, i.media_type) for i in article.images] == [
        ("https://news.example.org/img/river.png", "image/png")
    ]


# -- dates ------------------------------------------------------------------------------


def published_of(config: Config, head: str = "", article: str = "") -> ReadResult:
    return read_page(config, page(head, article))


def test_offset_is_kept(config: Config) -> None:
    head = '<meta property="article:published_time" content="2024-05-01T10:00:00+02:00">'
    value = published_of(config, head).article.published
    assert isinstance(value, datetime)
    assert value.isoformat() == "2024-05-01T10:00:00+02:00"


def test_naive_time_gives_a_date(config: Config) -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2015-04-30T07:19:58"})
    assert published_of(config, head).article.published == date(2015, 4, 30)


def test_utc_value_upgraded_with_the_pages_offset(config: Config) -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2016-12-15T20:33:00Z"})
    result = published_of(config, head, '<time datetime="2016-12-15T15:33:00-05:00">Dec 15</time>')
    assert result.article.published.isoformat() == "2016-12-15T15:33:00-05:00"


def test_date_upgraded_with_a_same_day_time(config: Config) -> None:
    head = '<meta name="date" content="2020-02-19">'
    article = '<time datetime="2020-02-19T08:00:00+01:00">19 février</time>'
    assert published_of(config, head, article).article.published == datetime(
        2020, 2, 19, 8, tzinfo=timezone(timedelta(hours=1))
    )


def test_time_in_a_related_box_is_ignored(config: Config) -> None:
    related = '<div class="related-stories"><time datetime="2001-01-01">old</time></div>'
    article = '<time datetime="2019-04-25">25 April 2019</time>'
    result = read_page(config, page(article=article, before=related))
    assert result.article.published == date(2019, 4, 25)


def test_update_after_publication_is_kept(config: Config) -> None:
    head = (
        '<meta property="article:published_time" content="2024-05-01T10:00:00+02:00">'
        '<meta property="article:modified_time" content="2024-05-02T09:30:00+02:00">'
    )
    updated = published_of(config, head).article.updated
    assert isinstance(updated, datetime)
    assert updated.isoformat() == "2024-05-02T09:30:00+02:00"


def test_update_before_publication_is_dropped(config: Config) -> None:
    head = jsonld(
        {
            "@type": "NewsArticle",
            "datePublished": "2023-11-06T15:20:33+0100",
            "dateModified": "2023-11-06T15:16:29+0100",
        }
    )
    assert published_of(config, head).article.updated is None


def test_no_date_means_the_ingest_time(config: Config) -> None:
    result = read_page(config, page())
    assert result.date_inferred
    assert result.article.published == NOW
    assert "no-date" in {lint.code for lint in result.lints}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-12-15T15:33:00.000-05:00", "2016-12-15T15:33:00-05:00"),
        ("2023-11-06T15:20:33+0100", "2023-11-06T15:20:33+01:00"),
        ("2015-04-30T07:19:58", "2015-04-30"),
        ("20191120", "2019-11-20"),
        ("2019/11/20", "2019-11-20"),
        ("Saturday, December 27, 2014, 12:06 PM", "2014-12-27"),
        ("December 15, 2016 3:33 PM EST", "2016-12-15T15:33:00-05:00"),
        ("November 20, 2019 - 11:28 AMT", "2019-11-20"),
        ("03/04/2015", None),
        ("Dec 2014", None),
        ("2019-13-45", None),
        ("1850-01-01", None),
        ("2099-01-01", None),
    ],
)
def test_read_timestamp(config: Config, raw: str, expected: str | None) -> None:
    value = read_timestamp(raw, NOW, config.ingest.zone_abbreviations)
    assert (value.isoformat() if value is not None else None) == expected


# -- language ---------------------------------------------------------------------------


def test_declared_language_in_its_conventional_case(config: Config) -> None:
    assert read_page(config, page(lang="en-us")).article.language == "en-US"
    assert bcp47("zh_hant_tw") == "zh-Hant-TW"
    assert bcp47("not a tag") is None


def test_og_locale_when_nothing_else(config: Config) -> None:
    result = read_page(config, page('<meta property="og:locale" content="fr_FR">', lang=""))
    assert result.article.language == "fr-FR"


def test_script_names_an_undeclared_language(config: Config) -> None:
    sentence = "记者17日从国家卫生健康委获悉，近阶段相关部门持续依法保障药品供应，稳定价格。"
    data = (
        '<html><head><meta charset="utf-8"><title>短缺药品保供稳价</title></head><body>'
        f"<h1>短缺药品保供稳价</h1>{f'<p>{sentence * 3}</p>' * 4}</body></html>"
    ).encode()
    assert read_page(config, data).article.language == "zh"


def test_script_overrules_a_contradicting_declaration(config: Config) -> None:
    sentence = "あの有名フォント「Helvetica」は、こうしてデジタル時代に生まれ変わった。"
    data = (
        '<html lang="en"><head><meta charset="utf-8"><title>Helvetica</title></head><body>'
        f"<h1>Helvetica Now</h1>{f'<p>{sentence * 3}</p>' * 4}</body></html>"
    ).encode()
    assert read_page(config, data).article.language == "ja"
    assert script_language("Plain Latin text says nothing about the language") is None


# -- body -------------------------------------------------------------------------------


RICH = (
    "<p>Read <a href='/2024/05/earlier'>the earlier report</a> or "
    "<a href='javascript:void(0)'>nothing</a> and <a href='#top'>top</a>.</p>"
    "<h2>What happens next</h2>"
    "<ul><li>First item of the list that tells readers where to go</li>"
    "<li>Second item of the list with the number of the hotline</li></ul>"
    "<table><tr><th>Town</th><th>Level</th></tr><tr><td>Passau</td><td>9.5 m</td></tr></table>"
    "<blockquote><p>We have never seen the water rise this fast, said one resident.</p>"
    "</blockquote>"
)


def test_body_blocks_and_links(config: Config) -> None:
    head = '<link rel="canonical" href="https://news.example.org/2024/05/river">'
    body = read_page(config, page(head, RICH)).article.body
    kinds = [type(b).__name__ for b in body]
    assert kinds[:5] == ["Paragraph", "Heading", "ListBlock", "Table", "Quote"]
    first = body[0]
    assert isinstance(first, Paragraph)
    links = [(first.content.text[m.start : m.end], m.href) for m in first.content.marks]
    assert links == [("the earlier report", "https://news.example.org/2024/05/earlier")]
    assert isinstance(body[1], Heading) and body[1].text == "What happens next"
    assert isinstance(body[2], ListBlock) and len(body[2].items) == 2
    assert isinstance(body[3], Table) and body[3].rows[0][0].text == "Passau"
    assert isinstance(body[4], Quote)
    assert [p.content.text for p in body[5:] if isinstance(p, Paragraph)] == list(SENTENCES)


def test_relative_links_without_a_page_url_are_plain_text(config: Config) -> None:
    body = read_page(config, page(article=RICH)).article.body
    assert isinstance(body[0], Paragraph)
    assert body[0].content.marks == ()


def test_navigation_and_footer_stay_out(config: Config) -> None:
    strings = body_strings(read_page(config, page()))
    assert not any("Copyright Example News" in s or "Home World" in s for s in strings)


def test_every_string_is_xml_legal(config: Config) -> None:
    dirty = page(article="<p>Bell \x07 and &#1; and \ufffe here, then more text.</p>")
    result = read_page(config, dirty)
    assert not any(first_illegal(s) for s in body_strings(result))


def test_layout_table_is_unwrapped(config: Config) -> None:
    cells = "".join(f"<p>{s}</p>" for s in SENTENCES)
    layout = f"<table><tr><td>{cells}</td><td><p>{SENTENCES[0]}</p></td></tr></table>"
    data = (
        '<html lang="en"><head><meta charset="utf-8"><title>Old layout page</title></head>'
        f"<body><h1>Old layout page</h1>{layout}</body></html>"
    ).encode()
    body = read_page(config, data).article.body
    assert not any(isinstance(b, Table) for b in body)
    assert any(isinstance(b, Paragraph) and b.content.text == SENTENCES[1] for b in body)


def test_doctype_internal_subset_is_cut_out() -> None:
    prolog = '<?xml version="1.0"?>\n<!-- saved -->\n<!DOCTYPE html [<!ENTITY x "]>">]>'
    assert strip_internal_subset(prolog + "<html>") == (
        '<?xml version="1.0"?>\n<!-- saved -->\n<!DOCTYPE html><html>'
    )
    plain = "<!DOCTYPE html><html><p>[not a subset]</p>"
    assert strip_internal_subset(plain) == plain
    with pytest.raises(ReadError, match="never ends"):
        strip_internal_subset("<!DOCTYPE html [<!ENTITY x 'y'>")


def test_registered_by_extension_and_content(config: Config) -> None:
    assert detect_format("story.htm", b"") == "html"
    assert detect_format("story.xhtml", b"") == "html"
    assert detect_format("story", page()) == "html"
    result = read(ReadRequest("story", page()), config, NOW)
    assert result.article.headline == "River rises in the old town"
    assert read(ReadRequest("x.txt", page()), config, NOW, fmt="html").article.body


def test_size_limit_before_decoding(config: Config) -> None:
    data = page(article="<p>" + "x" * (config.limits.max_article_bytes + 1) + "</p>")
    with pytest.raises(ReadError, match="over the .*-byte limit"):
        read_page(config, data)


def test_no_headline_is_refused(config: Config) -> None:
    data = b"<html><body>" + b"".join(f"<p>{s}</p>".encode() for s in SENTENCES) + b"</body>"
    with pytest.raises(ReadError, match="no headline"):
        read_page(config, data)


def test_dates_after_next_year_are_not_believed(config: Config) -> None:
    head = '<meta property="article:published_time" content="2029-06-01T10:00:00+02:00">'
    assert read_html(ReadRequest("p.html", page(head)), config, NOW).date_inferred
    later = datetime(2030, 1, 1, tzinfo=UTC)
    result = read_html(ReadRequest("p.html", page(head)), config, later)
    assert result.article.published == datetime(2029, 6, 1, 8, tzinfo=UTC)
