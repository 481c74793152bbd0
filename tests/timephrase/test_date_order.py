"""Numeric dates under both orders (RECBOT_DATE_ORDER): docs/time-phrases.md, "More decisions"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.timephrase import DateOrder, parse_phrase

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

CASES = [
    # phrase, order, (year, month, day) of the window's start
    ("8/10/2012", DateOrder.MDY, (2012, 8, 10)),
    ("8/10/2012", DateOrder.DMY, (2012, 10, 8)),
    ("8-10-2012", DateOrder.MDY, (2012, 8, 10)),
    ("8-10-2012", DateOrder.DMY, (2012, 10, 8)),
    ("25/12/2025", DateOrder.MDY, (2025, 12, 25)),
    ("25/12/2025", DateOrder.DMY, (2025, 12, 25)),
    ("3/8/2026 at 5pm", DateOrder.DMY, (2026, 8, 3)),
    ("3/8/2026 at 5pm", DateOrder.MDY, (2026, 3, 8)),
    ("2013/02/12", DateOrder.DMY, (2013, 2, 12)),
    ("12.02.2013", DateOrder.MDY, (2013, 2, 12)),
]


@pytest.mark.parametrize(("phrase", "order", "day"), CASES)
def test_numeric_date_is_read_in_the_order(
    phrase: str, order: DateOrder, day: tuple[int, int, int]
) -> None:
    window = parse_phrase(phrase, NOW, UTC, order)
    assert window.start is not None
    assert (window.start.year, window.start.month, window.start.day) == day


def test_month_day_is_the_default() -> None:
    window = parse_phrase("3/8/2026", NOW, UTC)
    assert window.start is not None
    assert (window.start.month, window.start.day) == (3, 8)
    assert "day/month" not in window.description


@pytest.mark.parametrize("phrase", ["3/8/2026", "8-10-2012", "since 25/12/2025"])
def test_day_month_is_said_when_a_numeric_date_was_read(phrase: str) -> None:
    window = parse_phrase(phrase, NOW, UTC, DateOrder.DMY)
    assert window.description.endswith("· dates read day/month")


@pytest.mark.parametrize("phrase", ["yesterday", "2013/02/12", "12.02.2013", "3-5pm"])
def test_day_month_is_not_said_without_such_a_date(phrase: str) -> None:
    window = parse_phrase(phrase, NOW, UTC, DateOrder.DMY)
    assert "day/month" not in window.description


def test_an_impossible_day_month_date_is_refused() -> None:
    from bot.errors import ParseError

    with pytest.raises(ParseError):
        parse_phrase("8/13/2026", NOW, UTC, DateOrder.DMY)


def test_recbot_parse_reads_the_workspace_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse
    import io

    from bot.commands import parse as command

    monkeypatch.setenv("RECBOT_DATE_ORDER", "DMY")
    now, zone, order = command._choose(argparse.Namespace(now=NOW.isoformat(), tz="UTC"))
    out = io.StringIO()
    assert command.show("3/8/2026", now, zone, as_json=False, out=out, order=order) == 0
    assert "Aug 3" in out.getvalue()
    assert "dates read day/month" in out.getvalue()


def test_the_setting_takes_any_case_and_refuses_other_orders() -> None:
    from bot.config import load_settings
    from bot.errors import ConfigError

    assert load_settings(recbot_date_order=" dmy").recbot_date_order == "DMY"
    assert load_settings().recbot_date_order == "MDY"
    with pytest.raises(ConfigError, match="RECBOT_DATE_ORDER"):
        load_settings(recbot_date_order="YMD")
