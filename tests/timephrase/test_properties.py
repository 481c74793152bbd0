"""Properties over any zone and date: windows are ordered, rolling periods span N local units,
"yesterday" is one local day (23, 24 or 25 h)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ParseError
from bot.timephrase import parse_phrase
from bot.timephrase.window import Grain

ZONES = st.sampled_from(
    [
        "UTC",
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Asia/Tokyo",
        "Pacific/Chatham",
        "America/St_Johns",
    ]
)
NOWS = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
PHRASES = st.sampled_from(
    [
        "today",
        "yesterday",
        "tomorrow",
        "last week",
        "this month",
        "last 3 days",
        "since 3pm",
        "yesterday afternoon",
        "last night",
        "3-4pm",
        "monday",
        "next wednesday",
        "Feb 8",
        "weekend",
        "past 24h",
        "earlier today",
        "this week so far",
        "in 2 hours",
        "3 days ago",
    ]
)
UNITS = {"hours": Grain.HOUR, "days": Grain.DAY, "weeks": Grain.WEEK, "months": Grain.MONTH}


@settings(max_examples=150, deadline=None)
@given(zone=ZONES, now=NOWS, phrase=PHRASES)
def test_closed_windows_start_before_they_end(zone: str, now: datetime, phrase: str) -> None:
    refused: str | None = None
    try:
        window = parse_phrase(phrase, now, ZoneInfo(zone))
    except ParseError as error:
        refused = error.user_message
    if refused is not None:
        # "earlier today" at exactly midnight, "since 3pm" at 15:00: nothing to show yet, and
        # said so, rather than a window that ends where it starts.
        assert phrase in ("earlier today", "this week so far", "since 3pm"), refused
        assert "That window is empty" in refused or "needs a time in the past" in refused
        return
    if window.start is not None and window.end is not None:
        assert window.start.timestamp() < window.end.timestamp()


@settings(max_examples=150, deadline=None)
@given(zone=ZONES, now=NOWS)
def test_yesterday_is_one_local_day(zone: str, now: datetime) -> None:
    tz = ZoneInfo(zone)
    window = parse_phrase("yesterday", now, tz)
    assert window.start is not None
    assert window.end is not None
    hours = (window.end.timestamp() - window.start.timestamp()) / 3600
    assert hours in (23, 23.5, 24, 24.5, 25)  # Lord Howe moves its clock by 30 minutes
    local_now = now.astimezone(tz)
    assert window.start.date() == local_now.date() - timedelta(days=1)
    assert window.end.date() == local_now.date()


@settings(max_examples=150, deadline=None)
@given(zone=ZONES, now=NOWS, count=st.integers(1, 40), unit=st.sampled_from(sorted(UNITS)))
def test_last_n_units_spans_n_local_units(zone: str, now: datetime, count: int, unit: str) -> None:
    tz = ZoneInfo(zone)
    window = parse_phrase(f"last {count} {unit}", now, tz)
    assert window.start is not None
    assert window.end is not None
    assert window.end.timestamp() == now.timestamp()
    if UNITS[unit] is Grain.HOUR:
        assert window.end.timestamp() - window.start.timestamp() == count * 3600
    else:
        # N local units back on the calendar: the local date moves by exactly N units.
        local_now, start = now.astimezone(tz), window.start
        if UNITS[unit] is Grain.MONTH:
            months = local_now.year * 12 + local_now.month - (start.year * 12 + start.month)
            assert months == count
            assert start.day == min(local_now.day, start.day)
        else:
            days = count * (7 if UNITS[unit] is Grain.WEEK else 1)
            assert start.date() == local_now.date() - timedelta(days=days)
