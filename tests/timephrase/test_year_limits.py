"""Dates outside the years recbot reads (1970-2100) are a clear refusal, never a traceback."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.errors import ParseError
from bot.timephrase import parse_phrase

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "phrase", ["9999-12-31", "31/12/9999", "1969-12-31", "in 9000 years", "8000 years ago"]
)
def test_phrase_outside_the_readable_years_is_refused(phrase: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phrase(phrase, NOW, UTC)
    assert "1970" in caught.value.reason
    assert "2100" in caught.value.reason


@pytest.mark.parametrize("now", [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)])
def test_reference_time_outside_the_readable_years_is_refused(now: datetime) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phrase("yesterday", now, UTC)
    assert "reference time" in caught.value.reason


def test_parse_far_date_exits_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--now", "2026-07-27T10:00:00+00:00", "9999-12-31"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "2100" in err


def test_ask_with_year_one_now_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--now", "0001-01-01T00:00:00", "yesterday"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "1970" in captured.err + captured.out


def test_batch_goes_on_after_a_far_date(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("9999-12-31\nyesterday\n"))
    assert main(["parse", "--now", "2026-07-27T10:00:00+00:00"]) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [set(line) for line in lines] == [
        {"phrase", "error"},
        {"phrase", "start", "end", "description"},
    ]
