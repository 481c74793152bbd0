"""Run every benchmark in bench/ and print one table: figure, target, measured, pass.

Each `bench/<name>.py` (owned by the engineer of that part) offers
`run() -> list[tuple[figure, target, measured, passed]]`; this runner imports them in name
order, calls `run()`, and prints every row. Usage, from the repository root:

    .venv/bin/python bench/run.py              # aligned text table
    .venv/bin/python bench/run.py --markdown   # the table the README shows
    .venv/bin/python bench/run.py ratelimit    # only bench/ratelimit.py
    .venv/bin/python bench/run.py --readme     # also put the table into README.md

Exit status 1 if any figure misses its target or a bench fails to run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parent
_NOT_BENCHES = frozenset({"run", "__init__", "conftest"})


@dataclass(frozen=True)
class Row:
    bench: str
    figure: str
    target: str
    measured: str
    passed: bool


def bench_modules(directory: Path, only: Sequence[str] = ()) -> list[Path]:
    paths = sorted(
        p
        for p in directory.glob("*.py")
        if p.stem not in _NOT_BENCHES and not p.stem.startswith("_")
    )
    return [p for p in paths if not only or p.stem in only]


def _load(path: Path) -> ModuleType:
    # Imported by its plain name with bench/ on sys.path, so a bench that hands work to
    # spawned processes (which re-import it by name) works as when run on its own.
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    loaded = sys.modules.get(path.stem)
    if loaded is not None and getattr(loaded, "__file__", None) != str(path):
        del sys.modules[path.stem]  # same name from another directory (the runner's tests)
    return importlib.import_module(path.stem)


def run_bench(path: Path) -> list[Row]:
    """Rows of one bench; a bench that crashes or returns nonsense is one failing row."""
    try:
        module = _load(path)
        run = getattr(module, "run", None)
        if not callable(run):
            return []  # a helper module, not a bench
        rows = [
            Row(path.stem, str(figure), str(target), str(measured), bool(passed))
            for figure, target, measured, passed in run()
        ]
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [Row(path.stem, f"{path.stem} (did not run)", "runs", type(exc).__name__, False)]
    return rows


def collect(directory: Path = BENCH_DIR, only: Sequence[str] = ()) -> list[Row]:
    rows: list[Row] = []
    for path in bench_modules(directory, only):
        started = time.perf_counter()
        rows.extend(run_bench(path))
        print(f"bench {path.stem}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return rows


_HEADER = ("figure", "target", "measured", "pass")


def _cells(row: Row) -> tuple[str, str, str, str]:
    return (row.figure, row.target, row.measured, "✓" if row.passed else "✗")


def format_text(rows: Sequence[Row]) -> str:
    table = [_HEADER, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(_HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(rows: Sequence[Row]) -> str:
    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = ["| " + " | ".join(_HEADER) + " |", "|---|---|---|:-:|"]
    lines += ["| " + " | ".join(escape(c) for c in _cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def report(rows: Sequence[tuple[str, str, str, bool]]) -> int:
    """What a bench does when run on its own: print this table; exit 1 if a figure missed."""
    bench = Path(sys.argv[0]).stem
    table = [Row(bench, str(f), str(t), str(m), bool(ok)) for f, t, m, ok in rows]
    print(format_text(table))
    return 0 if all(r.passed for r in table) else 1


README = BENCH_DIR.parent / "README.md"
_TABLE_START, _TABLE_END = "<!-- bench-table -->", "<!-- /bench-table -->"


def replace_readme_table(readme: str, table: str, stamp: str) -> str:
    """The README text with the table between the bench-table markers replaced."""
    start = readme.index(_TABLE_START) + len(_TABLE_START)
    end = readme.index(_TABLE_END, start)
    return f"{readme[:start]}\n{table}\n\n_{stamp}_\n{readme[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run recbot's benchmarks; print one table.")
    parser.add_argument("only", nargs="*", help="bench names to run (default: all)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--readme", action="store_true", help="also write the table into README.md")
    parser.add_argument("--dir", type=Path, default=BENCH_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    rows = collect(args.dir, args.only)
    if not rows:
        print("no benchmark offered a run() in", args.dir, file=sys.stderr)
        return 1
    print(format_markdown(rows) if args.markdown else format_text(rows))
    if args.readme:
        stamp = time.strftime("measured %Y-%m-%d %H:%M UTC", time.gmtime())
        README.write_text(
            replace_readme_table(README.read_text(encoding="utf-8"), format_markdown(rows), stamp),
            encoding="utf-8",
        )
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
