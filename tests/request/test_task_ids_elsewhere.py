"""A TaskId belongs to one question: an alert or a digest follows streams, apps or domains,
so one that names a TaskId is refused instead of quietly following everything."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.alerts.commands import alert_filters
from bot.digest.content import digest_request
from bot.errors import ParseError
from bot.filters import Filters

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
TASK_ID = "+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs="


@pytest.mark.parametrize("text", [TASK_ID, f"livetest {TASK_ID}", f"task:{TASK_ID}"])
def test_an_alert_on_a_task_id_is_refused(text: str) -> None:
    with pytest.raises(ParseError, match="not a TaskId; name the task's stream"):
        alert_filters(text, NOW, ZoneInfo("UTC"))
    assert alert_filters("livetest", NOW, ZoneInfo("UTC")) == Filters(streams=("livetest",))


def test_a_digest_of_a_task_id_is_refused() -> None:
    with pytest.raises(ParseError, match="not one task's TaskId"):
        digest_request(f"did {TASK_ID} record", NOW, UTC)
