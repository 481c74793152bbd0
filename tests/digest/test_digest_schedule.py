"""Slot computation: daily/weekly local times, DST gaps and repeats, odd offsets."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.schedule import (
    Kind,
    Schedule,
    local_instant,
    next_slot,
    slots_between,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def daily(at: str, tz: str) -> Schedule:
    return Schedule(Kind.DAILY, time.fromisoformat(at), tz)


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected_utc"),
    [
        # Spring forward: 02:30 does not exist; posted at the first instant after the gap.
        ("America/New_York", (2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 0)),
        ("Europe/Berlin", (2026, 3, 29), "02:30", utc(2026, 3, 29, 1, 0)),
        # Fall back: 01:30 (NY) / 02:30 (Berlin) happen twice; the first occurrence wins.
        ("America/New_York", (2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),
        ("Europe/Berlin", (2026, 10, 25), "02:30", utc(2026, 10, 25, 0, 30)),
        # Ordinary days either side.
        ("America/New_York", (2026, 3, 7), "02:30", utc(2026, 3, 7, 7, 30)),
        ("America/New_York", (2026, 3, 9), "02:30", utc(2026, 3, 9, 6, 30)),
        # No DST at all, and a quarter-hour offset.
        ("Asia/Tokyo", (2026, 3, 8), "09:00", utc(2026, 3, 8, 0, 0)),
        ("Asia/Kathmandu", (2026, 3, 8), "09:00", utc(2026, 3, 8, 3, 15)),
        ("Asia/Kathmandu", (2026, 7, 1), "00:10", utc(2026, 6, 30, 18, 25)),
    ],
)
def test_local_time_maps_to_one_instant(
    tz: str, day: tuple[int, int, int], at: str, expected_utc: datetime
) -> None:
    from datetime import date

    assert local_instant(date(*day), time.fromisoformat(at), ZoneInfo(tz)) == expected_utc


def test_spring_forward_day_posts_once_at_three_local() -> None:
    schedule = daily("02:30", "America/New_York")
    slots = slots_between(schedule, utc(2026, 3, 7, 12), utc(2026, 3, 9, 12))
    local = [s.astimezone(ZoneInfo("America/New_York")).strftime("%m-%d %H:%M") for s in slots]
    assert local == ["03-08 03:00", "03-09 02:30"]


def test_fall_back_day_posts_once_at_the_first_occurrence() -> None:
    schedule = daily("01:30", "America/New_York")
    slots = slots_between(schedule, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    assert slots == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_weekly_slot_is_on_its_weekday_in_the_subscribers_zone() -> None:
    schedule = Schedule(Kind.WEEKLY, time(9, 0), "Asia/Kathmandu", weekday=0)
    # Sunday 2026-03-08 23:00 UTC is already Monday 04:45 in Kathmandu.
    slot = next_slot(schedule, utc(2026, 3, 8, 23, 0))
    assert slot == utc(2026, 3, 9, 3, 15)
    assert slot.astimezone(ZoneInfo("Asia/Kathmandu")).weekday() == 0
    assert next_slot(schedule, slot) == slot + timedelta(days=7)


def test_weekly_without_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        Schedule(Kind.WEEKLY, time(9, 0), "UTC")


ZONES = ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "Asia/Kathmandu", "Australia/Lord_Howe"]


@given(
    zone=st.sampled_from(ZONES),
    minute=st.integers(0, 24 * 60 - 1),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1)),
)
def test_daily_slots_are_one_per_local_day_and_increasing(
    zone: str, minute: int, start: datetime
) -> None:
    schedule = Schedule(Kind.DAILY, time(minute // 60, minute % 60), zone)
    begin = start.replace(tzinfo=UTC)
    slots = slots_between(schedule, begin, begin + timedelta(days=30))
    local_days = [s.astimezone(ZoneInfo(zone)).date() for s in slots]
    assert len(set(local_days)) == len(local_days)
    assert slots == sorted(slots)
    assert 29 <= len(slots) <= 31
    for slot in slots:
        wall = slot.astimezone(ZoneInfo(zone))
        # Exactly the asked wall time, unless that time fell into a gap (then just after it).
        assert wall.time() >= schedule.at
        assert next_slot(schedule, slot - timedelta(seconds=1)) == slot
