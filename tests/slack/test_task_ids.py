"""Which words of a pasted message are TaskIds (shape only), and the time field a task's
modal opens with."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.ask_form import form_for_task, request_text, task_window
from bot.request import parse_request
from bot.tasks import RecordTask, task_ids_in

REAL_SHAPE = base64.b64encode(bytes(range(100, 142))).decode()  # 56 characters


def test_a_task_id_is_found_inside_punctuation_and_code_spans_once() -> None:
    text = f"`{REAL_SHAPE}` failed again ({REAL_SHAPE}), see +{REAL_SHAPE[1:]}"
    assert task_ids_in(text) == [REAL_SHAPE, "+" + REAL_SHAPE[1:]]


def test_ordinary_words_urls_and_short_ids_are_not_task_ids() -> None:
    text = (
        "cam1 stopped at 5000.live.push.example.com; task 1234-abcd; "
        "https://example.com/" + "a" * 60 + " " + "x" * 60 + " " + "7" * 60
    )
    assert task_ids_in(text) == []


def test_a_tasks_window_is_read_to_the_minute_in_the_askers_zone() -> None:
    start = datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    end = datetime(2026, 12, 2, 15, 0, 1, tzinfo=UTC)
    assert task_window(start, end, ZoneInfo("Asia/Tokyo")) == (
        "from 2026-12-02 18:00 to 2026-12-03 00:01"
    )


def test_a_tasks_form_asks_about_that_task_alone_in_its_window() -> None:
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    task = RecordTask(
        REAL_SHAPE, "a.push.example.com", "live", "studio7", start, start.replace(hour=15), 0, None
    )
    tokyo = ZoneInfo("Asia/Tokyo")
    request = parse_request(
        request_text(form_for_task(task, tokyo, "C1")), datetime(2026, 12, 3, tzinfo=UTC), tokyo
    )
    assert request.filters.task_ids == (REAL_SHAPE,)
    assert request.filters.streams == ("studio7",)
    assert request.filters.matches(task)
