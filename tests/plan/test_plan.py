"""The window plan (docs/time-phrases.md, "After parsing"): properties of the API windows, and the
clipping notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.plan import GRID_S, MAX_TASK, oldest_allowed, plan_windows
from bot.tasks import to_unix
from bot.timephrase import Grain, Window, parse_phrase

NOW = datetime(2013, 2, 12, 4, 30, tzinfo=UTC)
ZONES = st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Asia/Kathmandu"])
WEEK = 7 * 86400
DAY = 86400


def window(start: datetime | None, end: datetime | None) -> Window:
    return Window(start, end, Grain.SECOND, "test")


@st.composite
def asked(draw: st.DrawFn) -> tuple[Window, datetime]:
    zone = ZoneInfo(draw(ZONES))
    now = draw(
        st.datetimes(
            min_value=datetime(2010, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        )
    )
    start_offset = draw(st.integers(-200 * DAY, 20 * DAY))
    length = draw(st.integers(1, 120 * DAY))
    start = (now + timedelta(seconds=start_offset)).astimezone(zone)
    end = (start.astimezone(UTC) + timedelta(seconds=length)).astimezone(zone)
    open_start, open_end = draw(st.booleans()), draw(st.booleans())
    return window(None if open_start else start, None if open_end else end), now


@settings(max_examples=300, deadline=None)
@given(case=asked())
def test_api_windows_obey_the_api_rules(case: tuple[Window, datetime]) -> None:
    asked_window, now = case
    plan = plan_windows(asked_window, now)
    oldest = to_unix(now) - 90 * DAY
    for api in plan.api_windows:
        assert api.end > api.start
        assert api.end - api.start <= WEEK
        assert api.start >= oldest
    for first, second in zip(plan.api_windows, plan.api_windows[1:], strict=False):
        assert first.end - second.start >= DAY  # consecutive windows overlap >= 24 h
        assert second.start > first.start


@settings(max_examples=300, deadline=None)
@given(case=asked())
def test_plan_covers_the_widened_window(case: tuple[Window, datetime]) -> None:
    asked_window, now = case
    plan = plan_windows(asked_window, now)
    if plan.empty:
        return
    widened_start = max(to_unix(plan.start) - DAY, to_unix(oldest_allowed(now)))
    widened_end = min(to_unix(plan.end), to_unix(now) + 7 * DAY) + DAY
    assert plan.api_windows[0].start <= widened_start
    assert plan.api_windows[-1].end >= widened_end


@settings(max_examples=300, deadline=None)
@given(case=asked(), data=st.data())
def test_every_task_overlapping_the_window_lies_inside_one_api_window(
    case: tuple[Window, datetime], data: st.DataObject
) -> None:
    asked_window, now = case
    plan = plan_windows(asked_window, now)
    if plan.empty:
        return
    lo, hi = to_unix(plan.start), to_unix(plan.end)
    # Any task of <= 24 h overlapping [lo, hi) that the API can still list: it starts no
    # earlier than 90 days ago and no later than 7 days ahead.
    duration = data.draw(st.integers(1, int(MAX_TASK.total_seconds())))
    first = max(lo - duration + 1, to_unix(oldest_allowed(now)))
    last = min(hi - 1, to_unix(now) + 7 * DAY)
    if first > last:
        return
    task_start = data.draw(st.integers(first, last))
    task_end = task_start + duration
    assert task_start < hi
    assert task_end > lo
    assert any(api.start <= task_start and task_end <= api.end for api in plan.api_windows)


@settings(max_examples=100, deadline=None)
@given(case=asked())
def test_api_window_edges_lie_on_the_grid_so_a_repeated_question_hits_the_cache(
    case: tuple[Window, datetime],
) -> None:
    asked_window, now = case
    plan = plan_windows(asked_window, now)
    assert all(api.start % GRID_S == 0 == api.end % GRID_S for api in plan.api_windows)
    # The same question asked over the next five minutes: the windows change only when the
    # clock crosses a grid step of the 90-day floor or of the 7-days-ahead end (was: each second).
    plans = {
        plan_windows(asked_window, now + timedelta(seconds=s)).api_windows
        for s in range(0, GRID_S, 7)
    }
    assert len(plans) <= 3


def test_an_empty_plan_says_only_why() -> None:
    plan = plan_windows(parse_phrase("last 120 days", NOW - timedelta(days=100), UTC), NOW)
    assert plan.empty
    assert plan.notes == ("That is more than 90 days ago; CSS keeps recording tasks for 90 days.",)
    assert not any("showing" in note for note in plan.notes)


def test_yesterday_is_one_window_widened_by_a_day_each_side() -> None:
    plan = plan_windows(parse_phrase("yesterday", NOW, UTC), NOW)
    assert [(w.start, w.end) for w in plan.api_windows] == [(1360454400, 1360713600)]
    assert plan.notes == ()


def test_windows_step_in_real_hours_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2013, 4, 20, 12, tzinfo=UTC)
    plan = plan_windows(parse_phrase("last 60 days", now, berlin), now)
    assert all(w.end - w.start <= WEEK for w in plan.api_windows)


def test_open_start_is_ninety_days_back_and_says_so() -> None:
    plan = plan_windows(parse_phrase("until friday", NOW, UTC), NOW)
    # 90 days and a minute's clock margin back, rounded up to the 5-minute grid.
    assert to_unix(plan.start) == to_unix(NOW) - 90 * DAY + 300
    assert plan.notes == ("Only the last 90 days are kept: showing from Nov 14",)


def test_open_end_is_seven_days_ahead() -> None:
    plan = plan_windows(parse_phrase("from tomorrow", NOW, UTC), NOW)
    assert to_unix(plan.end) == to_unix(NOW) + 7 * DAY
    assert plan.api_windows[-1].end == to_unix(NOW) + 8 * DAY


def test_old_start_is_clipped_with_a_note() -> None:
    plan = plan_windows(parse_phrase("last 120 days", NOW, UTC), NOW)
    assert plan.notes == ("Only the last 90 days are kept: showing from Nov 14",)
    assert plan.api_windows[0].start == to_unix(NOW) - 90 * DAY + 300


def test_a_window_wholly_older_than_90_days_plans_no_call() -> None:
    plan = plan_windows(parse_phrase("Jul 26 2012", NOW, UTC), NOW)
    assert plan.empty
    assert "more than 90 days ago" in plan.notes[-1]


def test_far_future_plans_no_call_and_says_why() -> None:
    plan = plan_windows(parse_phrase("next month", NOW, UTC), NOW)
    assert plan.empty
    assert "at most 7 days ahead" in plan.notes[-1]


def test_a_window_starting_just_after_a_week_still_finds_long_tasks() -> None:
    start = NOW + timedelta(days=7, hours=12)
    plan = plan_windows(window(start, start + timedelta(hours=2)), NOW)
    assert not plan.empty  # a task starting at now + 6.9 d can still run into it
    assert plan.api_windows[-1].end == to_unix(NOW) + 8 * DAY
