"""Hypothesis strategies that build valid Articles directly with the model.

Every piece of text is what a reader would hand over: XML-legal, NFC and tidy
(`clean`, then `tidy_text`), never blank. `articles(hostile=True)` draws every
text field from `hostile_text()`: markup, entity and CDATA look-alikes,
right-to-left text, emoji ZWJ sequences and characters XML cannot carry (which
`clean` removes).

    from tests.strategies import articles

    @given(articles())
    def test_something(article: Article) -> None: ...
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from syndicate.ingest.conventions import tidy_text
from syndicate.ingest.normalize import clean, is_blank
from syndicate.model import (
    Article,
    Block,
    Byline,
    Correction,
    Faq,
    FaqItem,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    ListItem,
    Mark,
    MarkKind,
    Paragraph,
    PubStatus,
    Quote,
    Subject,
    Table,
    Timestamp,
)

MARK_KINDS: tuple[MarkKind, ...] = ("em", "strong", "code", "link")
LANGUAGES = ("en", "en-GB", "de", "fr", "sv", "nb", "ko", "ja", "zh-Hant", "ar", "he")
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/svg+xml")
EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "bin")
OFFSETS = tuple(
    timezone(timedelta(minutes=m))
    for m in (0, 60, 120, 330, 345, 540, 600, 780, 840, -60, -180, -210, -300, -480, -720)
)
HOSTILE_PIECES = (
    "<script>alert(1)</script>",
    "&amp;",
    "&lt;b&gt;",
    "&a;",
    '<!DOCTYPE x [<!ENTITY a "b">]>',
    "]]>",
    "<![CDATA[x]]>",
    "</",
    "</div>",
    '" onload="x',
    "<?xml version='1.0'?>",
    "שלום עולם",
    "مرحبا بالعالم",
    "\u202eevil\u202c",
    "\u200f",
    "👩\u200d👩\u200d👧\u200d👦",
    "🏳\ufe0f\u200d🌈",
    "🧑🏽\u200d🚀",
    "e\u0301",
    "\u00a0",
    "\x00",
    "\x08",
    "\x0b",
    "\x1b",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
    "\r\n",
    "\t",
)

_chars = st.characters(codec="utf-8")
_words = st.text(_chars, min_size=1, max_size=10)
_vocabulary = st.sampled_from(
    ("news", "the", "Seoul", "Zürich", "東京", "Ölpreis", "naïve", "—", "-", "'", "“quoted”", "5 %")
)
_plain_raw = st.lists(st.one_of(_vocabulary, _words), min_size=1, max_size=6).map(" ".join)


def tidy(raw: str) -> str:
    """What a reader makes of raw text: clean() (XML-illegal characters out,
    NFC), then runs of ASCII whitespace as one space, trimmed of any
    whitespace at the ends."""
    return tidy_text(clean(raw)).strip()


@cache
def hostile_text() -> st.SearchStrategy[str]:
    """Raw hostile text, before any hygiene: pieces of markup, RTL, emoji and
    XML-illegal characters, mixed with arbitrary text."""
    return st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), _words), min_size=1, max_size=6).map(
        "".join
    )


@cache
def text(hostile: bool = False) -> st.SearchStrategy[str]:
    """Tidy, XML-legal, non-blank text (hostile or ordinary at the source)."""
    raw = hostile_text() if hostile else _plain_raw
    return raw.map(tidy).filter(lambda t: not is_blank(t))


def ten_thousand(text: str) -> str:
    """`text` repeated to a headline of about 10,000 characters."""
    return tidy(((text + " ") * (10_000 // (len(text) + 1) + 1))[:10_000])


@cache
def http_urls() -> st.SearchStrategy[str]:
    host = st.from_regex(r"\A[a-z][a-z0-9]{0,9}(\.[a-z][a-z0-9]{0,9}){0,2}\.(org|com|example)\Z")
    path = st.lists(st.from_regex(r"\A[A-Za-z0-9_~-]{1,10}\Z"), max_size=3).map("/".join)
    query = st.one_of(st.just(""), st.from_regex(r"\A\?[a-z]{1,5}=[A-Za-z0-9%]{0,8}\Z"))
    return st.builds(
        lambda scheme, h, p, q: f"{scheme}://{h}/{p}{q}",
        st.sampled_from(("http", "https")),
        host,
        path,
        query,
    )


@cache
def image_urls() -> st.SearchStrategy[str]:
    return st.builds(
        lambda base, ext: f"{base.split('?', 1)[0].rstrip('/')}/img.{ext}",
        http_urls(),
        st.sampled_from(EXTENSIONS),
    )


@cache
def inlines(hostile: bool = False, *, allow_empty: bool = False) -> st.SearchStrategy[Inline]:
    """Text with canonical marks (em, strong, code, links to http(s) URLs)."""

    @st.composite
    def build(draw: st.DrawFn) -> Inline:
        if allow_empty and draw(st.integers(0, 9)) == 0:
            return Inline("")
        body = draw(text(hostile))
        marks = []
        for kind in draw(st.lists(st.sampled_from(MARK_KINDS), max_size=3)):
            start = draw(st.integers(0, len(body) - 1))
            end = draw(st.integers(start + 1, len(body)))
            href = draw(http_urls()) if kind == "link" else None
            marks.append(Mark(kind, start, end, href))
        return Inline(body, tuple(marks))

    return build()


@cache
def images(hostile: bool = False) -> st.SearchStrategy[Image]:
    optional = st.one_of(st.none(), text(hostile))
    pixels = st.one_of(st.none(), st.integers(1, 20_000))
    return st.builds(
        Image,
        url=image_urls(),
        media_type=st.sampled_from(MEDIA_TYPES),
        length=st.one_of(st.none(), st.integers(0, 50_000_000)),
        caption=optional,
        credit=optional,
        width=pixels,
        height=pixels,
        alt=optional,
    )


@cache
def list_blocks(hostile: bool = False, depth: int = 3) -> st.SearchStrategy[ListBlock]:
    """A list nested at most `depth` levels deep."""
    children: st.SearchStrategy[ListBlock | None] = (
        st.one_of(st.none(), list_blocks(hostile, depth - 1)) if depth > 1 else st.none()
    )
    item = st.builds(ListItem, inlines(hostile), children)
    return st.builds(ListBlock, st.lists(item, min_size=1, max_size=3).map(tuple), st.booleans())


@st.composite
def tables(draw: st.DrawFn, hostile: bool = False) -> Table:
    width = draw(st.integers(1, 3))
    cell = inlines(hostile, allow_empty=True)
    row = st.lists(cell, min_size=width, max_size=width).map(tuple)
    return Table(draw(row), tuple(draw(st.lists(row, max_size=2))))


@cache
def blocks(hostile: bool = False) -> Mapping[str, st.SearchStrategy[Block]]:
    """One strategy per block type."""
    return {
        "heading": st.builds(Heading, text(hostile), st.integers(2, 6)),
        "paragraph": st.builds(Paragraph, inlines(hostile)),
        "list": list_blocks(hostile),
        "table": tables(hostile),
        "faq": st.builds(
            Faq,
            st.lists(
                st.builds(FaqItem, inlines(hostile), inlines(hostile)), min_size=1, max_size=3
            ).map(tuple),
        ),
        "quote": st.builds(Quote, inlines(hostile), st.one_of(st.none(), text(hostile))),
        "image": st.builds(ImageBlock, images(hostile)),
    }


@st.composite
def bodies(draw: st.DrawFn, hostile: bool = False) -> tuple[Block, ...]:
    """A body holding every block type at least once, in any order, plus a few more."""
    kinds = blocks(hostile)
    found: list[Block] = [draw(strategy) for strategy in kinds.values()]
    found += draw(st.lists(st.one_of(*kinds.values()), max_size=2))
    return tuple(draw(st.permutations(found)))


@cache
def aware_datetimes() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(1990, 1, 1),  # noqa: DTZ001 - bounds; the values get an offset
        max_value=datetime(2090, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from(OFFSETS),
    )


@cache
def timestamps() -> st.SearchStrategy[Timestamp]:
    days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
    return st.one_of(aware_datetimes(), days)


@cache
def bylines(hostile: bool = False) -> st.SearchStrategy[Byline]:
    return st.builds(
        Byline,
        name=text(hostile),
        role=st.one_of(st.none(), text(hostile)),
        kind=st.sampled_from(("person", "organization")),
        url=st.one_of(st.none(), http_urls()),
    )


@cache
def subjects(hostile: bool = False) -> st.SearchStrategy[tuple[Subject, ...]]:
    code = st.from_regex(r"\A[0-9]{8}\Z")
    return st.lists(
        st.builds(lambda c, n: Subject(f"medtop:{c}", n), code, text(hostile)),
        max_size=4,
        unique_by=lambda s: s.qcode,
    ).map(tuple)


@cache
def slugs() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,5}\Z")


@cache
def articles(hostile: bool = False) -> st.SearchStrategy[Article]:
    """A valid Article; with `hostile`, every text field is hostile at the source."""
    optional = st.one_of(st.none(), text(hostile))
    long_headline = st.lists(text(hostile), min_size=1, max_size=12).map(" ".join)
    huge_headline = text(hostile).map(ten_thousand).filter(lambda t: not is_blank(t))
    return st.builds(
        Article,
        id=st.uuids().map(lambda u: f"urn:uuid:{u}"),
        slug=slugs(),
        headline=st.one_of(text(hostile), long_headline, huge_headline),
        language=st.sampled_from(LANGUAGES),
        published=timestamps(),
        section=text(hostile),
        body=bodies(hostile),
        version=st.integers(1, 500),
        subheadline=optional,
        dateline=optional,
        bylines=st.lists(bylines(hostile), max_size=3).map(tuple),
        updated=st.one_of(st.none(), timestamps()),
        keywords=st.lists(text(hostile), max_size=4, unique=True).map(tuple),
        subjects=subjects(hostile),
        summary=optional,
        images=st.lists(images(hostile), max_size=2).map(tuple),
        pubstatus=st.sampled_from(tuple(PubStatus)),
        embargo=st.one_of(st.none(), aware_datetimes()),
        corrections=st.lists(
            st.builds(Correction, text(hostile), aware_datetimes()), max_size=2
        ).map(tuple),
    )


def strings(value: Any) -> list[str]:
    """Every string (keys included) in a JSON-like value: what a property
    test searches for characters that must not survive."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found
