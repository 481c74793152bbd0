"""The pieces a point in time is built from ("monday", "9am", "afternoon", "CET", "3 days ago").

Pieces are plain values; `resolve.py` turns a set of them into a span of time, and
`points.py` holds the rules that read them from tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from bot.timephrase.window import Grain


class WeekdayMode(StrEnum):
    RECENT = "recent"  # "monday", "this monday": most recent, today included (ops)
    LAST = "last"  # "last monday": most recent before today
    NEXT = "next"  # "next monday": in the next calendar week
    OF_WEEK = "of_week"  # "monday of next week": in the week `week_offset` from this one


class WeekendMode(StrEnum):
    THIS = "this"  # the coming one, or the current one while it runs
    LAST = "last"  # the last finished one
    NEXT = "next"  # the one of next calendar week


@dataclass(frozen=True)
class RelativeDay:
    """today (0), yesterday (-1), tomorrow (1), the day before yesterday (-2)."""

    offset: int


@dataclass(frozen=True)
class Weekday:
    """A weekday ("monday", "last friday", "monday of next week")."""

    weekday: int  # Monday = 0
    mode: WeekdayMode
    week_offset: int = 0


@dataclass(frozen=True)
class CalendarDate:
    """A day of a month; `year` None means the nearest occurrence (ops)."""

    month: int
    day: int
    year: int | None = None


@dataclass(frozen=True)
class Month:
    """A month ("june", "june 2027"); `year` None means the nearest one (ops)."""

    month: int
    year: int | None = None


@dataclass(frozen=True)
class Year:
    """A year ("2013")."""

    year: int


@dataclass(frozen=True)
class CalendarUnit:
    """this (0) / last (-1) / next (1) week, month, year, hour, minute."""

    unit: Grain
    offset: int


@dataclass(frozen=True)
class Weekend:
    """A weekend ("this weekend", "last weekend")."""

    mode: WeekendMode


@dataclass(frozen=True)
class Shifted:
    """ "3 days ago" (sign -1), "in 2 hours" (sign 1)."""

    count: int
    unit: Grain
    sign: int


@dataclass(frozen=True)
class PartOfDay:
    """A part of the day ("morning", "tonight"): hours [start_hour, end_hour)."""

    name: str
    start_hour: int
    end_hour: int


@dataclass(frozen=True)
class TimeOfDay:
    """A clock time; `meridiem` "am"/"pm" when given; grain HOUR for "3pm", MINUTE for "3:30"."""

    hour: int
    minute: int
    second: int
    grain: Grain
    meridiem: str | None = None
    text: str = ""


@dataclass(frozen=True)
class ExplicitZone:
    """A zone written in the phrase ("CET", "Asia/Tokyo", "UTC+8")."""

    zone: tzinfo
    text: str


@dataclass(frozen=True)
class Instant:
    """A moment given exactly (ISO 8601 with offset, Unix seconds, now)."""

    moment: datetime
    grain: Grain


@dataclass(frozen=True)
class Now:
    """ "now", "right now": the reference instant itself."""


@dataclass(frozen=True)
class BareNumber:
    """A number that is a time or a day only next to one in a range ("3-4pm", "Jul 13-15")."""

    value: int


@dataclass(frozen=True)
class DayOfMonth:
    """ "the 9th", "the 20th of next month": a day of whatever month the rest names (or the
    nearest month that has it)."""

    day: int


@dataclass(frozen=True)
class Quarter:
    """Q1..Q4 (`index` 1-4, `months` 3) or H1/H2 (`index` 1-2, `months` 6); `year` None means
    the nearest; `offset` set for "this / last / next quarter"."""

    index: int
    months: int
    year: int | None = None
    offset: int | None = None


class EdgeKind(StrEnum):
    BEGINNING = "beginning"  # also "early", "start of"
    MIDDLE = "middle"  # "mid", "middle of"
    END = "end"  # also "late"


@dataclass(frozen=True)
class Edge:
    """ "early June", "end of the month", "late tonight": a third of the span the rest names."""

    kind: EdgeKind


@dataclass(frozen=True)
class WeekOf:
    """ "the week of Feb 20" (which None), "first / last week of March", "last weekend of June"."""

    which: str | None = None
    weekend: bool = False


@dataclass(frozen=True)
class ClockShift:
    """ "a quarter past", "20 to", "15 minutes past": minutes moved from the clock after it."""

    minutes: int


@dataclass(frozen=True)
class NthWeekday:
    """ "the first Monday of (March)", "last Sunday of", "last day of" (weekday None):
    the nth (-1 = last) such day of the span the rest names."""

    nth: int
    weekday: int | None


Piece = (
    RelativeDay
    | Weekday
    | CalendarDate
    | Month
    | Year
    | CalendarUnit
    | Weekend
    | Shifted
    | PartOfDay
    | TimeOfDay
    | ExplicitZone
    | Instant
    | Now
    | BareNumber
    | DayOfMonth
    | Quarter
    | Edge
    | WeekOf
    | ClockShift
    | NthWeekday
)

# Pieces that name a day or longer; a point has at most one of them.
DAYLIKE = (
    RelativeDay,
    Weekday,
    CalendarDate,
    Month,
    Year,
    CalendarUnit,
    Weekend,
    Shifted,
    DayOfMonth,
    Quarter,
)
# Pieces that change the span the others name.
MODIFIERS = (Edge, WeekOf, NthWeekday)
