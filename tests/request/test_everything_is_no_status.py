"""'everything' / 'all' ask for no particular status, so they never conflict with one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import ParseError
from bot.request import StatusFilter, parse_request

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("show me everything scheduled for tomorrow", StatusFilter.SCHEDULED),
        ("all running livetest", StatusFilter.RUNNING),
        ("everything yesterday", StatusFilter.ALL),
    ],
)
def test_all_gives_way_to_a_named_status(text: str, status: StatusFilter) -> None:
    assert parse_request(text, NOW, UTC).status is status


def test_tomorrow_is_read_next_to_everything_scheduled() -> None:
    request = parse_request("show me everything scheduled for tomorrow", NOW, UTC)
    assert request.phrase is not None
    assert "tomorrow" in request.phrase


def test_a_stream_name_is_not_taken_into_an_unreadable_date() -> None:
    with pytest.raises(ParseError) as caught:
        parse_request("cam1 9999-12-31", NOW, UTC)
    assert caught.value.reason.startswith("I couldn't read '9999-12-31' as a time")
