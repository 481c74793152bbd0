"""The embedded simulator's default data: a realistic account's standing schedule."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.css.dataset import SCHEDULE, generate_schedule
from bot.css.simulator import Simulator
from bot.tasks import Status

NOW = datetime(2026, 11, 27, 16, 50, tzinfo=UTC)


def test_same_seed_same_account_other_seed_other_mishaps() -> None:
    assert generate_schedule(7, NOW) == generate_schedule(7, NOW)
    assert generate_schedule(7, NOW) != generate_schedule(8, NOW)


def test_every_task_is_one_the_api_could_hold() -> None:
    tasks = generate_schedule(7, NOW)
    ids = [t.task_id for t in tasks]
    assert len(ids) == len(set(ids))
    for task in tasks:
        assert len(task.task_id) == 56
        assert timedelta(0) < task.end - task.start <= timedelta(hours=24)
        assert task.start > NOW - timedelta(days=90)
        assert task.end <= NOW + timedelta(days=7)


def test_standing_recordings_recur_on_their_weekdays() -> None:
    tasks = generate_schedule(7, NOW)
    news_days = Counter(t.start.date() for t in tasks if t.stream == "news")
    # Three bulletins a day, give or take a double booking or an ad-hoc recording.
    assert sum(1 for n in news_days.values() if n >= 3) > 80
    keynote_days = {
        t.start.weekday() for t in tasks if t.stream == "keynote" and t.start.hour == 16
    }
    assert 3 in keynote_days
    lobby = [t for t in tasks if t.stream == "lobby" and t.end - t.start == timedelta(hours=24)]
    assert len(lobby) > 80


def test_mishaps_give_the_findings_something_to_find() -> None:
    tasks = generate_schedule(7, NOW)
    statuses = Counter(t.status_at(NOW) for t in tasks)
    assert statuses[Status.STOPPED] >= 10
    assert statuses[Status.SCHEDULED] >= 30
    assert statuses[Status.RUNNING] >= 1
    cancelled = [t for t in tasks if t.stopped is not None and t.stopped < t.start]
    assert cancelled
    starts = Counter((t.domain, t.app, t.stream, t.start, t.end) for t in tasks)
    assert any(n > 1 for n in starts.values()), "no double booking"
    late = [t for t in tasks if t.start.minute in (5, 10, 15) and t.stream == "news"]
    assert late


def test_the_schedule_names_streams_the_featured_cases_use() -> None:
    assert {slot.spec.stream for slot in SCHEDULE} >= {"livetest", "cam1", "news", "lobby"}


def test_count_none_serves_the_schedule() -> None:
    with Simulator(count=None, now=NOW) as sim:
        assert sim.tasks == generate_schedule(7, NOW)
