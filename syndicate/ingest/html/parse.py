"""The page as a tree, parsed safely, and the questions every part asks of it.

Safety: the text was bounded in size before decoding; a DOCTYPE internal
subset (where entities are declared) is cut out before parsing; libxml2's HTML
parser never loads a DTD, never expands a declared entity and is told not to
touch the network; elements nested deeper than MAX_DEPTH are unwrapped, their
text and children moving up, so nothing downstream meets a tree deep enough
to exhaust a recursive walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, TypeAlias

from lxml import etree
from lxml import html as lxml_html

from ...errors import ReadError
from ..normalize import clean

Element: TypeAlias = lxml_html.HtmlElement

MAX_DEPTH: Final = 400
"""Elements nested deeper than this are unwrapped."""
MAX_ELEMENTS: Final = 60_000
"""Pages with more elements skip the main-text extractor (its cost grows faster than linear)."""

MAX_WEIGHT: Final = 20_000_000
"""Pages whose text, each character weighted by its nesting depth, outweighs this skip
the main-text extractor: its cost grows with the text of every element's subtree."""

_SUBSET_TOKEN = re.compile(r"[\"'\]]")
_SUBSET_CLOSE = re.compile(r"\s*>")
_WS = re.compile(r"\s+")
KEEP_WHEN_DEEP: Final = frozenset(
    "h1 h2 h3 h4 h5 h6 p li ul ol table tr td th blockquote pre dl dt dd figure figcaption".split()
)

_BOILERPLATE_WORDS = (
    r"related|recommend\w*|more|also|teaser|promo\w*|sidebar|footer|comments?|newsletter|widget|"
    r"trending|popular|nav|navigation|menu|cards?|summary-item|list|rail|outbrain|taboola|share|social"
)
_BOILERPLATE = re.compile(r"(?:^|[\s_-])(?:" + _BOILERPLATE_WORDS + r")(?:$|[\s_-])", re.I)


@dataclass(frozen=True, slots=True)
class Parsed:
    root: Element
    elements: int
    unwrapped: int
    """Elements unwrapped because they sat deeper than MAX_DEPTH."""
    truncated: bool
    """The parser gave up on nesting beyond its own limit; content after that point is lost."""
    weight: int
    """Characters of text, each counted once per level of nesting above it."""


def _doctype_at(text: str) -> int:
    """Where the DOCTYPE starts, after whitespace, an XML declaration and comments; -1 if none."""
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("<?xml", pos):
            end = text.find(">", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            end = end + 2 if end >= 0 else -1
        else:
            return pos if text[pos : pos + 9].lower() == "<!doctype" else -1
        if end < 0:
            return -1
        pos = end + 1


def strip_internal_subset(text: str, name: str | None = None) -> str:
    """The document with a DOCTYPE's internal subset (entity declarations) cut out."""
    start = _doctype_at(text)
    if start < 0:
        return text
    close = text.find(">", start)
    bracket = text.find("[", start)
    if bracket < 0 or 0 <= close < bracket:
        return text
    pos = bracket + 1
    while (token := _SUBSET_TOKEN.search(text, pos)) is not None:
        if token.group() != "]":
            close = text.find(token.group(), token.end())
            if close < 0:
                break
            pos = close + 1
            continue
        end = _SUBSET_CLOSE.match(text, token.end())
        if end is not None:
            return text[:start] + "<!DOCTYPE html>" + text[end.end() :]
        pos = token.end()
    raise ReadError("the DOCTYPE's internal subset never ends", file=name)


def parse_page(text: str, name: str) -> Parsed:
    """Parse a whole page; ReadError when there is no document to read."""
    text = strip_internal_subset(clean(text), name)
    parser = lxml_html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        huge_tree=True,
        collect_ids=False,
    )
    try:
        root = lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReadError(f"cannot parse the page: {exc}", file=name) from None
    truncated = any("Excessive depth" in entry.message for entry in parser.error_log)
    unwrapped, elements, weight = unwrap_deep(root)
    return Parsed(root, elements, unwrapped, truncated, weight)


def unwrap_deep(root: Element) -> tuple[int, int, int]:
    """Unwrap the elements deeper than MAX_DEPTH (block elements that carry
    structure are kept); (how many were unwrapped, how many elements remain, the
    text's weight as Parsed describes it)."""
    boundaries: list[Element] = []
    depth = count = weight = kept = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            count += 1
            if depth == MAX_DEPTH and len(el):
                boundaries.append(el)
            elif depth > MAX_DEPTH and el.tag in KEEP_WHEN_DEEP:
                kept += 1
            weight += len(el.text or "") * min(depth, MAX_DEPTH + kept)
        else:
            if depth > MAX_DEPTH and el.tag in KEEP_WHEN_DEEP:
                kept -= 1
            depth -= 1
            weight += len(el.tail or "") * min(depth, MAX_DEPTH + kept)
    unwrapped = sum(_flatten(boundary) for boundary in boundaries)
    return unwrapped, count - unwrapped, weight


def _flatten(boundary: Element) -> int:
    """Rebuild what lies below `boundary` without the elements that do not carry
    structure, their text joined to what surrounds them, in one linear pass;
    how many elements went."""
    holder = boundary.makeelement(boundary.tag, {})
    stack: list[tuple[Element, list[str]]] = [(holder, [boundary.text or ""])]
    dropped = 0

    def flush() -> None:
        parent, pieces = stack[-1]
        text = "".join(pieces) or None
        pieces.clear()
        if len(parent):
            parent[-1].tail = text
        else:
            parent.text = text

    walk = etree.iterwalk(boundary, events=("start", "end"))
    next(walk)
    for event, el in walk:
        if el is boundary:
            break
        keep = isinstance(el.tag, str) and el.tag in KEEP_WHEN_DEEP
        if event == "start" and keep:
            flush()
            parent = stack[-1][0]
            clone = parent.makeelement(el.tag, dict(el.attrib))
            parent.append(clone)
            stack.append((clone, [el.text or ""]))
        elif event == "start":
            dropped += 1
            stack[-1][1].append(el.text or "")
        else:
            if keep:
                flush()
                stack.pop()
            stack[-1][1].append(el.tail or "")
    flush()
    boundary.text = holder.text
    for child in list(boundary):
        boundary.remove(child)
    boundary.extend(list(holder))
    return dropped


def squash(text: str | None) -> str:
    """Cleaned (see normalize.clean), whitespace runs as one space, trimmed."""
    return _WS.sub(" ", clean(text or "")).strip()


def text_of(el: etree._Element | None) -> str:
    """The element's text, whitespace squashed ("" for None)."""
    if el is None:
        return ""
    return squash("".join(str(t) for t in el.itertext()))


def is_boilerplate(el: etree._Element) -> bool:
    """Navigation, a footer, or a related/comment/teaser/share container?
    (Classes on <html> and <body> describe the whole page and are not asked.)"""
    tag = el.tag
    if tag in ("body", "html") or not isinstance(tag, str):
        return False
    if tag in ("footer", "nav"):
        return True
    return bool(_BOILERPLATE.search(f"{el.get('class') or ''} {el.get('id') or ''}"))


def in_boilerplate(el: etree._Element) -> bool:
    """Inside one of the containers is_boilerplate() names?"""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if is_boilerplate(ancestor):
            return True
    return False


def attribute_words(el: etree._Element, *names: str) -> list[str]:
    """The lowercased words of the given attributes (rel, itemprop, property...)."""
    words: list[str] = []
    for name in names:
        words.extend((el.get(name) or "").lower().split())
    return words
