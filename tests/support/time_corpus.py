"""The time-phrase corpus, tests/timephrase/corpus.jsonl, as rows: read by its test
(tests/timephrase/test_corpus.py) and by the parse bench (bench/parse.py), which counts the
share of rows read exactly.

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

from bot.timephrase import Window

CORPUS = Path(__file__).resolve().parent.parent / "timephrase" / "corpus.jsonl"


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


def _stamp(moment: datetime | None) -> float | None:
    # Timestamps, not ==: PEP 495 makes an ambiguous local time unequal to every other zone.
    return None if moment is None else moment.timestamp()


def _instant(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def exact_window(row: Row, window: Window) -> bool:
    """Whether `window` is the row's expected window: the same instants, and each end in the
    offset the row gives (ends are in the asker's zone)."""
    if (_stamp(window.start), _stamp(window.end)) != (_instant(row.start), _instant(row.end)):
        return False
    return all(
        got.utcoffset() == datetime.fromisoformat(text).utcoffset()
        for got, text in ((window.start, row.start), (window.end, row.end))
        if got is not None and text is not None
    )
