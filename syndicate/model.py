"""The article model: the only thing the pipeline's stages share.

Frozen, slotted dataclasses. Times are timezone-aware datetimes, or a date
when only the day is known; a naive datetime is refused at construction.
Inline text is one plain string plus marks (emphasis, strong, code, links)
given as [start, end) code point offsets, so the words of a paragraph are
always one string, whatever markup they carried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

Timestamp = datetime | date
MarkKind = Literal["em", "strong", "code", "link"]
MARK_KINDS: frozenset[str] = frozenset({"em", "strong", "code", "link"})
# Outermost first when marks cover the same text: <a><strong><em><code>.
MARK_RANK: dict[str, int] = {"link": 0, "strong": 1, "em": 2, "code": 3}


class ModelError(ValueError):
    """A value the model cannot hold (a naive datetime, a mark out of range...)."""


def check_timestamp(value: Timestamp | None, name: str) -> None:
    if isinstance(value, datetime) and (
        value.tzinfo is None or value.tzinfo.utcoffset(value) is None
    ):
        raise ModelError(f"{name} is a naive datetime; give it a UTC offset")


class PubStatus(StrEnum):
    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class Mark:
    kind: MarkKind
    start: int
    end: int
    href: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in MARK_KINDS:
            raise ModelError(f"unknown mark kind {self.kind!r}")
        if not 0 <= self.start < self.end:
            raise ModelError(f"mark range [{self.start}, {self.end}) is empty or negative")
        if (self.kind == "link") != (self.href is not None):
            raise ModelError("a link mark needs an href, and only a link mark has one")


@dataclass(frozen=True, slots=True)
class Inline:
    """Text with emphasis and links kept as marks over it.

    Marks are canonical: touching or overlapping marks of one kind (and link
    target) are merged, a link never overlaps another link (a link cannot
    hold a link: the later one gives way), and they are ordered by start,
    the longer first."""

    text: str
    marks: tuple[Mark, ...] = ()

    def __post_init__(self) -> None:
        for mark in self.marks:
            if mark.end > len(self.text):
                raise ModelError(f"mark [{mark.start}, {mark.end}) beyond text of {len(self.text)}")
        if self.marks:
            object.__setattr__(self, "marks", canonical_marks(self.marks))


def canonical_marks(marks: tuple[Mark, ...]) -> tuple[Mark, ...]:
    groups: dict[tuple[str, str | None], list[Mark]] = {}
    for mark in marks:
        groups.setdefault((mark.kind, mark.href), []).append(mark)
    merged: list[Mark] = []
    for group in groups.values():
        group.sort(key=lambda m: m.start)
        current = group[0]
        for mark in group[1:]:
            if mark.start <= current.end:
                if mark.end > current.end:
                    current = Mark(current.kind, current.start, mark.end, current.href)
            else:
                merged.append(current)
                current = mark
        merged.append(current)
    merged.sort(key=lambda m: (m.start, -m.end, MARK_RANK[m.kind], m.href or ""))
    return tuple(_links_apart(merged))


def _links_apart(marks: list[Mark]) -> list[Mark]:
    """Links cut where an earlier (or, from the same start, longer) link
    already covers the text; everything else as it is."""
    out: list[Mark] = []
    linked_to = 0  # the end of the links kept so far (they start in order)
    for mark in marks:
        if mark.kind != "link":
            out.append(mark)
            continue
        start = max(mark.start, linked_to)
        if start < mark.end:
            out.append(mark if start == mark.start else Mark("link", start, mark.end, mark.href))
            linked_to = mark.end
    out.sort(key=lambda m: (m.start, -m.end, MARK_RANK[m.kind], m.href or ""))
    return out


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 2

    def __post_init__(self) -> None:
        if not 2 <= self.level <= 6:
            raise ModelError(f"heading level {self.level} outside 2..6 (1 is the headline)")


@dataclass(frozen=True, slots=True)
class Paragraph:
    content: Inline


@dataclass(frozen=True, slots=True)
class ListItem:
    content: Inline
    children: ListBlock | None = None


@dataclass(frozen=True, slots=True)
class ListBlock:
    items: tuple[ListItem, ...]
    ordered: bool = False

    def depth(self) -> int:
        """Nesting depth (1 for a flat list), computed without recursion."""
        deepest, stack = 0, [(self, 1)]
        while stack:
            block, level = stack.pop()
            deepest = max(deepest, level)
            stack.extend((i.children, level + 1) for i in block.items if i.children)
        return deepest


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ModelError(f"table row of {len(row)} cells under {len(self.header)} columns")


@dataclass(frozen=True, slots=True)
class FaqItem:
    question: Inline
    answer: Inline


@dataclass(frozen=True, slots=True)
class Faq:
    items: tuple[FaqItem, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    content: Inline
    attribution: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    media_type: str = "image/jpeg"
    length: int | None = None
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None
    alt: str | None = None


@dataclass(frozen=True, slots=True)
class ImageBlock:
    image: Image


Block = Heading | Paragraph | ListBlock | Table | Faq | Quote | ImageBlock


@dataclass(frozen=True, slots=True)
class Byline:
    name: str
    role: str | None = None
    kind: Literal["person", "organization"] = "person"
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """An IPTC Media Topic: qcode `medtop:NNNNNNNN` and its name."""

    qcode: str
    name: str

    @property
    def uri(self) -> str:
        code = self.qcode.split(":", 1)[1]
        return f"http://cv.iptc.org/newscodes/mediatopic/{code}"


@dataclass(frozen=True, slots=True)
class Correction:
    note: str
    time: datetime

    def __post_init__(self) -> None:
        check_timestamp(self.time, "correction time")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    slug: str
    headline: str
    language: str
    published: Timestamp
    section: str
    body: tuple[Block, ...]
    version: int = 1
    subheadline: str | None = None
    dateline: str | None = None
    bylines: tuple[Byline, ...] = ()
    updated: Timestamp | None = None
    keywords: tuple[str, ...] = ()
    subjects: tuple[Subject, ...] = ()
    summary: str | None = None
    images: tuple[Image, ...] = ()
    pubstatus: PubStatus = PubStatus.USABLE
    embargo: datetime | None = None
    corrections: tuple[Correction, ...] = field(default=())

    def __post_init__(self) -> None:
        check_timestamp(self.published, "published")
        check_timestamp(self.updated, "updated")
        check_timestamp(self.embargo, "embargo")
        if self.version < 1:
            raise ModelError("version starts at 1")
        if not self.headline.strip():
            raise ModelError("headline is empty")

    @property
    def content_hash(self) -> str:
        """sha256 of everything but id, slug and version (see codec.content_hash)."""
        from .codec import content_hash

        return content_hash(self)
