"""When a digest is due: the UTC instants ("slots") of a daily or weekly local-time schedule.

Pure and DST-correct. Rules (docs/digests.md, "Time rules"): a local time that does not exist on a
spring-forward day (02:30 in New York on the second Sunday of March) is posted at the first
valid instant after the gap (03:00 local); a local time that occurs twice on a fall-back day
(01:30 in New York on the first Sunday of November) is posted once, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    """A local wall-clock time, every day or on one weekday (0 = Monday), in an IANA zone."""

    kind: Kind
    at: time
    tz: str
    weekday: int | None = None

    def __post_init__(self) -> None:
        if (self.kind is Kind.WEEKLY) != (self.weekday is not None):
            raise ValueError("a weekly schedule needs a weekday, a daily one none")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError("weekday is 0 (Monday) .. 6 (Sunday)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def describe(self) -> str:
        when = f"{self.at:%H:%M} {self.tz}"
        if self.kind is Kind.WEEKLY:
            assert self.weekday is not None
            return f"weekly on {WEEKDAYS[self.weekday].capitalize()} at {when}"
        return f"daily at {when}"


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `zone`, by the rules in the module doc."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first  # exists; fold=0 is the first of two occurrences on a fall-back day
    # In a gap, fold=0 and fold=1 land on either side of the transition; find the transition,
    # the first instant whose wall time is past `wall`.
    low = int(wall.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = int(first.timestamp())
    low, high = min(low, high), max(low, high)
    while low < high:
        mid = (low + high) // 2
        if _wall(datetime.fromtimestamp(mid, UTC), zone) > wall:
            high = mid
        else:
            low = mid + 1
    return datetime.fromtimestamp(low, UTC)


def _days(schedule: Schedule, first: date) -> Iterator[date]:
    day = first
    while True:
        if schedule.weekday is None or day.weekday() == schedule.weekday:
            yield day
        day += timedelta(days=1)


def slots_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every slot in `(start, end]`, oldest first, as aware UTC datetimes."""
    zone = schedule.zone
    # Start a day early: a slot's local date can differ from start's local date by the offset.
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    slots: list[datetime] = []
    for day in _days(schedule, first_day):
        slot = local_instant(day, schedule.at, zone)
        if slot > end:
            break
        if slot > start:
            slots.append(slot)
    return slots


def next_slot(schedule: Schedule, after: datetime) -> datetime:
    """The first slot strictly after `after`."""
    zone = schedule.zone
    for day in _days(schedule, after.astimezone(zone).date() - timedelta(days=1)):
        slot = local_instant(day, schedule.at, zone)
        if slot > after:
            return slot
    raise AssertionError("unreachable: _days is infinite")
