"""One DST rule for phrases and digest slots (docs/time-phrases.md, "Daylight saving time"):
a local time that does not exist is the first instant after the gap; a local time that occurs
twice is its first occurrence; a range keeps its local meaning and never grows a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.digest.schedule import local_instant
from bot.errors import ParseError
from bot.timephrase import parse_phrase

NEW_YORK = ZoneInfo("America/New_York")
SPRING = datetime(2026, 3, 8, 12, 0, tzinfo=NEW_YORK)  # 02:00 -> 03:00
FALL = datetime(2026, 11, 1, 12, 0, tzinfo=NEW_YORK)  # 02:00 -> 01:00


def _utc(phrase: str, now: datetime) -> tuple[datetime, datetime]:
    window = parse_phrase(phrase, now, NEW_YORK)
    assert window.start is not None
    assert window.end is not None
    return window.start.astimezone(UTC), window.end.astimezone(UTC)


@pytest.mark.parametrize("phrase", ["2am-3am", "2:15-3:00am", "from 2:00 to 2:59"])
def test_range_inside_a_spring_gap_is_refused_not_a_day_long(phrase: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phrase(phrase, SPRING, NEW_YORK)
    assert "clocks" in caught.value.reason


def test_range_across_a_spring_gap_keeps_its_local_ends() -> None:
    # 01:00 EST = 06:00 UTC; 04:00 EDT = 08:00 UTC: two real hours.
    assert _utc("1am-4am", SPRING) == (
        datetime(2026, 3, 8, 6, tzinfo=UTC),
        datetime(2026, 3, 8, 8, tzinfo=UTC),
    )


def test_range_from_inside_a_gap_starts_when_the_gap_ends() -> None:
    assert _utc("2:30-4am", SPRING) == (
        datetime(2026, 3, 8, 7, tzinfo=UTC),
        datetime(2026, 3, 8, 8, tzinfo=UTC),
    )


def test_nonexistent_time_is_the_first_instant_after_the_gap_as_for_digests() -> None:
    start, _ = _utc("2:30am", SPRING)
    assert start == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 03:00 EDT
    assert local_instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == start


def test_repeated_time_is_its_first_occurrence_as_for_digests() -> None:
    start, _ = _utc("1:30am", FALL)
    assert start == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert local_instant(date(2026, 11, 1), time(1, 30), NEW_YORK) == start


def test_range_over_the_repeated_hour_is_two_real_hours() -> None:
    assert _utc("1am-2am", FALL) == (
        datetime(2026, 11, 1, 5, tzinfo=UTC),
        datetime(2026, 11, 1, 7, tzinfo=UTC),
    )
