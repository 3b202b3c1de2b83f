"""The article's text: trafilatura finds it, xhtml.BodyReader turns it into blocks.

trafilatura runs on (a copy of) the tree parsed here, precision first, without
comments, with tables, formatting and links; when that yields under MIN_TEXT
characters it is asked again with its defaults, then favoring recall. Its XML
(<p>, <head rend=hN>, <list>/<item>, <table>/<row>/<cell>, <quote>, <hi>,
<ref target>, <lb/>) is renamed into the HTML the body reader knows; a table
whose cells hold paragraphs or lists is page layout and is unwrapped. Links
keep only absolute http(s) targets, relative ones resolved against the page's
own URL.

Then a few general clean-ups: a heading repeating the headline or a date-only
line among the first blocks goes; a comment-section heading in the second half
ends the article; a "read also / related" label with the list after it goes; a
paragraph matching an [ingest] boilerplate pattern goes.

A page with more than MAX_ELEMENTS elements, one whose text is nested too
deeply for trafilatura's cost (parse.MAX_WEIGHT), or one where it finds no text
is read by the body reader whole, navigation and boxes removed, keeping its
long paragraphs, list items and table cells.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Document

from ...model import Block, Heading, Inline, ListBlock, ListItem, Paragraph, Quote, Table
from ..lints import Lint
from ..xhtml import BodyReader
from .metadata import absolute_http
from .parse import MAX_ELEMENTS, MAX_WEIGHT, Element, Parsed, is_boilerplate
from .when import is_date_line

MIN_TEXT: Final = 250
FALLBACK_MIN: Final = 40
FALLBACK_BLOCKS: Final = 2_000
TOP_BLOCKS: Final = 3

ATTEMPTS: Final = ((True, False), (False, False), (False, True))
"""(favor_precision, favor_recall) for each try."""
EXTRACTOR_FAILURES: Final = (
    RecursionError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    etree.LxmlError,
)
"""What a heuristic extractor meeting a page it was not written for may raise; the
page is then read without it rather than refused."""
_PLAIN_RENAMES: Final = {
    "item": "li",
    "quote": "blockquote",
    "row": "tr",
    "lb": "br",
}
_HI: Final = {"#b": "strong", "#i": "em", "#t": "code", "#u": "u", "#sub": "sub", "#sup": "sup"}
_LAYOUT_CONTENT: Final = frozenset({"p", "list", "head", "quote", "table"})

_RELATED = re.compile(
    r"^(?:read|see|saiba|leia|lea|lesen sie|lire|à lire|a lire|more|related|mehr|más|mais|plus|"
    r"weitere|also read|you might also like|recommended|empfohlene|veja|ver también|voir aussi|"
    r"siehe auch|相关|相關|関連|推荐|あわせて読みたい)\b.{0,30}$"
    r"|^(?:related|more on this|more from|see also)",
    re.I,
)
_COMMENTS = re.compile(
    r"^(?:\d+\s+)?(?:comments?|comentar(?:ios)?|comentários?|kommentare?|commentaires?|commenti|"
    r"leave a (?:reply|comment)|add (?:a )?comment|discussion|reader comments|评论|留言|コメント)"
    r"\b.{0,20}$",
    re.I,
)


@dataclass(slots=True)
class BodyResult:
    blocks: list[Block]
    lints: list[Lint] = field(default_factory=list)


def extract_body(
    parsed: Parsed,
    *,
    headline: str | None,
    base_url: str | None,
    max_list_depth: int,
    now: datetime,
    boilerplate: Sequence[re.Pattern[str]] = (),
) -> BodyResult:
    lints: list[Lint] = []
    blocks: list[Block] = []
    if parsed.elements > MAX_ELEMENTS or parsed.weight > MAX_WEIGHT:
        why = (
            f"has {parsed.elements} elements (over {MAX_ELEMENTS})"
            if parsed.elements > MAX_ELEMENTS
            else "nests its text too deeply"
        )
        lints.append(
            Lint("html-large", f"page {why}; its paragraphs are read without main-text detection")
        )
    else:
        blocks, lints = _extracted(parsed.root, base_url, max_list_depth)
        if not blocks:
            lints.append(
                Lint("html-no-main-text", "no main text found; the page's paragraphs are used")
            )
    if not blocks:
        blocks = fallback_blocks(parsed.root, base_url)
    return BodyResult(clean_up(blocks, headline, boilerplate, now), lints)


def _extracted(
    root: Element, base_url: str | None, max_list_depth: int
) -> tuple[list[Block], list[Lint]]:
    best: tuple[list[Block], list[Lint]] = ([], [])
    for precision, recall in ATTEMPTS:
        try:
            document = _trafilatura(root, precision=precision, recall=recall)
        except EXTRACTOR_FAILURES as exc:
            failed = Lint("html-extractor-failed", f"main-text detection failed: {exc!r}"[:200])
            return best[0], [*best[1], failed]
        if document is None or document.body is None:
            continue
        reader = BodyReader(max_list_depth=max_list_depth)
        reader.read(as_html(document.body, base_url))
        if not best[0]:
            best = (reader.blocks, reader.lints)
        if text_length(reader.blocks) >= MIN_TEXT:
            return reader.blocks, reader.lints
    return best


def _trafilatura(root: Element, *, precision: bool, recall: bool) -> Document | None:
    result = bare_extraction(
        copy.deepcopy(root),
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_formatting=True,
        include_links=True,
        include_images=False,
        deduplicate=False,
        favor_precision=precision,
        favor_recall=recall,
    )
    return result if isinstance(result, Document) else None


def as_html(body: etree._Element, base_url: str | None) -> etree._Element:
    """trafilatura's XML renamed, in place, into the HTML BodyReader reads."""
    for table in [t for t in body.iter("table") if _is_layout(t)]:
        for el in list(table.iter("row", "cell")):
            if next(el.iterancestors("table"), None) is table:
                el.tag = "div"
        table.tag = "div"
    for el in body.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        rend = el.get("rend") or ""
        if tag == "head":
            el.tag = rend if re.fullmatch(r"h[1-6]", rend) else "h2"
        elif tag == "list":
            el.tag = "ol" if rend == "ol" else "ul"
        elif tag == "cell":
            el.tag = "th" if el.get("role") == "head" else "td"
        elif tag == "hi":
            el.tag = _HI.get(rend, "span")
        elif tag == "ref":
            href = _link(el.get("target"), base_url)
            el.tag = "a" if href else "span"
            el.attrib.clear()
            if href:
                el.set("href", href)
            continue
        elif tag == "graphic":
            el.tag = "span"
        else:
            el.tag = _PLAIN_RENAMES.get(tag, tag)
        for attribute in ("rend", "role", "target", "class", "style"):
            if attribute in el.attrib:
                del el.attrib[attribute]
    return body


def _is_layout(table: etree._Element) -> bool:
    """A table whose cells hold paragraphs, lists or headings lays out a page."""
    return any(
        isinstance(child.tag, str) and child.tag in _LAYOUT_CONTENT
        for cell in table.iter("cell")
        for child in cell
    )


def _link(target: str | None, base_url: str | None) -> str | None:
    if not target or target.strip().startswith("#"):
        return None
    return absolute_http(target, base_url)


def text_length(blocks: Sequence[Block]) -> int:
    return sum(len(t) for block in blocks for t in block_texts(block))


def block_texts(block: Block) -> list[str]:
    """The strings of a block's text, lists and tables included, without recursion."""
    match block:
        case Heading():
            return [block.text]
        case Paragraph() | Quote():
            return [block.content.text]
        case Table():
            return [c.text for row in (block.header, *block.rows) for c in row]
        case ListBlock():
            texts: list[str] = []
            stack: list[ListItem] = list(reversed(block.items))
            while stack:
                item = stack.pop()
                texts.append(item.content.text)
                if item.children is not None:
                    stack.extend(reversed(item.children.items))
            return texts
    return []


def fallback_blocks(root: Element, base_url: str | None) -> list[Block]:
    """The page's long paragraphs, list items and table cells, navigation and boxes
    left out."""
    body = root.find("body")
    if body is None:
        return []
    pruned = copy.deepcopy(body)
    for el in [e for e in pruned.iter() if is_boilerplate(e) or e.tag == "img"]:
        el.drop_tree()
    _drop_short_items(pruned)
    for link in pruned.iter("a"):
        href = _link(link.get("href"), base_url)
        if href is None:
            link.attrib.pop("href", "")
        else:
            link.set("href", href)
    reader = BodyReader(max_list_depth=1)
    reader.read(pruned)
    blocks: list[Block] = []
    for block in reader.blocks:
        if isinstance(block, Paragraph | Quote):
            if len(block.content.text) >= FALLBACK_MIN:
                blocks.append(block)
        else:
            blocks.extend(Paragraph(i) for i in _inlines(block) if len(i.text) >= FALLBACK_MIN)
        if len(blocks) >= FALLBACK_BLOCKS:
            break
    return blocks[:FALLBACK_BLOCKS]


def _inlines(block: Block) -> tuple[Inline, ...]:
    """A heading's text, a table's cells, a list's top-level items, as runs of text."""
    match block:
        case Heading():
            return (Inline(block.text),)
        case Table():
            return block.header + tuple(cell for row in block.rows for cell in row)
        case ListBlock():
            return tuple(item.content for item in block.items)
    return ()


def _drop_short_items(root: Element) -> None:
    """Remove the list items that hold no other item and too little text to keep
    (link lists), in time linear in the size of the tree."""
    items = list(root.iter("li"))
    holders: set[Element] = set()
    for item in items:
        for ancestor in item.iterancestors("li"):
            if ancestor in holders:
                break
            holders.add(ancestor)
    for item in items:
        if item not in holders and len("".join(str(t) for t in item.itertext())) < FALLBACK_MIN:
            item.drop_tree()


def _plain(block: Block) -> str | None:
    if isinstance(block, Heading):
        return block.text
    if isinstance(block, Paragraph):
        return block.content.text
    return None


def clean_up(
    blocks: list[Block],
    headline: str | None,
    boilerplate: Sequence[re.Pattern[str]],
    now: datetime,
) -> list[Block]:
    """The general clean-ups listed in the module docstring."""
    wanted = " ".join((headline or "").split())
    out: list[Block] = []
    count = len(blocks)
    index = 0
    while index < count:
        block = blocks[index]
        text = _plain(block)
        if text is None:
            out.append(block)
            index += 1
            continue
        squashed = " ".join(text.split())
        if index < TOP_BLOCKS and (
            (isinstance(block, Heading) and squashed == wanted) or is_date_line(squashed, now)
        ):
            index += 1
            continue
        if len(squashed) < 40 and _COMMENTS.match(squashed) and index >= count / 2:
            break
        if len(squashed) < 50 and _RELATED.match(squashed):
            end = index + 1
            while end < count and isinstance(blocks[end], ListBlock):
                end += 1
            if end > index + 1:
                index = end
                continue
        if not (isinstance(block, Paragraph) and any(p.search(squashed) for p in boilerplate)):
            out.append(block)
        index += 1
    return out
