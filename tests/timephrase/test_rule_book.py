"""docs/time-phrases.md is the rule book: every row of its tables is backed by at least one
corpus row, matched by a phrase the row quotes ("…" or `…`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULE_BOOK = ROOT / "docs/time-phrases.md"
CORPUS = Path(__file__).with_name("corpus.jsonl")
_QUOTED = re.compile(r"\"([^\"]+)\"|`([^`]+)`")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _rows() -> list[str]:
    rows = []
    for line in RULE_BOOK.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not line.startswith("|---") and "phrase form" not in line:
            if line.startswith("| question |"):
                continue
            rows.append(line)
    return rows


PHRASES = {
    _norm(json.loads(line)["phrase"]) for line in CORPUS.read_text(encoding="utf-8").splitlines()
}
ROWS = _rows()


def test_rule_book_has_tables() -> None:
    assert len(ROWS) >= 60


@pytest.mark.parametrize("row", ROWS, ids=[row.split("|")[1].strip()[:50] for row in ROWS])
def test_row_is_backed_by_the_corpus(row: str) -> None:
    quoted = [_norm(a or b) for a, b in _QUOTED.findall(row)]
    # Quotes may hold several phrasings split by " / " or ", ".
    candidates = set(quoted)
    for text in quoted:
        candidates.update(part.strip() for part in re.split(r" / |, ", text))
    assert candidates & PHRASES, f"no corpus row for any of {sorted(candidates)[:6]}"
