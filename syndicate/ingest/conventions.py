"""Conventions of article text that several readers share: the dateline,
`Label: text` lines, FAQ runs, the truncated SEO tail, and lists built
iteratively with their nesting bounded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..model import (
    Block,
    Faq,
    FaqItem,
    Heading,
    Inline,
    ListBlock,
    ListItem,
    Mark,
    Paragraph,
    Quote,
    Table,
)

_DATELINE = re.compile(r"^(?P<place>\S[^–—\n]*?)\s+[–—-]\s+(?P<rest>\S.*)$", re.DOTALL)
_LABEL = re.compile(r"^(?P<label>[^:\n]{1,60}?):\s+(?P<rest>\S.*)$", re.DOTALL)
_SEO_TAIL = re.compile(r"(?:^|(?<=[.!?…”\"']))\s*[^.!?…]*:\s*\*\s*$")
_FAQ_HEADING = re.compile(r"(?i)\b(faq|frequently asked|questions)\b")
MAX_DATELINE_WORDS = 4
MAX_LABEL_WORDS = 6


_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_SPACE_CHARS = frozenset(" \t\n\r\f")


def tidy_text(text: str) -> str:
    """Runs of spaces, tabs and newlines as one space; no space at the ends.
    (A no-break space is content and stays.)"""
    return _SPACE_RUN.sub(" ", text).strip(" \t\n\r\f")


def tidy_inline(inline: Inline) -> Inline:
    """tidy_text with the marks moved along; a mark left empty is dropped."""
    text = inline.text
    if not inline.marks:
        tidy = tidy_text(text)
        return inline if tidy == text else Inline(tidy)
    out: list[str] = []
    where = [0] * (len(text) + 1)
    pending = False
    for i, ch in enumerate(text):
        if ch in _SPACE_CHARS:
            pending = bool(out)
            where[i] = len(out)
            continue
        if pending:
            out.append(" ")
            pending = False
        where[i] = len(out)
        out.append(ch)
    where[len(text)] = len(out)
    marks = []
    for mark in inline.marks:
        start, end = where[mark.start], where[mark.end]
        if start < end:
            marks.append(Mark(mark.kind, start, end, mark.href))
    return Inline("".join(out), tuple(marks))


def tidy_block(block: Block) -> Block:
    """The block with every run of inline text tidied (see tidy_text)."""
    match block:
        case Heading():
            return Heading(tidy_text(block.text), block.level)
        case Paragraph():
            return Paragraph(tidy_inline(block.content))
        case ListBlock():
            return _tidy_list(block)
        case Table():
            return Table(
                tuple(tidy_inline(c) for c in block.header),
                tuple(tuple(tidy_inline(c) for c in row) for row in block.rows),
            )
        case Faq():
            return Faq(
                tuple(FaqItem(tidy_inline(i.question), tidy_inline(i.answer)) for i in block.items)
            )
        case Quote():
            attribution = tidy_text(block.attribution) if block.attribution else None
            return Quote(tidy_inline(block.content), attribution or None)
    return block


def _tidy_list(block: ListBlock) -> ListBlock:
    """Nesting is bounded by [limits] max_list_depth, so recursion is too."""
    return ListBlock(
        tuple(
            ListItem(tidy_inline(i.content), _tidy_list(i.children) if i.children else None)
            for i in block.items
        ),
        block.ordered,
    )


LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def link_target(raw: str, base_url: str) -> str | None:
    """An absolute http(s)/mailto URL for a link, resolving a relative one
    against the site; None for anything else (javascript:, data:, ...)."""
    text = raw.strip()
    if not text:
        return None
    try:
        url = text if urlsplit(text).scheme else urljoin(base_url.rstrip("/") + "/", text)
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in LINK_SCHEMES else None


def split_dateline(text: str) -> tuple[str, str] | None:
    """`Beijing – North Korean...` -> ("Beijing", "North Korean...")."""
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match.group("place").strip()
    if (
        len(place.split()) > MAX_DATELINE_WORDS
        or not place[0].isalpha()
        or place[-1] in ".!?:;"
        or any(ch in place for ch in '“”"«»„‘’')
    ):
        return None
    return place, match.group("rest")


def label_of(text: str) -> str | None:
    """The label of a `Sanctions Impact: text` line, or None."""
    match = _LABEL.match(text)
    if not match:
        return None
    label = match.group("label").strip()
    first = label[0]
    if (
        len(label.split()) > MAX_LABEL_WORDS
        or (first.isalpha() and first.islower())
        or any(ch in label for ch in ".!?;")
        or "://" in text[: match.end("label") + 3]
    ):
        return None
    return label


def labelled(text: str) -> Inline:
    """The text, with its label (colon included) marked strong when it has one."""
    label = label_of(text)
    if label is None:
        return Inline(text)
    end = text.index(":") + 1
    return Inline(text, (Mark("strong", 0, end),))


def cut_seo_tail(text: str) -> str:
    """Cut a trailing `Key search terms related to this event include: *`."""
    return _SEO_TAIL.sub("", text).rstrip()


def is_faq_heading(text: str) -> bool:
    return bool(_FAQ_HEADING.search(text))


def split_question(text: str) -> tuple[str, str] | None:
    """`What is X? It is Y.` -> ("What is X?", "It is Y.")."""
    mark = text.find("?")
    if mark <= 0:
        return None
    question, answer = text[: mark + 1].strip(), text[mark + 1 :].strip()
    if not answer:
        return None
    return question, answer


def faq_from(texts: list[str], *, under_faq_heading: bool) -> Faq | None:
    """A run of `Question? Answer` items is an FAQ: all of them must split,
    and there must be two or more unless a FAQ heading announces them."""
    pairs = [split_question(t) for t in texts]
    if not pairs or any(p is None for p in pairs):
        return None
    if len(pairs) < 2 and not under_faq_heading:
        return None
    return Faq(tuple(FaqItem(Inline(q), Inline(a)) for q, a in (p for p in pairs if p)))


@dataclass(slots=True)
class _Item:
    content: Inline
    children: _Level | None = None


@dataclass(slots=True)
class _Level:
    ordered: bool
    items: list[_Item] = field(default_factory=list)


class ListAssembler:
    """Builds a ListBlock from items given in document order with their depth
    (1 = top level). Items deeper than `max_depth` join the deepest allowed
    level; `flattened_from` records the deepest depth seen when that happens."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max(1, max_depth)
        self.root: _Level | None = None
        self.stack: list[_Level] = []
        self.flattened_from = 0

    def add(self, depth: int, ordered: bool, content: Inline) -> None:
        if depth > self.max_depth:
            self.flattened_from = max(self.flattened_from, depth)
            depth = self.max_depth
        if self.root is None:
            self.root = _Level(ordered)
            self.stack = [self.root]
        depth = min(depth, len(self.stack) + 1)
        while len(self.stack) > depth:
            self.stack.pop()
        if len(self.stack) < depth:
            parent = self.stack[-1]
            if not parent.items:
                parent.items.append(_Item(Inline("")))
            level = _Level(ordered)
            parent.items[-1].children = level
            self.stack.append(level)
        self.stack[-1].items.append(_Item(content))

    def extend_last(self, text: str) -> None:
        """Append a continuation line to the last item."""
        if not self.stack or not self.stack[-1].items:
            return
        item = self.stack[-1].items[-1]
        joined = f"{item.content.text} {text}" if item.content.text else text
        item.content = Inline(joined, item.content.marks)

    def build(self) -> ListBlock | None:
        if self.root is None:
            return None
        return _freeze(self.root)


def _freeze(level: _Level) -> ListBlock:
    """Depth is bounded by max_depth, so recursion here is bounded too."""
    return ListBlock(
        tuple(
            ListItem(item.content, _freeze(item.children) if item.children else None)
            for item in level.items
        ),
        level.ordered,
    )


def join_inlines(pieces: list[Inline], sep: str = " ") -> Inline:
    """Several runs of text as one, marks shifted along; empty runs are skipped."""
    texts: list[str] = []
    marks: list[Mark] = []
    pos = 0
    for piece in pieces:
        if not piece.text:
            continue
        if texts:
            texts.append(sep)
            pos += len(sep)
        texts.append(piece.text)
        marks.extend(Mark(m.kind, m.start + pos, m.end + pos, m.href) for m in piece.marks)
        pos += len(piece.text)
    return Inline("".join(texts), tuple(marks))


def slice_inline(inline: Inline, start: int, end: int) -> Inline:
    """The text in [start, end), with the marks cut to it."""
    marks = []
    for m in inline.marks:
        lo, hi = max(m.start, start), min(m.end, end)
        if lo < hi:
            marks.append(Mark(m.kind, lo - start, hi - start, m.href))
    return Inline(inline.text[start:end], tuple(marks))
