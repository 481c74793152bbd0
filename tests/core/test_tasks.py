"""RecordTask status and overlap rules (docs/requests.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.tasks import RecordTask, Status, is_task_id, task_ids_in

T0 = datetime(2026, 7, 26, 10, 0, tzinfo=UTC)


def task(start: datetime, hours: float = 2, stopped: datetime | None = None) -> RecordTask:
    return RecordTask(
        "t1", "d.example", "live", "cam", start, start + timedelta(hours=hours), 0, stopped
    )


@pytest.mark.parametrize(
    ("now", "stopped", "expected"),
    [
        (T0 - timedelta(seconds=1), None, Status.SCHEDULED),
        (T0, None, Status.RUNNING),
        (T0 + timedelta(hours=2) - timedelta(seconds=1), None, Status.RUNNING),
        (T0 + timedelta(hours=2), None, Status.FINISHED),
        (T0 + timedelta(hours=1), T0 + timedelta(minutes=30), Status.STOPPED),
        # A stop made before the task began still wins: it will never start.
        (T0 - timedelta(hours=1), T0 - timedelta(hours=2), Status.STOPPED),
        (T0 + timedelta(hours=5), T0 + timedelta(minutes=30), Status.STOPPED),
    ],
)
def test_status_at(now: datetime, stopped: datetime | None, expected: Status) -> None:
    assert task(T0, stopped=stopped).status_at(now) is expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (T0 - timedelta(hours=1), T0, False),  # window ends exactly at the task's start
        (T0 + timedelta(hours=2), T0 + timedelta(hours=3), False),  # starts at the task's end
        (T0 - timedelta(hours=1), T0 + timedelta(seconds=1), True),
        (T0 + timedelta(hours=2) - timedelta(seconds=1), T0 + timedelta(hours=9), True),
        (T0 + timedelta(minutes=30), T0 + timedelta(minutes=40), True),  # inside
        (T0 - timedelta(days=1), T0 + timedelta(days=1), True),  # around
    ],
)
def test_overlap_is_half_open(start: datetime, end: datetime, expected: bool) -> None:
    assert task(T0).overlaps(start, end) is expected


def test_api_round_trip_keeps_every_field() -> None:
    item = {
        "TaskId": "abc",
        "DomainName": "d",
        "AppName": "a",
        "StreamName": "s",
        "StartTime": 1785060000,
        "EndTime": 1785063600,
        "TemplateId": 7,
        "Stopped": 1785061000,
    }
    assert RecordTask.from_api(item).to_api() == item
    item["Stopped"] = 0
    parsed = RecordTask.from_api(item)
    assert parsed.stopped is None
    assert parsed.to_api() == item


@pytest.mark.parametrize(
    ("word", "shaped"),
    [
        ("+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs=", True),
        ("7b+IRl8Dre0pqxTCVufYUFZ5GjhDIMQ0lWhy1yyIa8uPrhZmAtIcwQ==", True),
        ("a1" * 20, True),  # 40: the shortest
        ("a1" * 50, True),  # 100: the longest
        ("a1" * 19 + "a", False),  # 39
        ("a1" * 50 + "b", False),  # 101
        ("a" * 56, False),  # letters alone
        ("7" * 56, False),  # digits alone
        ("a1" * 28 + "===", False),  # three '='
        ("a1" * 14 + "=" + "a1" * 14, False),  # '=' only at the end
        ("cam1-" * 12, False),  # '-' is no base64
        ("x " + "a1" * 28, False),  # one word, whole
    ],
)
def test_is_task_id_is_the_shape_rule_of_task_ids_in(word: str, shaped: bool) -> None:
    assert is_task_id(word) is shaped
    assert (task_ids_in(word) == [word]) is shaped
