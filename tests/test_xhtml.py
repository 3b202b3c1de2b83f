"""(X)HTML -> body blocks: every block type, marks, the round trip of the
rendered shape, deep nesting without recursion, hostile markup."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from syndicate.ingest.xhtml import (
    MarkupError,
    blocks_from_element,
    blocks_from_xhtml,
    parse_markup,
    text_of_markup,
)
from syndicate.model import (
    Block,
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
    Quote,
    Table,
)


def read(markup: str, depth: int = 8, base_url: str | None = None) -> list[Block]:
    return blocks_from_xhtml(markup, max_list_depth=depth, base_url=base_url)[0]


# -- a minimal renderer of the documented shape, to check the exact inverse ----


def render_inline(inline: Inline) -> str:
    """Properly nested marks only (what these tests build)."""
    events: list[tuple[int, int, str]] = []
    for order, mark in enumerate(inline.marks):
        tag = {"em": "em", "strong": "strong", "code": "code", "link": "a"}[mark.kind]
        attrs = f' href="{escape(mark.href)}"' if mark.href else ""
        events.append((mark.start, 1000 + order, f"<{tag}{attrs}>"))
        events.append((mark.end, -1000 + -order, f"</{tag}>"))
    events.sort(key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for at, _, tag in events:
        out.append(escape(inline.text[pos:at], quote=False))
        out.append(tag)
        pos = at
    out.append(escape(inline.text[pos:], quote=False))
    return "".join(out)


def render_list(block: ListBlock) -> str:
    tag = "ol" if block.ordered else "ul"
    items = "".join(
        f"<li>{render_inline(i.content)}{render_list(i.children) if i.children else ''}</li>"
        for i in block.items
    )
    return f"<{tag}>{items}</{tag}>"


def render(blocks: list[Block]) -> str:
    out = ['<div xmlns="http://www.w3.org/1999/xhtml">']
    for block in blocks:
        match block:
            case Heading(text=text, level=level):
                out.append(f"<h{level}>{escape(text)}</h{level}>")
            case Paragraph(content=content):
                out.append(f"<p>{render_inline(content)}</p>")
            case ListBlock():
                out.append(render_list(block))
            case Table(header=header, rows=rows):
                head = "".join(f'<th scope="col">{render_inline(c)}</th>' for c in header)
                body = "".join(
                    "<tr>" + "".join(f"<td>{render_inline(c)}</td>" for c in row) + "</tr>"
                    for row in rows
                )
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            case Faq(items=items):
                pairs = "".join(
                    f"<dt>{render_inline(i.question)}</dt><dd>{render_inline(i.answer)}</dd>"
                    for i in items
                )
                out.append(f'<section class="faq"><dl>{pairs}</dl></section>')
            case Quote(content=content, attribution=who):
                footer = f"<footer>{escape(who)}</footer>" if who else ""
                out.append(f"<blockquote><p>{render_inline(content)}</p>{footer}</blockquote>")
            case ImageBlock(image=image):
                size = f' width="{image.width}"' if image.width else ""
                size += f' height="{image.height}"' if image.height else ""
                caption = escape(image.caption or "")
                if image.credit:
                    caption += f' <small class="credit">{escape(image.credit)}</small>'

                out.append(
                    f'<figure><img src="{escape(image.url)}" alt="{escape(image.alt or "")}"'
                    f"{size}/><figcaption>{caption}</figcaption></figure>"
                )
    out.append("</div>")
    return "\n".join(out)


EVERY_BLOCK: list[Block] = [
    Heading("Background", 2),
    Heading("Details & more", 3),
    Paragraph(
        Inline(
            "Sanctions Impact: prices rose 5 < 6 for AT&T, see the report.",
            (
                Mark("strong", 0, 17),
                Mark("em", 18, 29),
                Mark("code", 30, 35),
                Mark("link", 50, 60, "https://example.org/report?a=1&b=2"),
            ),
        )
    ),
    Paragraph(Inline("Nested marks here", (Mark("strong", 0, 17), Mark("em", 7, 12)))),
    ListBlock(
        (
            ListItem(
                Inline("first", (Mark("em", 0, 5),)),
                ListBlock((ListItem(Inline("first.a")), ListItem(Inline("first.b"))), True),
            ),
            ListItem(Inline("second")),
        )
    ),
    Table(
        (Inline("Country"), Inline("Share", (Mark("strong", 0, 5),))),
        ((Inline("Korea"), Inline("40%")), (Inline(""), Inline("—"))),
    ),
    Faq(
        (
            FaqItem(Inline("What is it?"), Inline("A test.", (Mark("em", 2, 6),))),
            FaqItem(Inline("Why?"), Inline("Because.")),
        )
    ),
    Quote(Inline("We will not yield.", (Mark("em", 8, 11),)), "The minister"),
    Quote(Inline("Unattributed words.")),
    ImageBlock(
        Image(
            "https://example.org/img/a.png",
            "image/png",
            caption="Caption text",
            credit="Photo: Agency",
            width=640,
            height=480,
            alt="Alt text",
        )
    ),
    ImageBlock(Image("https://example.org/b.jpg")),
    Paragraph(Inline("서울 – 한국어 본문과 emoji 👩🏽‍💻 and\u00a0no-break space.")),
]


def test_the_rendered_shape_reads_back_exactly() -> None:
    markup = render(EVERY_BLOCK)
    assert read(markup) == EVERY_BLOCK
    assert read(markup.replace("><", ">\n  <")) == EVERY_BLOCK  # pretty-printed too


def test_html_body_wrapper_and_no_namespace() -> None:
    body = render(EVERY_BLOCK).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    assert read(f"<html><head><title>t</title></head><body>{body}</body></html>") == EVERY_BLOCK


inline_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: unicodedata.normalize("NFC", s))
    .filter(lambda s: s == s.strip(" ") and "  " not in s and not s.isspace())
)


@given(inline_text, st.data())
def test_any_text_with_a_mark_round_trips(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    block = Paragraph(Inline(text, (Mark("em", start, end),)))
    assert read(render([block])) == [block]


@given(inline_text, st.data())
def test_nested_or_disjoint_marks_round_trip(text: str, data: st.DataObject) -> None:
    spans = []
    for kind in data.draw(st.lists(st.sampled_from(["em", "strong", "code", "link"]), max_size=3)):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        spans.append(Mark(kind, start, end, "https://x.org/?a=<b>" if kind == "link" else None))
    for a in spans:
        for b in spans:
            crossing = a.start < b.start < a.end < b.end
            merging = a is not b and a.kind == b.kind and a.start <= b.end and b.start <= a.end
            if crossing or merging:
                return
    marks = tuple(sorted(spans, key=lambda m: (m.start, -m.end)))
    block = Paragraph(Inline(text, marks))
    assert read(render([block])) == [block]


@given(inline_text, st.data())
def test_links_never_hold_links(text: str, data: st.DataObject) -> None:
    marks = []
    for n in range(data.draw(st.integers(2, 4))):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        marks.append(Mark("link", start, end, f"https://x.org/{n}"))
    inline = Inline(text, tuple(marks))
    links = [m for m in inline.marks if m.kind == "link"]
    assert all(a.end <= b.start for a, b in zip(links, links[1:], strict=False))
    covered = {i for m in marks for i in range(m.start, m.end)}
    assert {i for m in links for i in range(m.start, m.end)} == covered  # no text unlinked
    assert Inline(text, inline.marks) == inline  # canonical stays canonical
    block = Paragraph(inline)
    assert read(render([block])) == [block]


def test_the_earlier_link_wins_where_links_overlap() -> None:
    marks = (Mark("link", 2, 6, "https://d/"), Mark("link", 0, 4, "https://c/"))
    assert Inline("abcdefg", marks).marks == (
        Mark("link", 0, 4, "https://c/"),
        Mark("link", 4, 6, "https://d/"),
    )


# -- each element ------------------------------------------------------------------


def test_headings_levels_and_marks_inline() -> None:
    blocks = read(
        "<div><h1>Top</h1><h4>Four</h4><p>a <i>b</i> <b>c</b> <code>d</code> "
        '<a href="https://x.org/">e</a> <a>no href</a><br/>f</p></div>'
    )
    assert blocks == [
        Heading("Top", 2),
        Heading("Four", 4),
        Paragraph(
            Inline(
                "a b c d e no href f",
                (
                    Mark("em", 2, 3),
                    Mark("strong", 4, 5),
                    Mark("code", 6, 7),
                    Mark("link", 8, 9, "https://x.org/"),
                ),
            )
        ),
    ]


def test_whitespace_collapses_but_no_break_space_stays() -> None:
    assert read("<p>\n  a \t b&#160; <em> c </em>\n</p>") == [
        Paragraph(Inline("a b\u00a0 c", (Mark("em", 5, 6),)))
    ]


def test_touching_marks_of_one_kind_merge() -> None:
    assert read("<p><em>ab</em><em>cd</em> e</p>") == [
        Paragraph(Inline("abcd e", (Mark("em", 0, 4),)))
    ]


def test_text_directly_in_containers_is_a_paragraph() -> None:
    blocks = read("<article>Loose <em>words</em><section><p>Inner</p></section>Tail</article>")
    assert blocks == [
        Paragraph(Inline("Loose words", (Mark("em", 6, 11),))),
        Paragraph(Inline("Inner")),
        Paragraph(Inline("Tail")),
    ]


def test_corrections_scripts_and_styles_are_skipped() -> None:
    blocks = read(
        '<div><aside class="correction">An earlier version erred.</aside>'
        "<script>alert(1)</script><style>p{}</style><p>Kept<script>x()</script></p>"
        "<aside>Other asides are read</aside></div>"
    )
    assert blocks == [Paragraph(Inline("Kept")), Paragraph(Inline("Other asides are read"))]


def test_table_without_thead_takes_the_first_row_and_pads() -> None:
    blocks, lints = blocks_from_xhtml(
        "<table><caption>Results</caption><tr><td>A</td><td>B</td></tr>"
        "<tr><td>1</td></tr><tr><td>2</td><td>3</td><td>4</td></tr></table>",
        max_list_depth=8,
    )
    assert blocks == [
        Paragraph(Inline("Results")),
        Table(
            (Inline("A"), Inline("B"), Inline("")),
            ((Inline("1"), Inline(""), Inline("")), (Inline("2"), Inline("3"), Inline("4"))),
        ),
    ]
    assert [lint.code for lint in lints] == ["table-shape"]


def test_definition_lists() -> None:
    faq = read("<dl><dt>Is it?</dt><dd>Yes.</dd><div><dt>Or?</dt><dd>No.</dd></div></dl>")
    assert faq == [
        Faq((FaqItem(Inline("Is it?"), Inline("Yes.")), FaqItem(Inline("Or?"), Inline("No."))))
    ]
    terms = read("<dl><dt>Term</dt><dd>Meaning</dd></dl>")
    assert terms == [
        Paragraph(Inline("Term", (Mark("strong", 0, 4),))),
        Paragraph(Inline("Meaning")),
    ]
    in_section = read('<section class="faq x"><h2>FAQ</h2><dl><dt>A</dt><dd>B</dd></dl></section>')
    assert in_section == [Heading("FAQ"), Faq((FaqItem(Inline("A"), Inline("B")),))]


def test_quotes_with_and_without_paragraphs() -> None:
    assert read("<blockquote>Plain words.</blockquote>") == [Quote(Inline("Plain words."))]
    assert read("<blockquote><p>One.</p><p>Two.</p><footer>Her</footer></blockquote>") == [
        Quote(Inline("One. Two."), "Her")
    ]


def test_images_figures_and_sources() -> None:
    blocks, lints = blocks_from_xhtml(
        '<div><figure><a href="/big"><img src="/img/p.webp" width="10px" height="x" '
        'data-media-type="image/avif" data-length="99"/></a><div class="byline">By Ann</div>'
        "<figcaption>Cap <b>bold</b></figcaption></figure>"
        '<p>Text <img src="https://x.org/i.gif" alt=" inline "/></p>'
        '<img src="data:image/png;base64,AAAA"/><img src="relative.jpg"/></div>',
        max_list_depth=8,
        base_url="https://site.example/articles/a",
    )
    assert blocks == [
        ImageBlock(
            Image(
                "https://site.example/img/p.webp",
                "image/avif",
                length=99,
                caption="Cap bold",
                credit="By Ann",
                width=10,
            )
        ),
        Paragraph(Inline("Text")),
        ImageBlock(Image("https://x.org/i.gif", "image/gif", alt="inline")),
        ImageBlock(Image("https://site.example/articles/relative.jpg")),
    ]
    assert [lint.code for lint in lints] == ["image-skipped"]


def test_unsafe_and_relative_links_lose_their_mark_not_their_text() -> None:
    blocks, lints = blocks_from_xhtml(
        '<p><a href="javascript:alert(1)">x</a> <a href="/y">y</a> '
        '<a href="mailto:a@b.org">z</a></p>',
        max_list_depth=8,
    )
    assert blocks == [Paragraph(Inline("x y z", (Mark("link", 4, 5, "mailto:a@b.org"),)))]
    assert [lint.code for lint in lints] == ["link-dropped", "link-dropped"]


def test_lists_loose_markup_and_flattening() -> None:
    blocks, lints = blocks_from_xhtml(
        "<ol><li><p>One</p><div><ul><li>deep</li></ul></div></li>"
        "<ul><li>stray nested</li></ul><li></li></ol>",
        max_list_depth=8,
    )
    assert blocks == [
        ListBlock(
            (
                ListItem(
                    Inline("One"),
                    ListBlock((ListItem(Inline("deep")), ListItem(Inline("stray nested")))),
                ),
                ListItem(Inline("")),
            ),
            True,
        )
    ]
    assert lints == []
    flat, lints = blocks_from_xhtml(
        "<ul><li>1<ul><li>2<ul><li>3</li></ul></li></ul></li></ul>", max_list_depth=2
    )
    assert isinstance(flat[0], ListBlock) and flat[0].depth() == 2
    assert [lint.code for lint in lints] == ["list-flattened"]


def test_not_well_formed_html_falls_back_to_the_html_parser() -> None:
    assert read("<p>a&nbsp;b<p>c<br>d &copy; <b>e") == [
        Paragraph(Inline("a\u00a0b")),
        Paragraph(Inline("c d © e", (Mark("strong", 6, 7),))),
    ]
    assert read("") == [] and read("   ") == []
    assert text_of_markup("<b>Bold</b> headline") == "Bold headline"


# -- depth without recursion ---------------------------------------------------------


def nested(tag: str, depth: int) -> tuple[etree._Element, etree._Element]:
    root = etree.Element("div")
    node = root
    for _ in range(depth):
        node = etree.SubElement(node, tag)
    return root, node


def test_thousand_deep_divs_and_spans() -> None:
    root, bottom = nested("div", 1000)
    etree.SubElement(bottom, "p").text = "deep text"
    assert blocks_from_element(root, max_list_depth=8)[0] == [Paragraph(Inline("deep text"))]
    root, bottom = nested("span", 1000)
    em = etree.SubElement(bottom, "em")
    em.text = "x"
    assert blocks_from_element(root, max_list_depth=8)[0] == [
        Paragraph(Inline("x", (Mark("em", 0, 1),)))
    ]


def test_thousand_deep_lists_are_flattened() -> None:
    root = etree.Element("div")
    node = etree.SubElement(root, "ul")
    for level in range(1, 1001):
        li = etree.SubElement(node, "li")
        li.text = f"level {level}"
        node = etree.SubElement(li, "ol")
    blocks, lints = blocks_from_element(root, max_list_depth=8)
    assert len(blocks) == 1 and isinstance(blocks[0], ListBlock)
    assert blocks[0].depth() == 8
    assert [lint.code for lint in lints] == ["list-flattened"]
    assert "1000 levels" in lints[0].message
    texts, stack = [], [blocks[0]]
    while stack:
        block = stack.pop()
        for item in block.items:
            texts.append(item.content.text)
            if item.children:
                stack.append(item.children)
    assert len(texts) == 1000 and texts[-1] == "level 1000"


def test_markup_past_the_parser_depth_limit_is_refused_not_truncated() -> None:
    deep = "<div>" * 1000 + "text" + "</div>" * 1000
    with pytest.raises(MarkupError, match="depth"):
        read(deep)
    lists = "<ul>" + "<li>x<ul>" * 1000 + "</ul></li>" * 1000 + "</ul>"
    with pytest.raises(MarkupError):
        read(lists)
    with pytest.raises(MarkupError):
        read("<p>" + "<span>" * 1000 + "not closed")
    ok = "<div>" * 200 + "<p>fine</p>" + "</div>" * 200
    assert read(ok) == [Paragraph(Inline("fine"))]


# -- hostile markup ----------------------------------------------------------------


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    xxe = (
        f'<!DOCTYPE p [<!ENTITY e SYSTEM "{secret.as_uri()}"><!ENTITY i "INTERNAL">]>'
        "<p>a &e; b &i; c &amp; &lt;script&gt;</p>"
    )
    assert read(xxe) == [Paragraph(Inline("a b c & <script>"))]
    laughs = (
        '<!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><p>x&c;y</p>'
    )
    assert read(laughs) == [Paragraph(Inline("xy"))]


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY e "FETCHED">')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_no_network_for_dtds_or_entities(listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    doc = f'<!DOCTYPE p SYSTEM "{url}/dtd"[<!ENTITY x SYSTEM "{url}/entity">]><p>a &x; &e; b</p>'
    assert read(doc) == [Paragraph(Inline("a b"))]
    broken = f'<!DOCTYPE html SYSTEM "{url}/html-dtd"><p>not <b>closed'
    assert read(broken)[-1] == Paragraph(Inline("not closed", (Mark("strong", 4, 10),)))
    assert hits == []


def test_comments_and_processing_instructions_are_not_text() -> None:
    root = parse_markup("<div><!-- hidden --><?pi data?><p>a<!-- x -->b</p></div>")
    assert blocks_from_element(root, max_list_depth=8)[0] == [Paragraph(Inline("ab"))]
