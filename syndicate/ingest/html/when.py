"""When the article was published and updated.

Sources in order: the JSON-LD article (datePublished, dateCreated), the meta
tags (article:published_time and its kin, DC.date...), itemprop=datePublished,
RDFa dc:date, a <time datetime> outside related/navigation boxes; then, when
the page names no date at all, htmldate's conservative search of the markup.

A value with an offset keeps the page's offset; a naive time says nothing
about the instant, so only its calendar date is kept; a date stays a date.
A date-only or UTC value is upgraded with a value elsewhere on the page that
falls on the same date (or is the same instant) and carries a real offset.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

from htmldate import find_date

from ...model import Timestamp
from ..dates import DateError, parse_date_info
from .metadata import Page
from .parse import in_boilerplate

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?",
    re.I,
)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_DOTTED = re.compile(r"(?P<y>\d{4})[./](?P<m>\d{1,2})[./](?P<d>\d{1,2})")
_WORD = re.compile(r"[A-Za-z]{3,}")
_YEAR = re.compile(r"\b\d{4}\b")
_UPPER = re.compile(r"\b[A-Z]{1,5}\b")
_EXPLICIT_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}\b|\bZ\b|\bUTC\b|\bGMT\b")
_SAFE_UPPER: Final = frozenset({"AM", "PM", "A", "P", "UTC", "GMT", "UT", "Z", "T"})
_CALENDAR_WORDS: Final = frozenset(
    "jan feb mar apr may jun jul aug sep oct nov dec mon tue wed thu fri sat sun".split()
)
_NUMERIC_LINE = re.compile(r"[\d\s.:/,\-]+(?:\s*(?:Uhr|h|AM|PM|am|pm|UTC|GMT|CET|CEST))?")
_FOUR_DIGITS = re.compile(r"\d{4}")
MAX_TEXTUAL = 80
MAX_DATE_LINE = 40
EARLIEST_YEAR = 1990

PUBLISHED_KEYS: Final = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "og:release_date",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "created",
)
UPDATED_KEYS: Final = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)
RDFA_PUBLISHED: Final = frozenset(
    "dc:date dc:created dcterms:created dcterms:issued schema:datepublished"
    " article:published_time".split()
)


def read_timestamp(
    text: str | None, now: datetime, zones: Mapping[str, str] | None = None
) -> Timestamp | None:
    """An ISO-like or English textual date as a page writes it; None when unreadable.
    Purely numeric day/month orders other than year-first are ambiguous and refused."""
    raw = (text or "").strip()
    if not raw:
        return None
    match = _ISO.match(raw) or _COMPACT.match(raw) or _DOTTED.match(raw)
    if match is None:
        return _textual(raw, now, zones or {})
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if not EARLIEST_YEAR <= day.year <= now.year + 1:
        return None
    groups = match.groupdict()
    clock, zone = groups.get("time"), groups.get("tz")
    if not clock or not zone or re.match(r"\d", raw[match.end() :]):
        return day
    offset = _offset(zone)
    if offset is None:
        return day
    parts = [int(float(p.replace(",", "."))) for p in clock.split(":")]
    hour, minute, second = [*parts, 0, 0][:3]
    try:
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=offset)
    except ValueError:
        return day


def _offset(zone: str) -> timezone | None:
    if zone.upper() == "Z":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = int(zone[1:3]), int(zone[-2:])
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _textual(raw: str, now: datetime, zones: Mapping[str, str]) -> Timestamp | None:
    """`Saturday, December 27, 2014, 12:06 PM`: a date, or an instant when the text
    names an offset or a zone abbreviation from [ingest] zone_abbreviations."""
    if len(raw) > MAX_TEXTUAL or not _WORD.search(raw) or not _YEAR.search(raw):
        return None
    words = _UPPER.findall(raw)
    zoned = unknown = False
    if words and raw.endswith(words[-1]) and not _plain_word(words[-1]):
        zoned = words[-1] in zones
        if not zoned:
            raw, unknown = raw[: -len(words[-1])].rstrip(), True
        words.pop()
    if not all(_plain_word(word) for word in words):
        return None
    try:
        value, naive = parse_date_info(raw, zones, "UTC")
    except (DateError, ValueError, OverflowError):
        return None
    if not EARLIEST_YEAR <= value.year <= now.year + 1:
        return None
    if isinstance(value, datetime):
        if naive or unknown or not (zoned or _EXPLICIT_OFFSET.search(raw)):
            return value.date()
    return value


def is_date_line(text: str, now: datetime) -> bool:
    """A line that is only a date and time: `08.04.2015 12:46`, `November 20, 2019 - 11:28 AMT`."""
    line = " ".join(text.split())
    if len(line) > MAX_DATE_LINE:
        return False
    if _NUMERIC_LINE.fullmatch(line):
        return bool(_FOUR_DIGITS.search(line))
    return _textual(line, now, {}) is not None


def _plain_word(word: str) -> bool:
    """Not a zone name dateutil would stumble on: AM/PM, UTC, a month or weekday."""
    return word in _SAFE_UPPER or word.lower() in _CALENDAR_WORDS


def _candidates(
    page: Page, keys: tuple[str, ...], node_keys: tuple[str, ...], prop: str
) -> Iterator[str]:
    if page.article is not None:
        for key in node_keys:
            value = page.article.get(key)
            if isinstance(value, str):
                yield value
    for key in keys:
        yield from page.meta.get(key, [])
    for el in page.root.xpath(f'//*[@itemprop="{prop}"]'):
        value = el.get("content") or el.get("datetime") or el.get("value")
        if value:
            yield value


def _published_candidates(page: Page) -> Iterator[str]:
    yield from _candidates(page, PUBLISHED_KEYS, ("datePublished", "dateCreated"), "datePublished")
    for el in page.root.xpath("//*[@property and @content and not(self::meta)]"):
        if RDFA_PUBLISHED & set((el.get("property") or "").lower().split()):
            if not in_boilerplate(el):
                yield el.get("content") or ""
    for el in page.root.iter("time"):
        value = el.get("datetime")
        if value and not in_boilerplate(el):
            yield value


def _is_utc(value: Timestamp) -> bool:
    return isinstance(value, datetime) and value.utcoffset() == timedelta(0)


def _best(values: list[Timestamp]) -> Timestamp | None:
    """The first value, upgraded with a later one that has a real offset."""
    if not values:
        return None
    first = values[0]
    if isinstance(first, datetime) and not _is_utc(first):
        return first
    for other in values[1:]:
        if not isinstance(other, datetime):
            continue
        if isinstance(first, datetime):
            if other == first and not _is_utc(other):
                return other
        elif other.date() == first:
            return other
    return first


def choose_published(page: Page, now: datetime, zones: Mapping[str, str]) -> Timestamp | None:
    raws = _published_candidates(page)
    values = [v for raw in raws if (v := read_timestamp(raw, now, zones)) is not None]
    if values:
        return _best(values)
    return read_timestamp(guess_date(page, now), now)


def choose_updated(
    page: Page, now: datetime, zones: Mapping[str, str], published: Timestamp | None
) -> Timestamp | None:
    """The last-modified time, kept only when it is not before the publication date."""
    raws = _candidates(page, UPDATED_KEYS, ("dateModified",), "dateModified")
    updated = _best([v for raw in raws if (v := read_timestamp(raw, now, zones)) is not None])
    if updated is None or published is None:
        return updated
    if isinstance(updated, datetime) and isinstance(published, datetime):
        return updated if updated > published else None
    return updated if _day(updated) > _day(published) else None


def _day(value: Timestamp) -> date:
    return value.date() if isinstance(value, datetime) else value


def guess_date(page: Page, now: datetime) -> str | None:
    """htmldate on (a copy of) the page: no URL, so no network; its extensive search
    is off, since it finds dates that are not the article's."""
    try:
        return find_date(
            copy.deepcopy(page.root),
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%d",
            max_date=now.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError, RecursionError):
        return None
