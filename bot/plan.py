"""Window -> DescribeRecordTask windows (time-phrases.md, "After parsing"). Pure; `now` passed in.

DescribeRecordTask lists only tasks whose start AND end lie inside its window, windows may
be at most a week long and start no earlier than 90 days ago. A task lasts at most 24 h, so
widening the asked window by 24 h on each side and covering it with week-long windows that
overlap by more than 24 h finds every task that overlaps the asked window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.tasks import to_unix
from bot.timephrase.window import Window

RETENTION = timedelta(days=90)
MAX_AHEAD = timedelta(days=7)
MAX_TASK = timedelta(hours=24)
MAX_SPAN = timedelta(days=7)
# Consecutive API windows share more than one task length, so no task depends on whether
# the server's window bounds are inclusive.
OVERLAP = MAX_TASK + timedelta(hours=1)
# The 90-day rule is checked against the server's clock, a little after we plan.
CLOCK_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class ApiWindow:
    """One DescribeRecordTask window in Unix seconds, `end > start`, `end - start <= 7 days`."""

    start: int
    end: int


@dataclass(frozen=True)
class Plan:
    """The asked window after clipping (what the reply shows), the API windows, and notes."""

    start: datetime
    end: datetime
    api_windows: tuple[ApiWindow, ...]
    notes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.api_windows


def _day(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}"


def _moment(moment: datetime) -> str:
    return f"{moment:%b} {moment.day} {moment:%H:%M}"


def oldest_allowed(now: datetime) -> datetime:
    """The earliest instant a DescribeRecordTask window may start at, with clock margin."""
    return now - RETENTION + CLOCK_MARGIN


def clip_window(window: Window, now: datetime) -> tuple[datetime, datetime, tuple[str, ...]]:
    """Close open ends and clip to what the API can serve; say in words what was clipped."""
    zone = (window.start or window.end or now).tzinfo
    floor = oldest_allowed(now).astimezone(zone)
    ceiling = (now + MAX_AHEAD).astimezone(zone)
    notes: list[str] = []
    start = window.start if window.start is not None else floor
    end = window.end if window.end is not None else ceiling
    if start < floor:
        start = floor
        notes.append(f"Only the last 90 days are kept: showing from {_day(floor)}")
    if end > ceiling:
        end = ceiling
        notes.append(
            f"Tasks can be scheduled at most 7 days ahead: showing until {_moment(ceiling)}"
        )
    return start.astimezone(zone), end.astimezone(zone), tuple(notes)


def cover(start: datetime, end: datetime) -> tuple[ApiWindow, ...]:
    """Week-long windows from `start` to `end`, each overlapping the next by OVERLAP."""
    windows: list[ApiWindow] = []
    step = MAX_SPAN - OVERLAP
    cursor = start
    while cursor + MAX_SPAN < end:
        windows.append(ApiWindow(to_unix(cursor), to_unix(cursor + MAX_SPAN)))
        cursor += step
    windows.append(ApiWindow(to_unix(cursor), to_unix(end)))
    return tuple(windows)


def plan_windows(window: Window, now: datetime) -> Plan:
    """The API windows that find every task overlapping `window`, and no more calls than needed."""
    start, end, notes = clip_window(window, now)
    if end <= start:
        reason = (
            "That is more than 90 days ago; CSS keeps recording tasks for 90 days."
            if end <= oldest_allowed(now)
            else "Tasks can be scheduled at most 7 days ahead, so nothing can be there yet."
        )
        return Plan(start, max(start, end), (), (*notes, reason))
    api_start = max(start - MAX_TASK, oldest_allowed(now))
    api_end = end + MAX_TASK
    return Plan(start, end, cover(api_start, api_end), notes)
