"""Time-phrase figures: warm parse over the whole corpus (p50/p99 per phrase), and the wall
time of `recbot parse "yesterday"` as a fresh process.

    .venv/bin/python bench/parse.py
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "timephrase" / "corpus.jsonl"
sys.path.insert(0, str(ROOT))

from bot.errors import ParseError  # noqa: E402
from bot.timephrase import parse_phrase  # noqa: E402

ROUNDS = 5
FRESH_RUNS = 5


def _zone(name: str) -> tzinfo:
    if name[0] in "+-":
        hours, minutes = name[1:].split(":")
        sign = -1 if name[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    return ZoneInfo(name)


def corpus() -> list[tuple[str, datetime, tzinfo]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        rows.append((raw["phrase"], datetime.fromisoformat(raw["now"]), _zone(raw["zone"])))
    return rows


def warm_parse_ms() -> tuple[float, float, int]:
    """p50 and p99 per phrase in milliseconds, over ROUNDS passes after one warm-up pass."""
    rows = corpus()
    samples: list[float] = []
    for round_index in range(ROUNDS + 1):
        for phrase, now, zone in rows:
            started = time.perf_counter()
            with contextlib.suppress(ParseError):
                parse_phrase(phrase, now, zone)
            elapsed = time.perf_counter() - started
            if round_index:
                samples.append(elapsed * 1000)
    quantiles = statistics.quantiles(samples, n=100)
    return quantiles[49], quantiles[98], len(rows)


def fresh_process_s() -> float:
    """Median wall time of `recbot parse "yesterday"` in a new interpreter."""
    command = [sys.executable, "-m", "bot", "parse", "--now", "2013-02-12T04:30:00Z", "yesterday"]
    walls = []
    for _ in range(FRESH_RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def hostile_ms() -> float:
    """Worst wall time to refuse a long hostile input: 10,000 characters of digits, words and
    separators, and its first 500 (the longest phrase the lexer accepts)."""
    parts = ["12", "monday", "-", "to", "last", "3:30", "the", "of", "june", "ago", ",", ".."]
    text = " ".join(parts[i % len(parts)] for i in range(3000))[:10_000]
    now = datetime(2013, 2, 12, 4, 30, tzinfo=UTC)
    worst = 0.0
    for sample in (text, text[:500], text[:200]):
        started = time.perf_counter()
        with contextlib.suppress(ParseError):
            parse_phrase(sample, now, UTC)
        worst = max(worst, (time.perf_counter() - started) * 1000)
    return worst


def run() -> list[tuple[str, str, str, bool]]:
    p50, p99, count = warm_parse_ms()
    wall = fresh_process_s()
    hostile = hostile_ms()
    return [
        (f"warm parse p50 ({count} corpus phrases)", "≤ 0.2 ms", f"{p50:.3f} ms", p50 <= 0.2),
        (f"warm parse p99 ({count} corpus phrases)", "≤ 2 ms", f"{p99:.3f} ms", p99 <= 2),
        (
            'recbot parse "yesterday", fresh process (median of 5)',
            "≤ 0.3 s",
            f"{wall:.3f} s",
            wall <= 0.3,
        ),
        ("hostile 10,000-character input refused", "≤ 50 ms", f"{hostile:.1f} ms", hostile <= 50),
    ]


if __name__ == "__main__":
    from run import report  # bench/run.py, beside this file

    raise SystemExit(report(run()))
