"""Hostile input: a clear ParseError with examples, never a traceback, always quickly."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bot.errors import ParseError
from bot.timephrase import parse_phrase

NOW = datetime(2013, 2, 12, 4, 30, tzinfo=UTC)
BAD = {
    "empty": "",
    "blank": "   \t ",
    "too long": "yesterday " * 60,
    "nul": "yester\x00day",
    "control": "yesterday\x1b[31m",
    "rtl mark": "\u200fyesterday",
    "rtl override": "\u202eyadretsey",
    "emoji": "yesterday 🎥",
    "10,000 digits": "9" * 10_000,
    "huge count": "last " + "9" * 400 + " days",
    "regex hostile": "(" * 200 + "a+" * 100 + ")*$",
    "dashes": "1-" * 240,
    "dots": "1.." * 160,
    "many words": " ".join(["last"] * 80),
    "nested ranges": "between " * 20 + "and " * 20,
    "format chars": "to\u200bday",
}


@pytest.mark.parametrize("text", list(BAD.values()), ids=list(BAD))
def test_bad_input_is_rejected_quickly(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        parse_phrase(text, NOW, UTC)
    assert time.perf_counter() - started < 0.25
    assert caught.value.examples
    assert "Traceback" not in caught.value.user_message


@pytest.mark.parametrize("length", [40, 120, 499])
def test_long_phrases_of_real_tokens_stay_fast(length: int) -> None:
    text = ("monday to " * 50)[:length]
    started = time.perf_counter()
    with pytest.raises(ParseError):
        parse_phrase(text, NOW, UTC)
    assert time.perf_counter() - started < 0.25


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_phrase("today", datetime(2013, 2, 12), UTC)
