"""The corpus: every row of tests/timephrase/corpus.jsonl is one test case.

A row has the phrase, the reference `now` (ISO 8601 with offset), the asker's zone (IANA name
or fixed offset like "+05:45") and either the expected `start`/`end` (ISO 8601, null = open
end) or the expected `error` (the reason the user reads).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ParseError
from bot.timephrase import parse_phrase

CORPUS = Path(__file__).with_name("corpus.jsonl")


@dataclass(frozen=True)
class Row:
    phrase: str
    now: str
    zone: str
    start: str | None
    end: str | None
    error: str | None


def zone_of(name: str) -> tzinfo:
    if name[0] in "+-":
        hours, minutes = name[1:].split(":")
        sign = -1 if name[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    return ZoneInfo(name)


def load() -> list[Row]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        rows.append(
            Row(
                raw["phrase"],
                raw["now"],
                raw["zone"],
                raw.get("start"),
                raw.get("end"),
                raw.get("error"),
            )
        )
    return rows


ROWS = load()


def test_corpus_is_large_and_covers_zones() -> None:
    assert len(ROWS) >= 1500
    zones = {row.zone for row in ROWS}
    assert {"America/New_York", "Europe/Berlin", "Asia/Kathmandu", "+05:45", "UTC"} <= zones
    assert sum(1 for row in ROWS if row.error) >= 40


def _stamp(moment: datetime | None) -> float | None:
    # Timestamps, not ==: PEP 495 makes an ambiguous local time unequal to every other zone.
    return None if moment is None else moment.timestamp()


def _instant(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.zone}@{r.now[:16]}:{r.phrase}" for r in ROWS])
def test_phrase(row: Row) -> None:
    zone = zone_of(row.zone)
    now = datetime.fromisoformat(row.now)
    if row.error is not None:
        with pytest.raises(ParseError) as caught:
            parse_phrase(row.phrase, now, zone)
        assert caught.value.reason.endswith(row.error.split(": ", 1)[-1])
        assert caught.value.examples  # every rejection says what works
        return
    window = parse_phrase(row.phrase, now, zone)
    # Compare instants and also the offset each end carries: ends are in the asker's zone.
    assert (_stamp(window.start), _stamp(window.end)) == (_instant(row.start), _instant(row.end))
    for got, text in ((window.start, row.start), (window.end, row.end)):
        if got is not None and text is not None:
            assert got.utcoffset() == datetime.fromisoformat(text).utcoffset()
