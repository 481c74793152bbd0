"""Local-time arithmetic that stays right across DST, and explicit zones named in a phrase.

Python compares and subtracts aware datetimes that share a tzinfo by wall clock, ignoring the
offset, so every elapsed-time step here goes through UTC and every wall-clock step is
re-localized. Day boundaries are local midnight (or the first instant after it, where
midnight falls into a DST gap).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import ParseError
from bot.timephrase.window import Grain


def localize(naive: datetime, zone: tzinfo) -> datetime:
    """The real instant of a wall time in `zone`, by the one DST rule (docs/time-phrases.md,
    "Daylight saving time"): a wall time that occurs twice is its first occurrence; one that
    does not exist (a spring-forward gap) is the first instant after the gap. Digest slots
    follow the same rule through this function."""
    first = datetime.fromtimestamp(naive.replace(tzinfo=zone, fold=0).timestamp(), zone)
    if first.replace(tzinfo=None) == naive:
        return first
    return _gap_end(naive, zone)


def _gap_end(naive: datetime, zone: tzinfo) -> datetime:
    """The first instant whose wall time is past `naive`, a wall time inside a gap."""
    low = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    high = int(naive.replace(tzinfo=zone, fold=0).timestamp())
    low, high = min(low, high), max(low, high)
    while low < high:
        mid = (low + high) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) > naive:
            high = mid
        else:
            low = mid + 1
    return datetime.fromtimestamp(low, zone)


def in_gap(naive: datetime, zone: tzinfo) -> bool:
    """Whether the wall time `naive` does not exist in `zone` (skipped by a DST change)."""
    moment = datetime.fromtimestamp(naive.replace(tzinfo=zone, fold=0).timestamp(), zone)
    return moment.replace(tzinfo=None) != naive


def at(zone: tzinfo, day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return localize(datetime(day.year, day.month, day.day, hour, minute, second), zone)


def elapsed(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta` in real elapsed time, kept in the moment's zone."""
    zone = moment.tzinfo
    assert zone is not None
    return (moment.astimezone(UTC) + delta).astimezone(zone)


def seconds_between(start: datetime, end: datetime) -> float:
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()


def before(a: datetime, b: datetime) -> bool:
    """`a < b` as instants, whatever their tzinfo."""
    return a.astimezone(UTC) < b.astimezone(UTC)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


FIXED_UNITS: dict[Grain, timedelta] = {
    Grain.SECOND: timedelta(seconds=1),
    Grain.MINUTE: timedelta(minutes=1),
    Grain.HOUR: timedelta(hours=1),
}


def step(moment: datetime, unit: Grain, count: int) -> datetime:
    """Move by `count` units: seconds to hours in elapsed time, days and longer on the local
    calendar at the same wall time (so "3 days" may be 71 or 73 hours across DST)."""
    if unit in FIXED_UNITS:
        return elapsed(moment, FIXED_UNITS[unit] * count)
    zone = moment.tzinfo
    assert zone is not None
    naive = moment.replace(tzinfo=None)
    if unit is Grain.DAY:
        naive += timedelta(days=count)
    elif unit is Grain.WEEK:
        naive += timedelta(days=7 * count)
    else:
        months = count if unit is Grain.MONTH else 12 * count
        moved = add_months(naive.date(), months)
        naive = naive.replace(year=moved.year, month=moved.month, day=moved.day)
    return localize(naive, zone)


def unit_start(moment: datetime, unit: Grain) -> datetime:
    """Start of the calendar unit (minute .. year) holding `moment`; weeks start on Monday."""
    zone = moment.tzinfo
    assert zone is not None
    if unit in FIXED_UNITS:
        # Floor in UTC terms so a repeated DST hour is not folded into the first one.
        utc = moment.astimezone(UTC)
        size = int(FIXED_UNITS[unit].total_seconds())
        seconds = int(utc.timestamp())
        offset = int((moment.utcoffset() or timedelta(0)).total_seconds())
        floored = seconds - (seconds + offset) % size
        return datetime.fromtimestamp(floored, zone)
    day = moment.date()
    if unit is Grain.WEEK:
        day -= timedelta(days=day.weekday())
    elif unit is Grain.MONTH:
        day = day.replace(day=1)
    elif unit is Grain.YEAR:
        day = day.replace(month=1, day=1)
    return at(zone, day)


def unit_span(moment: datetime, unit: Grain) -> tuple[datetime, datetime]:
    start = unit_start(moment, unit)
    return start, step(start, unit, 1)


def fixed_offset_zone(offset: timedelta) -> tzinfo:
    from datetime import timezone

    return UTC if not offset else timezone(offset)


ZONE_EXAMPLES = ("Asia/Tokyo", "UTC", "+05:45")


def read_zone(text: str) -> tzinfo:
    """A zone as a person or a setting names it: an IANA name in any case ("Asia/Tokyo"), UTC,
    or a UTC offset ("+05:45", "UTC+8", "GMT-3"). The one reader for --tz, RECBOT_DEFAULT_TZ
    and zones carried in Slack buttons; raises ParseError with the one wording for all."""
    name = text.strip()
    zone = iana_zone("UTC" if name.upper() == "Z" else name) if 0 < len(name) <= 64 else None
    if zone is not None:
        return zone
    offset = name.upper().removeprefix("UTC").removeprefix("GMT")
    if offset[:1] in ("+", "-"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "", 1)
        if digits.isdigit() and len(digits) in (1, 2, 3, 4):
            hours, minutes = (
                (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
            )
            real = real_offset(sign, hours, minutes)
            if real is not None:
                return fixed_offset_zone(real)
    shown = "".join(ch if ch.isprintable() else "?" for ch in name[:40])
    raise ParseError(
        f"'{shown}' is not a time zone I know (an IANA name or a UTC offset)", ZONE_EXAMPLES
    )


def real_offset(sign: int, hours: int, minutes: int) -> timedelta | None:
    """A UTC offset some place uses: -12:00 to +14:00 in quarter hours, else None."""
    offset = sign * timedelta(hours=hours, minutes=minutes)
    if minutes % 15 or minutes > 45 or not -timedelta(hours=12) <= offset <= timedelta(hours=14):
        return None
    return offset


def named_zone(text: str) -> ZoneInfo:
    """read_zone for where a zone is stored by name (settings, Slack buttons, digests): an IANA
    name only, since a fixed offset does not follow daylight saving."""
    examples = ("Asia/Tokyo", "Europe/Berlin", "UTC")
    try:
        zone = read_zone(text)
    except ParseError as error:
        reason = error.reason.replace("an IANA name or a UTC offset", "an IANA name")
        raise ParseError(reason, examples) from None
    if not isinstance(zone, ZoneInfo):
        raise ParseError(
            f"'{text.strip()[:40]}' is a fixed UTC offset; name the place's zone instead so "
            "daylight saving is followed",
            examples,
        )
    return zone


def zone_name(zone: tzinfo, moment: datetime) -> str:
    """The name read_zone reads back: the IANA key, or the offset ("UTC+05:45") at `moment`."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    return offset_label(moment.astimezone(zone).utcoffset() or timedelta(0))


# tzdata ships these next to the places; none of them is a place a person lives in.
_NOT_PLACES = frozenset({"factory", "localtime", "posixrules"})


@cache
def _iana_names() -> dict[str, str]:
    names = {name.lower(): name for name in available_timezones()}
    return {lower: name for lower, name in names.items() if lower not in _NOT_PLACES}


def iana_zone(word: str) -> ZoneInfo | None:
    """An IANA zone named case-insensitively ("asia/tokyo"), or None."""
    name = _iana_names().get(word.lower())
    return ZoneInfo(name) if name else None


def zone_label(moment: datetime) -> str:
    """The zone abbreviation for descriptions: "JST", "CET", or "UTC+05:45" for offsets."""
    name = moment.tzname() or ""
    if name and name[0] in "+-":
        offset = moment.utcoffset() or timedelta(0)
        return offset_label(offset)
    return name or offset_label(moment.utcoffset() or timedelta(0))


def offset_label(offset: timedelta) -> str:
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
