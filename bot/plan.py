"""Window -> DescribeRecordTask windows (docs/time-phrases.md, "After parsing"). Pure; `now`
passed in.

DescribeRecordTask lists only tasks whose start AND end lie inside its window, windows may
be at most a week long and start no earlier than 90 days ago. A task lasts at most 24 h, so
widening the asked window by 24 h on each side and covering it with week-long windows that
overlap by more than 24 h finds every task that overlaps the asked window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.tasks import from_unix, to_unix
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
# API window edges lie on this grid (from the Unix epoch), moved outward, so the same question
# asked again a minute later asks for the same windows and is answered from the cache.
GRID_S = 300


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


def _grid_down(moment: datetime) -> datetime:
    unix = to_unix(moment)
    return from_unix(unix - unix % GRID_S)


def _grid_up(moment: datetime) -> datetime:
    unix = to_unix(moment) + (1 if moment.microsecond else 0)
    return from_unix(unix + -unix % GRID_S)


def oldest_allowed(now: datetime) -> datetime:
    """The earliest instant a DescribeRecordTask window may start at, with clock margin.

    Rounded up to the grid: a moving floor would make every "last 90 days" a cache miss.
    Tasks that start within those few minutes are 90 days old, about to be deleted anyway.
    """
    return _grid_up(now.astimezone(UTC) - RETENTION + CLOCK_MARGIN)


def latest_task_end(now: datetime) -> datetime:
    """No task can still run after this: tasks start at most 7 days ahead and last <= 24 h."""
    return now.astimezone(UTC) + MAX_AHEAD + MAX_TASK


def clip_window(window: Window, now: datetime) -> tuple[datetime, datetime, tuple[str, ...]]:
    """Close open ends and clip to what the API can serve; say in words what was clipped.

    An open start becomes now - 90 d, an open end now + 7 d. A closed end is kept up to the
    last instant a task can still be running (now + 8 d). Returned in the window's zone.
    """
    zone = (window.start or window.end or now).tzinfo
    floor = oldest_allowed(now)
    notes: list[str] = []
    if window.start is None:
        start = floor
        notes.append(f"Only the last 90 days are kept: showing from {_day(floor.astimezone(zone))}")
    else:
        start = window.start.astimezone(UTC)
        if start < floor:
            start = floor
            notes.append(
                f"Only the last 90 days are kept: showing from {_day(floor.astimezone(zone))}"
            )
    if window.end is None:
        end = now.astimezone(UTC) + MAX_AHEAD
    else:
        end = window.end.astimezone(UTC)
        ceiling = latest_task_end(now)
        if end > ceiling:
            end = ceiling
            notes.append(
                "Tasks are scheduled at most 7 days ahead and last at most 24 h: showing "
                f"until {_moment(ceiling.astimezone(zone))}"
            )
    return start.astimezone(zone), end.astimezone(zone), tuple(notes)


def cover(start: datetime, end: datetime) -> tuple[ApiWindow, ...]:
    """Windows of at most a week from `start` to `end`, each overlapping the next by OVERLAP.

    Steps in UTC: adding a week to a local time would add 7 wall-clock days, which across a
    DST change is 167 or 169 hours and could break the one-week limit.
    """
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    windows: list[ApiWindow] = []
    step = MAX_SPAN - OVERLAP
    while cursor + MAX_SPAN < end:
        windows.append(ApiWindow(to_unix(cursor), to_unix(cursor + MAX_SPAN)))
        cursor += step
    windows.append(ApiWindow(to_unix(cursor), to_unix(end)))
    return tuple(windows)


def plan_windows(window: Window, now: datetime) -> Plan:
    """The API windows that find every task overlapping `window`, and no more calls than needed."""
    start, end, notes = clip_window(window, now)
    # Compare in UTC: aware datetimes sharing a tzinfo compare by wall clock.
    empty = end.astimezone(UTC) <= start.astimezone(UTC)
    if empty:
        end = start
    # An empty plan says why in one note; "showing from ..." would promise something.
    if end <= oldest_allowed(now):
        reason = "That is more than 90 days ago; CSS keeps recording tasks for 90 days."
        return Plan(start, end, (), (reason,))
    if empty or start >= latest_task_end(now):
        reason = "Tasks can be scheduled at most 7 days ahead, so nothing can be there yet."
        return Plan(start, end, (), (reason,))
    # Widen by one task length on each side: a task overlapping [start, end) starts after
    # start - 24 h and ends before end + 24 h; none starts after now + 7 d. Then out to the
    # grid (the overlap filter drops what the wider windows bring in); the floor is on it.
    api_start = max(_grid_down(start.astimezone(UTC) - MAX_TASK), oldest_allowed(now))
    api_end = _grid_up(min(end.astimezone(UTC), now.astimezone(UTC) + MAX_AHEAD) + MAX_TASK)
    return Plan(start, end, cover(api_start, api_end), notes)
