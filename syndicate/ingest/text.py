"""The plain-text web export (see INPUT-FORMAT in the README).

Structure is recovered from conventions: headline on line 1, `By`,
`Published:` and `Updated:` lines, an optional table of contents whose
entries name the headings, then the body: headings, a dateline, paragraphs,
pipe tables, lists, FAQ runs, `Label: text` lines, boilerplate removed.
Everything is parsed line by line, without recursion, so a huge ToC or a
deeply nested list costs linear time.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from ..config import Config
from ..errors import ReadError
from ..model import Byline, Heading, Inline, Paragraph, Table
from .assemble import assemble
from .base import Extracted, Meta, ReadRequest, ReadResult
from .conventions import (
    ListAssembler,
    cut_seo_tail,
    faq_from,
    is_faq_heading,
    label_of,
    labelled,
    split_dateline,
)
from .dates import DateError, parse_date
from .frontmatter import parse_meta
from .lints import Lint, missing_spaces, unmatched_toc
from .normalize import clean, decode, is_blank

_BYLINE = re.compile(r"^By\s+(?P<rest>\S.*)$")
_DATE_LINE = re.compile(r"^(?P<key>Published|Updated)\s*:\s*(?P<value>\S.*)$", re.IGNORECASE)
_TOC_TITLE = re.compile(r"^(table of contents|contents)\s*:?$", re.IGNORECASE)
_TOC_ENTRY = re.compile(r"^(?:[-*+]\s+)?\d{1,6}[.)]\s+(?P<text>\S.*)$")
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+•]|\d{1,9}[.)])[ \t]+(?P<text>\S.*)$")
_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_RELATED = re.compile(
    r"(?i)^(related( articles| stories| coverage| content)?|read more|read also|see also"
    r"|more on this( story)?)\s*:"
)
_TERMINAL = set(".!?:;,*…。！？：；，")
_CLOSERS = "”’\"')]»」』"
MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 150


def toc_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_text_export(request: ReadRequest, config: Config, now: datetime) -> ReadResult:
    text = clean(decode(request.data, request.name))
    if is_blank(text):
        raise ReadError("empty document: nothing but whitespace", file=request.name)
    meta, lints = Meta(), []
    if request.sidecar is not None:
        side_name = request.sidecar_name or "sidecar"
        side_text = clean(decode(request.sidecar, side_name))
        meta, side_lints = parse_meta(side_text, "toml", side_name, config, first_line=1)
        lints = [dataclasses.replace(lint, file=side_name) for lint in side_lints]
    found = _Parser(text.split("\n"), request.name, config).parse()
    found.lints[:0] = lints
    return assemble(request, config, now, meta, found)


class _Parser:
    def __init__(self, lines: list[str], name: str, config: Config) -> None:
        self.lines = lines
        self.name = name
        self.config = config
        self.i = 0
        self.found = Extracted()
        self.toc: dict[str, tuple[str, int]] = {}
        self.used: set[str] = set()
        self.last_heading: str | None = None
        self.boilerplate = [re.compile(p) for p in config.ingest.boilerplate]

    # -- top of the document -------------------------------------------------

    def parse(self) -> Extracted:
        self._skip_blank()
        self.found.headline = self.lines[self.i].strip()
        self.found.headline_line = self.i + 1
        self.i += 1
        self._metadata()
        self._table_of_contents()
        self._metadata()
        self._body()
        self._dateline()
        self._seo_tail()
        missing = [v for k, v in self.toc.items() if k not in self.used]
        self.found.lints.extend(unmatched_toc(missing))
        return self.found

    def _skip_blank(self) -> None:
        while self.i < len(self.lines) and is_blank(self.lines[self.i]):
            self.i += 1

    def _metadata(self) -> None:
        while True:
            self._skip_blank()
            if self.i >= len(self.lines):
                return
            line, number = self.lines[self.i].strip(), self.i + 1
            if byline := _byline(line):
                self.found.bylines.extend(byline)
            elif match := _DATE_LINE.match(line):
                try:
                    value = parse_date(
                        match.group("value"),
                        self.config.ingest.zone_abbreviations,
                        self.config.site.timezone,
                    )
                except DateError as exc:
                    raise ReadError(str(exc), file=self.name, line=number) from None
                if match.group("key").lower() == "published":
                    self.found.published = value
                else:
                    self.found.updated = value
            else:
                return
            self.i += 1

    def _table_of_contents(self) -> None:
        if self.i >= len(self.lines) or not _TOC_TITLE.match(self.lines[self.i].strip()):
            return
        self.i += 1
        headline = toc_key(self.found.headline or "")
        while self.i < len(self.lines):
            line = self.lines[self.i].strip()
            if not line:
                nxt = self._next_nonblank(self.i)
                if nxt is None or not _TOC_ENTRY.match(self.lines[nxt].strip()):
                    return
                self.i = nxt
                continue
            match = _TOC_ENTRY.match(line)
            if not match:
                return
            entry = match.group("text").strip()
            key = toc_key(entry)
            if key != headline:
                self.toc.setdefault(key, (entry, self.i + 1))
            self.i += 1

    def _next_nonblank(self, i: int) -> int | None:
        while i < len(self.lines):
            if self.lines[i].strip():
                return i
            i += 1
        return None

    # -- the body --------------------------------------------------------------

    def _body(self) -> None:
        lines = self.lines
        while self.i < len(lines):
            raw = lines[self.i]
            line = raw.strip()
            if not line:
                self.i += 1
            elif any(p.search(line) for p in self.boilerplate):
                self.i += 1
            elif _RELATED.match(line):
                self._skip_related()
            elif (key := toc_key(line)) in self.toc:
                self.used.add(key)
                self._heading(line)
                self.i += 1
            elif (
                line.startswith("|")
                and self.i + 1 < len(lines)
                and _DELIMITER.match(lines[self.i + 1].strip())
            ):
                self._table()
            elif LIST_ITEM.match(raw):
                self._list()
            elif _title_like(line):
                self._heading(line)
                self.i += 1
            else:
                self._paragraph(line, self.i + 1)
                self.i += 1

    def _heading(self, text: str) -> None:
        self.found.body.append(Heading(text))
        self.last_heading = text

    def _paragraph(self, text: str, number: int) -> None:
        self.found.lints.extend(missing_spaces(text, number))
        self.found.body.append(Paragraph(labelled(text)))

    def _skip_related(self) -> None:
        self.i += 1
        while self.i < len(self.lines) and LIST_ITEM.match(self.lines[self.i]):
            self.i += 1

    def _table(self) -> None:
        first = self.i + 1
        header = split_row(self.lines[self.i].strip())
        self.i += 2
        rows: list[list[str]] = []
        while self.i < len(self.lines):
            line = self.lines[self.i].strip()
            if not line or "|" not in line:
                break
            rows.append(split_row(line))
            self.i += 1
        width = max([len(header), *(len(r) for r in rows)])
        if any(len(r) != len(header) for r in rows):
            self.found.lints.append(
                Lint("table-shape", f"table rows differ from its {len(header)} columns", first)
            )
        self.found.body.append(
            Table(
                tuple(Inline(c) for c in _pad(header, width)),
                tuple(tuple(Inline(c) for c in _pad(r, width)) for r in rows),
            )
        )

    def _list(self) -> None:
        first = self.i + 1
        entries: list[_Entry] = []
        indents: list[int] = []
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            match = LIST_ITEM.match(raw)
            if match:
                indent = _width(match.group("indent"))
                while indents and indent < indents[-1]:
                    indents.pop()
                if not indents or indent > indents[-1]:
                    indents.append(indent)
                ordered = match.group("marker")[0].isdigit()
                entries.append(
                    _Entry(len(indents), ordered, match.group("text").strip(), self.i + 1)
                )
            elif raw.strip() and raw[0] in " \t" and entries:
                entries[-1].text = f"{entries[-1].text} {raw.strip()}"
            else:
                break
            self.i += 1
        texts = [e.text for e in entries]
        for entry in entries:
            self.found.lints.extend(missing_spaces(entry.text, entry.line))
        if all(e.depth == 1 for e in entries):
            faq = faq_from(
                texts,
                under_faq_heading=bool(self.last_heading and is_faq_heading(self.last_heading)),
            )
            if faq is not None:
                self.found.body.append(faq)
                return
        assembler = ListAssembler(self.config.limits.max_list_depth)
        for entry in entries:
            assembler.add(entry.depth, entry.ordered, labelled(entry.text))
        block = assembler.build()
        assert block is not None
        if assembler.flattened_from:
            self.found.lints.append(
                Lint(
                    "list-flattened",
                    f"list nesting of {assembler.flattened_from} levels flattened to "
                    f"{assembler.max_depth}",
                    first,
                )
            )
        self.found.body.append(block)

    # -- after the body ----------------------------------------------------------

    def _dateline(self) -> None:
        body = self.found.body
        for index, block in enumerate(body):
            if isinstance(block, Paragraph):
                split = split_dateline(block.content.text)
                if split is not None:
                    self.found.dateline = split[0]
                    body[index] = Paragraph(labelled(split[1]))
                return

    def _seo_tail(self) -> None:
        body = self.found.body
        if body and isinstance(body[-1], Paragraph):
            text = body[-1].content.text
            cut = cut_seo_tail(text)
            if cut != text:
                if cut:
                    body[-1] = Paragraph(labelled(cut))
                else:
                    body.pop()


@dataclasses.dataclass(slots=True)
class _Entry:
    depth: int
    ordered: bool
    text: str
    line: int


def _byline(line: str) -> list[Byline] | None:
    match = _BYLINE.match(line)
    if not match:
        return None
    rest = match.group("rest").strip()
    first = rest[0]
    if (first.isalpha() and first.islower()) or len(rest.split()) > 12 or rest[-1] in "!?":
        return None
    names, _, role = rest.partition(",")
    role_text = role.strip() or None
    people = re.split(r"\s+(?:and|&)\s+", names.strip())
    return [Byline(" ".join(p.split()), role_text) for p in people if p.strip()]


def _title_like(line: str) -> bool:
    if len(line) > MAX_HEADING_CHARS or len(line.split()) > MAX_HEADING_WORDS:
        return False
    tail = line.rstrip(_CLOSERS)
    if not tail or tail[-1] in _TERMINAL or line[0] in "“\"'‘«「":
        return False
    first = next((ch for ch in line if ch.isalpha()), "")
    if first and first.islower():
        return False
    return label_of(line) is None and "|" not in line


def split_row(line: str) -> list[str]:
    """Cells of a pipe-table row; `\\|` is a literal pipe; empty cells are cells."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    if "\\|" not in body:
        return [cell.strip() for cell in body.split("|")]
    cells, current, i = [], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            current.append("|")
            i += 2
            continue
        if ch == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    cells.append("".join(current).strip())
    return cells


def _pad(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))
