"""parse_request carries RECBOT_DATE_ORDER to the time phrase."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.request import parse_request
from bot.timephrase import DateOrder

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_request_reads_numeric_dates_day_month_under_dmy() -> None:
    request = parse_request("failed recordings on 3/8/2026", NOW, UTC, order=DateOrder.DMY)
    assert request.window is not None
    assert request.window.start is not None
    assert (request.window.start.month, request.window.start.day) == (8, 3)
    assert "dates read day/month" in request.window.description


def test_request_reads_month_day_by_default() -> None:
    request = parse_request("failed recordings on 3/8/2026", NOW, UTC)
    assert request.window is not None
    assert request.window.start is not None
    assert (request.window.start.month, request.window.start.day) == (3, 8)
    assert "day/month" not in request.window.description
