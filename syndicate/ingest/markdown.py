"""Markdown articles: optional YAML (`---`) or TOML (`+++`) front matter, then
CommonMark with pipe tables, parsed by markdown-it-py with raw HTML kept as text.

The token stream is flat and becomes model blocks through an explicit stack.
Nesting is bounded before it can recurse: past the configured list depth a
block rule takes the rest of the container as flat lines, so a list nested a
thousand levels deep is read and flattened, with a lint, and no words are lost.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from ..config import Config
from ..errors import ReadError
from ..model import (
    Heading,
    Image,
    ImageBlock,
    Inline,
    Mark,
    MarkKind,
    ModelError,
    Paragraph,
    Quote,
    Table,
)
from .assemble import assemble
from .base import Extracted, Meta, ReadRequest, ReadResult
from .conventions import (
    ListAssembler,
    faq_from,
    is_faq_heading,
    join_inlines,
    link_target,
    slice_inline,
    split_dateline,
)
from .frontmatter import guess_image_type, key_line, parse_meta, split_front_matter
from .lints import Lint, missing_spaces
from .normalize import clean, decode, is_blank

MAX_PARSED_DEPTH = 64
"""The parser flattens lists deeper than this whatever `[limits] max_list_depth` says."""

_MARKERS = re.compile(r"(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))+")
_ONE_MARKER = re.compile(r"[-*+]|\d{1,9}[.)]")
_QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_ATTRIBUTION = re.compile(r"^[—―–]\s*(?P<who>\S.*)$", re.DOTALL)
_ABSOLUTE = re.compile(r"(?i)^https?://\S+$")
_DEEP = "deep_text"


def read_markdown(request: ReadRequest, config: Config, now: datetime) -> ReadResult:
    name = request.name
    text = clean(decode(request.data, name))
    if is_blank(text):
        raise ReadError("empty document: nothing but whitespace", file=name)
    split = split_front_matter(text, name)
    meta, lints = Meta(), list[Lint]()
    if split.kind:
        meta, lints = parse_meta(split.front, split.kind, name, config, first_line=2)
    depth = max(1, min(config.limits.max_list_depth, MAX_PARSED_DEPTH))
    try:
        found = _Converter(depth, split.body_first_line, meta, config.site.base_url).run(split.body)
    except RecursionError:
        raise ReadError("document nested too deeply to read", file=name) from None
    except ModelError as exc:
        raise ReadError(str(exc), file=name) from None
    found.lints[:0] = lints
    if meta.headline is not None:
        found.headline_line = key_line(split.front, "headline", 2)
    elif found.headline is None:
        raise ReadError(
            "no headline: give front matter a `headline` or the body a level-1 heading",
            file=name,
            line=split.body_first_line,
        )
    images = tuple(b.image for b in found.body if isinstance(b, ImageBlock))
    if meta.images is None and images:
        meta = dataclasses.replace(meta, images=images)
    return assemble(request, config, now, meta, found)


@lru_cache(maxsize=8)
def _parser(depth: int) -> MarkdownIt:
    """CommonMark, raw HTML off, tables and strikethrough on, nesting bounded.

    Inside a list item at depth `depth + 1` (block level 2 * depth + 2) the
    deep-text rule takes the rest of the container as lines, so the block
    parser never reaches `maxNesting`, where markdown-it drops the rest."""
    threshold = 2 * depth + 2
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": max(20, 2 * depth + 6)})
    md.enable(["table", "strikethrough"])

    def deep_text(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.level < threshold or silent:
            return False
        line, last = start, start + 1
        while line < end:
            if not state.isEmpty(line):
                if line > start and state.sCount[line] < state.blkIndent:
                    break
                last = line + 1
            line += 1
        token = state.push(_DEEP, "", 0)
        token.content = "\n".join(
            state.src[state.bMarks[n] + state.tShift[n] : state.eMarks[n]]
            for n in range(start, last)
        )
        token.meta = {"indents": [state.sCount[n] for n in range(start, last)]}
        token.map = [start, last]
        state.line = last
        return True

    md.block.ruler.before("table", "deep_text", deep_text)
    return md


_OPENERS: dict[str, MarkKind] = {"em_open": "em", "strong_open": "strong", "link_open": "link"}
_CLOSERS: dict[str, MarkKind] = {"em_close": "em", "strong_close": "strong", "link_close": "link"}


def tokens_to_inline(children: list[Token], base_url: str = "") -> tuple[Inline, list[int]]:
    """Inline tokens -> one string with marks, and the offsets where source lines start.

    Breaks become a space; an image's alt text stays in the flow; relative
    links are resolved against the site's base URL."""
    parts: list[str] = []
    pos = 0
    marks: list[Mark] = []
    breaks: list[int] = []
    opened: list[tuple[MarkKind, int, str | None]] = []
    work = list(reversed(children))
    while work:
        token = work.pop()
        kind = token.type
        if kind == "image":
            work.extend(reversed(token.children or []))
            continue
        if kind in _OPENERS:
            href = link_target(clean(str(token.attrGet("href") or "")), base_url)
            opened.append((_OPENERS[kind], pos, href))
            continue
        if kind in _CLOSERS:
            for j in range(len(opened) - 1, -1, -1):
                if opened[j][0] == _CLOSERS[kind]:
                    mark_kind, start, href = opened.pop(j)
                    if pos > start and (mark_kind != "link" or href):
                        marks.append(Mark(mark_kind, start, pos, href))
                    break
            continue
        if kind in ("softbreak", "hardbreak"):
            piece = " "
        elif kind in ("text", "text_special", "html_inline", "code_inline"):
            piece = clean(token.content).replace("\n", " ")
        else:
            continue
        parts.append(piece)
        if kind == "code_inline" and piece:
            marks.append(Mark("code", pos, pos + len(piece)))
        pos += len(piece)
        if kind in ("softbreak", "hardbreak"):
            breaks.append(pos)
    unique = sorted(set(marks), key=lambda m: (m.start, -m.end, m.kind))
    return Inline("".join(parts), tuple(unique)), breaks


@dataclass(slots=True)
class _Entry:
    depth: int
    ordered: bool
    line: int
    pieces: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class _ListFrame:
    entries: list[_Entry]  # shared by a list and the lists nested in its items
    depth: int
    ordered: bool


@dataclass(slots=True)
class _ItemFrame:
    entry: _Entry
    entries: list[_Entry]


@dataclass(slots=True)
class _QuoteFrame:
    pieces: list[Inline] = field(default_factory=list)
    last_breaks: list[int] = field(default_factory=list)


class _Converter:
    def __init__(self, depth: int, first_line: int, meta: Meta, base_url: str) -> None:
        self.md = _parser(depth)
        self.base_url = base_url
        self.depth = depth
        self.first_line = first_line
        self.meta = meta
        self.env: dict[str, Any] = {}
        self.found = Extracted()
        self.stack: list[_ListFrame | _ItemFrame | _QuoteFrame] = []
        self.last_heading: str | None = None
        self.seen_h1 = False
        self.seen_paragraph = False

    def run(self, body: str) -> Extracted:
        tokens = self.md.parse(body, self.env)
        index = 0
        while index < len(tokens):
            if tokens[index].type == "table_open":
                index = self._table(tokens, index)
            else:
                self._token(tokens[index], tokens[index - 1] if index else tokens[index])
            index += 1
        return self.found

    def _line(self, token: Token) -> int:
        return self.first_line + token.map[0] if token.map else self.first_line

    def _token(self, token: Token, previous: Token) -> None:
        kind, stack = token.type, self.stack
        top = stack[-1] if stack else None
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            if isinstance(top, _ItemFrame):
                stack.append(_ListFrame(top.entries, top.entry.depth + 1, ordered))
            else:
                stack.append(_ListFrame([], 1, ordered))
        elif kind == "list_item_open" and isinstance(top, _ListFrame):
            entry = _Entry(top.depth, top.ordered, self._line(token))
            top.entries.append(entry)
            stack.append(_ItemFrame(entry, top.entries))
        elif kind == "blockquote_open":
            stack.append(_QuoteFrame())
        elif kind.endswith("_close") and kind[:-6] in ("bullet_list", "ordered_list", "list_item"):
            frame = stack.pop()
            if isinstance(frame, _ListFrame) and frame.depth == 1:
                self._close_list(frame)
        elif kind == "blockquote_close" and isinstance(top, _QuoteFrame):
            stack.pop()
            self._close_quote(top)
        elif kind == "inline":
            self._inline(token, previous)
        elif kind in ("fence", "code_block"):
            self._code(token)
        elif kind == _DEEP:
            self._deep(token)

    # -- leaves ------------------------------------------------------------------

    def _inline(self, token: Token, opener: Token) -> None:
        children = token.children or []
        inline, breaks = tokens_to_inline(children, self.base_url)
        line = self._line(token)
        if opener.type == "heading_open":
            self._heading(inline.text, int(opener.tag[1:]), line)
            return
        image = _lone_image(children)
        if image is not None and self._container() is None:
            url = clean(str(image.attrGet("src") or ""))
            if _ABSOLUTE.match(url):
                caption = " ".join(clean(str(image.attrGet("title") or "")).split()) or None
                alt = " ".join(inline.text.split()) or None
                picture = Image(url, guess_image_type(url), caption=caption, alt=alt)
                self.found.body.append(ImageBlock(picture))
                return
            message = f"image {url!r} is not an absolute http(s) URL; its alt text is kept"
            self.found.lints.append(Lint("image-url", message, line))
        if is_blank(inline.text):
            return
        self._lint(inline, breaks, [line + k for k in range(len(breaks) + 1)])
        if not self._put(inline, breaks):
            self._paragraph(inline)

    def _heading(self, text: str, level: int, line: int) -> None:
        text = " ".join(text.split())
        if not text or self._put(Inline(text), []):
            return
        if level == 1 and not self.seen_h1:
            self.seen_h1 = True
            self.found.headline = text
            self.found.headline_line = line
            return
        self.found.body.append(Heading(text, max(2, level)))
        self.last_heading = text

    def _paragraph(self, inline: Inline) -> None:
        if not self.seen_paragraph:
            self.seen_paragraph = True
            inline = self._dateline(inline)
            self.found.summary = inline.text or None
        self.found.body.append(Paragraph(inline))

    def _dateline(self, inline: Inline) -> Inline:
        """`Place – text` opening the first paragraph; front matter's dateline wins."""
        split = split_dateline(inline.text)
        if split is None or not inline.text.endswith(split[1]):
            return inline
        place, rest = split
        given = self.meta.dateline
        if given is not None and " ".join(given.split()).casefold() != place.casefold():
            return inline
        self.found.dateline = place
        return slice_inline(inline, len(inline.text) - len(rest), len(inline.text))

    def _code(self, token: Token) -> None:
        text = clean(token.content).strip("\n")
        if is_blank(text):
            return
        code = Inline(text, (Mark("code", 0, len(text)),))
        if not self._put(code, []):
            self.found.body.append(Paragraph(code))

    def _deep(self, token: Token) -> None:
        """Lines left flat by the parser: list items when inside a list, else text."""
        first = self._line(token)
        indents: list[int] = (token.meta or {}).get("indents", [])
        top = self.stack[-1] if self.stack else None
        item = top if isinstance(top, _ItemFrame) else None
        current: list[tuple[str, int]] = []
        runs: list[tuple[_Entry | None, list[tuple[str, int]]]] = [
            (item.entry if item else None, current)
        ]
        levels: list[int] = []
        for n, raw in enumerate(token.content.split("\n")):
            text = _QUOTE_MARKERS.sub("", raw).strip()
            prefix = _MARKERS.match(text) if item else None
            if item and prefix:
                indent = indents[n] if n < len(indents) else 0
                while levels and indent < levels[-1]:
                    levels.pop()
                if not levels or indent > levels[-1]:
                    levels.append(indent)
                markers = _ONE_MARKER.findall(prefix.group())
                depth = item.entry.depth + len(levels) + len(markers) - 1
                entry = _Entry(depth, markers[0][0].isdigit(), first + n)
                item.entries.append(entry)
                current = []
                runs.append((entry, current))
                text = text[prefix.end() :].strip()
            if text:
                current.append((text, first + n))
        for owner, parts in runs:
            if not parts:
                continue
            parsed = self.md.parseInline("\n".join(t for t, _ in parts), self.env)
            inline, breaks = tokens_to_inline(
                parsed[0].children or [] if parsed else [], self.base_url
            )
            self._lint(inline, breaks, [n for _, n in parts])
            if owner is not None:
                owner.pieces.append(inline)
            elif not self._put(inline, breaks):
                self._paragraph(inline)

    # -- containers ----------------------------------------------------------------

    def _container(self) -> _ItemFrame | _QuoteFrame | None:
        top = self.stack[-1] if self.stack else None
        return top if isinstance(top, _ItemFrame | _QuoteFrame) else None

    def _put(self, inline: Inline, breaks: list[int]) -> bool:
        """Add text to the enclosing list item or quote; False at the top level."""
        container = self._container()
        if isinstance(container, _ItemFrame):
            container.entry.pieces.append(inline)
        elif isinstance(container, _QuoteFrame):
            container.pieces.append(inline)
            container.last_breaks = breaks
        return container is not None

    def _close_list(self, frame: _ListFrame) -> None:
        entries = frame.entries
        texts = [join_inlines(e.pieces) for e in entries]
        if self._container() is not None:
            self._put(join_inlines(texts), [])
            return
        if not frame.ordered and all(e.depth == 1 for e in entries):
            under = bool(self.last_heading and is_faq_heading(self.last_heading))
            faq = faq_from([t.text for t in texts], under_faq_heading=under)
            if faq is not None:
                self.found.body.append(faq)
                return
        assembler = ListAssembler(self.depth)
        for entry, inline in zip(entries, texts, strict=True):
            assembler.add(entry.depth, entry.ordered, inline)
        block = assembler.build()
        if block is None:
            return
        if assembler.flattened_from:
            line = next(e.line for e in entries if e.depth > assembler.max_depth)
            message = (
                f"list nesting of {assembler.flattened_from} levels flattened to "
                f"{assembler.max_depth}"
            )
            self.found.lints.append(Lint("list-flattened", message, line))
        self.found.body.append(block)

    def _close_quote(self, quote: _QuoteFrame) -> None:
        if self._container() is not None:
            self._put(join_inlines(quote.pieces), [])
            return
        pieces, attribution = list(quote.pieces), None
        if pieces:
            last = pieces[-1]
            cut = quote.last_breaks[-1] if quote.last_breaks else 0
            match = _ATTRIBUTION.match(last.text[cut:].strip())
            if match and (cut or len(pieces) > 1) and len(match.group("who").split()) <= 12:
                attribution = " ".join(match.group("who").split())
                pieces[-1] = slice_inline(last, 0, len(last.text[:cut].rstrip()))
        content = join_inlines(pieces)
        if not is_blank(content.text):
            self.found.body.append(Quote(content, attribution))

    def _table(self, tokens: list[Token], index: int) -> int:
        """Read a table (its cells hold no blocks); return the index of its close."""
        rows: list[list[Inline]] = []
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(tokens_to_inline(token.children or [], self.base_url)[0])
            index += 1
        header = rows[0] if rows else []
        width = len(header)
        body = tuple(tuple((row + [Inline("")] * width)[:width]) for row in rows[1:])
        if self._container() is not None:
            self._put(join_inlines([c for row in (header, *body) for c in row]), [])
        elif width:
            self.found.body.append(Table(tuple(header), body))
        return index

    # -- lints -----------------------------------------------------------------------

    def _lint(self, inline: Inline, breaks: list[int], lines: list[int]) -> None:
        """Missing spaces after full stops, outside code, each on its own source line."""
        chars = list(inline.text)
        for mark in inline.marks:
            if mark.kind == "code":
                chars[mark.start : mark.end] = " " * (mark.end - mark.start)
        text = "".join(chars)
        bounds = [0, *breaks, len(text)]
        for k in range(len(bounds) - 1):
            line = lines[min(k, len(lines) - 1)] if lines else self.first_line
            self.found.lints.extend(missing_spaces(text[bounds[k] : bounds[k + 1]], line))


def _lone_image(children: list[Token]) -> Token | None:
    """The image token of a paragraph that holds nothing else."""
    found = [
        t
        for t in children
        if t.type not in ("softbreak", "hardbreak")
        and not (t.type == "text" and is_blank(t.content))
    ]
    return found[0] if len(found) == 1 and found[0].type == "image" else None
