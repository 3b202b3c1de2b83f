"""Dates as editors write them: `March 3, 2026 08:15 KST`, `2026-03-03`, `3 March 2026`.

A zone abbreviation maps to an offset through `[ingest] zone_abbreviations`;
an unknown abbreviation is an error rather than a guess. A time without a zone
is in the site's timezone. A date without a time stays a date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from ..model import Timestamp

_CJK_DATE = re.compile(r"(\d{4})\s*[년年]\s*(\d{1,2})\s*[월月]\s*(\d{1,2})\s*[일日]?")
_TRAILING_ZONE = re.compile(r"\s*\b([A-Z][A-Z]{0,4})$")
_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})?$")
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0)  # noqa: DTZ001 - probe values, never stored
_DEFAULT_B = datetime(2001, 2, 2, 1, 1, 1)  # noqa: DTZ001


class DateError(ValueError):
    pass


def site_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DateError(f"unknown time zone {name!r}") from None


def parse_offset(text: str) -> timezone:
    match = _OFFSET.match(text.strip())
    if not match:
        raise DateError(f"not a UTC offset: {text!r}")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta >= timedelta(hours=24):
        raise DateError(f"UTC offset out of range: {text!r}")
    return timezone(-delta if sign == "-" else delta)


def fixed(value: datetime) -> datetime:
    """The same instant with a fixed-offset tzinfo (what the model stores)."""
    offset = value.utcoffset()
    assert offset is not None
    return value.replace(tzinfo=timezone(offset))


def localize(value: datetime, zone: tzinfo) -> datetime:
    """A naive datetime read as wall time in `zone`."""
    return fixed(value.replace(tzinfo=zone))


def parse_date(text: str, zones: Mapping[str, str], site_tz: str) -> Timestamp:
    """Parse one human date; DateError says why it cannot be read."""
    return parse_date_info(text, zones, site_tz)[0]


def parse_date_info(text: str, zones: Mapping[str, str], site_tz: str) -> tuple[Timestamp, bool]:
    """The date, and whether its time of day was read in the site's timezone
    because the text named no zone or offset."""
    raw = _CJK_DATE.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", " ".join(text.split()))
    if not raw:
        raise DateError("empty date")
    try:
        if len(raw) == 10 and raw[4] == "-":
            return date.fromisoformat(raw), False
        iso = datetime.fromisoformat(raw)
    except ValueError:
        pass
    else:
        if iso.tzinfo:
            return fixed(iso), False
        return localize(iso, site_zone(site_tz)), True
    zone: tzinfo | None = None
    match = _TRAILING_ZONE.search(raw)
    if match and not _is_month_or_meridiem(match.group(1)):
        abbreviation = match.group(1)
        if abbreviation not in zones:
            raise DateError(
                f"unknown time zone abbreviation {abbreviation!r} "
                "(add it to [ingest] zone_abbreviations)"
            )
        zone = parse_offset(zones[abbreviation])
        raw = raw[: match.start()].strip()
    try:
        a = dateutil_parser.parse(raw, default=_DEFAULT_A)
        b = dateutil_parser.parse(raw, default=_DEFAULT_B)
    except (ValueError, OverflowError):
        raise DateError(f"cannot read {text.strip()!r} as a date") from None
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        raise DateError(f"{text.strip()!r} is not a full date (year, month and day)")
    if a.tzinfo is not None:
        return fixed(a), False
    if a.hour != b.hour:  # no time of day given: the defaults show through
        if zone is not None:
            raise DateError(f"{text.strip()!r} names a zone but no time")
        return a.date(), False
    if zone is not None:
        return fixed(a.replace(tzinfo=zone)), False
    return localize(a, site_zone(site_tz)), True


def _is_month_or_meridiem(token: str) -> bool:
    return token.upper() in {"AM", "PM", "A", "P"} or token.lower()[:3] in {
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
    }


def as_instant(value: Timestamp, site_tz: str) -> datetime:
    """A date becomes midnight in the site's timezone, with its offset."""
    if isinstance(value, datetime):
        return value
    return localize(datetime(value.year, value.month, value.day), site_zone(site_tz))  # noqa: DTZ001
