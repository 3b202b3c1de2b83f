"""Crontab schedules, read the way crontab(5) reads them.

APScheduler 3 numbers weekdays from Monday (0 = Monday), crontab from Sunday
(0 and 7 = Sunday), so the day-of-week field is translated into day names
before APScheduler sees it: `0 6 * * 0` fires on Sundays, as in crontab.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_BY_NAME = {name: number for number, name in enumerate(DAY_NAMES)}


class CronError(ValueError):
    pass


def _day(token: str) -> int:
    token = token.strip().lower()
    if token in _BY_NAME:
        return _BY_NAME[token]
    if token[:3] in _BY_NAME and len(token) > 3:
        return _BY_NAME[token[:3]]
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    raise CronError(f"not a day of the week: {token!r}")


def weekdays(field: str) -> set[int]:
    """The crontab days (0 = Sunday) a day-of-week field names."""
    days: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"bad step in {part!r}")
        if spec == "*":
            first, last = 0, 6
        elif "-" in spec:
            low, high = spec.split("-", 1)
            first, last = _day(low), _day(high)
            if high.strip() == "7":
                last = 7
            if last < first:
                raise CronError(f"backwards range {spec!r}")
        else:
            first = last = _day(spec)
            if step is not None:
                last = 6
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return days


def day_of_week_names(field: str) -> str:
    """A crontab day-of-week field as APScheduler day names (`*` stays `*`)."""
    if field.strip() == "*":
        return "*"
    return ",".join(DAY_NAMES[d] for d in sorted(weekdays(field)))


def trigger(expression: str, timezone: tzinfo) -> CronTrigger:
    """An APScheduler trigger for a five-field crontab expression."""
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(f"{expression!r}: a crontab schedule has five fields")
    minute, hour, day, month, dow = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week_names(dow),
            timezone=timezone,
        )
    except (ValueError, TypeError) as exc:
        raise CronError(f"{expression!r}: {exc}") from None
