"""The request language as a table (tests/request/requests.yaml): filters (TaskIds too),
status, phrase, question flag, subcommand, and the specific error for what is not understood."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.errors import ParseError
from bot.filters import Filters
from bot.request import StatusFilter, Subcommand, parse_request
from bot.timephrase import parse_phrase

ROWS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "requests.yaml").read_text(encoding="utf-8")
)
GOOD = [r for r in ROWS if "error" not in r]
BAD = [r for r in ROWS if "error" in r]
NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 150
    assert len({r["text"] for r in ROWS}) == len(ROWS), "duplicate rows"


@pytest.mark.parametrize("row", GOOD, ids=[r["text"][:50] for r in GOOD])
def test_request_is_understood(row: dict[str, Any]) -> None:
    request = parse_request(row["text"], NOW, TOKYO)
    expected_filters = Filters(
        streams=tuple(row.get("streams", ())),
        apps=tuple(row.get("apps", ())),
        domains=tuple(row.get("domains", ())),
        task_ids=tuple(row.get("task_ids", ())),
    )
    assert (
        request.subcommand,
        request.filters,
        request.status,
        request.phrase,
        request.question,
    ) == (
        Subcommand(row.get("sub", "answer")),
        expected_filters,
        StatusFilter(row.get("status", "all")),
        row.get("phrase"),
        row.get("question", False),
    )
    if "digest_args" in row:
        assert request.digest_args == row["digest_args"]


@pytest.mark.parametrize("row", GOOD, ids=[r["text"][:50] for r in GOOD])
def test_raw_reads_back_to_the_same_request(row: dict[str, Any]) -> None:
    """Buttons re-run `raw`: reading it again must give the same request."""
    request = parse_request(row["text"], NOW, TOKYO)
    assert parse_request(request.raw, NOW, TOKYO) == request


UNREADABLE = {"next blursday", "the 35th of Smarch"}
READABLE = [r for r in GOOD if r.get("phrase") and r["phrase"] not in UNREADABLE]


@pytest.mark.parametrize("row", READABLE, ids=lambda r: r["phrase"])
def test_phrase_is_readable_by_the_time_engine(row: dict[str, Any]) -> None:
    window = parse_phrase(row["phrase"], NOW, ZoneInfo("Asia/Tokyo"))
    assert window.start is not None or window.end is not None


@pytest.mark.parametrize("phrase", sorted(UNREADABLE))
def test_unreadable_phrase_is_handed_over_whole_for_its_error(phrase: str) -> None:
    with pytest.raises(ParseError, match=phrase.rsplit(maxsplit=1)[-1]):
        parse_phrase(phrase, NOW, ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize("row", BAD, ids=[r["text"][:50] for r in BAD])
def test_unreadable_request_names_the_part(row: dict[str, Any]) -> None:
    with pytest.raises(ParseError) as caught:
        parse_request(row["text"], NOW, TOKYO)
    message = caught.value.user_message
    assert row["error"] in message
    assert not set("<>") & set(message)


def test_phrase_is_read_at_the_askers_now_and_zone() -> None:
    """R3: whether a phrase reads depends on the asker's `now`, not on a fixed reference day;
    the window is read once and travels on the Request."""
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    request = parse_request("livetest since 2026-10-01", now, UTC)
    assert (request.filters.streams, request.phrase) == (("livetest",), "since 2026-10-01")
    assert request.window == parse_phrase("since 2026-10-01", now, UTC)
    assert request.window is not None
    assert request.window.start == datetime(2026, 10, 1, tzinfo=UTC)
    tokyo_day = parse_request("yesterday", now, TOKYO).window
    assert tokyo_day is not None
    assert tokyo_day.start == datetime(2026, 11, 26, tzinfo=TOKYO)
