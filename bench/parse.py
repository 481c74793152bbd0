"""Time-phrase figures: how much of the corpus is read exactly (and every reject row refused),
warm parse over the whole corpus (p50/p99 per phrase), the wall time of `recbot parse
"yesterday"` as a fresh process, and the time to refuse a long hostile input.

    .venv/bin/python bench/parse.py
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, tzinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._installed import compile_like_an_install  # noqa: E402
from bot.errors import ParseError  # noqa: E402
from bot.timephrase import parse_phrase  # noqa: E402
from tests.support.environment import scrubbed_environ  # noqa: E402
from tests.support.time_corpus import Row, exact_window, load, zone_of  # noqa: E402

ROUNDS = 5
FRESH_RUNS = 5


def corpus() -> list[tuple[Row, datetime, tzinfo]]:
    return [(row, datetime.fromisoformat(row.now), zone_of(row.zone)) for row in load()]


def correctness() -> tuple[int, int, int, int]:
    """(rows read exactly, rows with a window, reject rows refused, reject rows)."""
    exact = windows = refused = rejects = 0
    for row, now, zone in corpus():
        try:
            window = parse_phrase(row.phrase, now, zone)
        except ParseError:
            window = None
        if row.error is not None:
            rejects += 1
            refused += window is None
        else:
            windows += 1
            exact += window is not None and exact_window(row, window)
    return exact, windows, refused, rejects


def warm_parse_ms() -> tuple[float, float, int]:
    """p50 and p99 per phrase in milliseconds, over ROUNDS passes after one warm-up pass."""
    rows = [(row.phrase, now, zone) for row, now, zone in corpus()]
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
    """Median wall time of `recbot parse "yesterday"` in a new interpreter (no recbot settings
    inherited from the machine)."""
    compile_like_an_install()
    command = [sys.executable, "-m", "bot", "parse", "--now", "2013-02-12T04:30:00Z", "yesterday"]
    walls = []
    for _ in range(FRESH_RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=scrubbed_environ(), check=True, capture_output=True)
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
    exact, windows, refused, rejects = correctness()
    p50, p99, count = warm_parse_ms()
    wall = fresh_process_s()
    hostile = hostile_ms()
    share = exact / windows
    return [
        (
            f"corpus rows read to the exact window ({windows} rows)",
            "≥ 95%",
            f"{share:.1%} ({exact})",
            share >= 0.95,
        ),
        (f"corpus reject rows refused ({rejects} rows)", "all", str(refused), refused == rejects),
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
