"""The corpus: every row of tests/timephrase/corpus.jsonl is one test case (the row format:
tests/support/time_corpus.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.errors import ParseError
from bot.timephrase import parse_phrase
from tests.support.time_corpus import Row, exact_window, load, zone_of

ROWS = load()


def test_corpus_is_large_and_covers_zones() -> None:
    assert len(ROWS) >= 1500
    zones = {row.zone for row in ROWS}
    assert {"America/New_York", "Europe/Berlin", "Asia/Kathmandu", "+05:45", "UTC"} <= zones
    assert sum(1 for row in ROWS if row.error) >= 40


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
    assert exact_window(row, window), (window.start, window.end, row.start, row.end)
