"""`looks_temporal` splits "livetest yesterday afternoon" into a stream word and a phrase."""

from __future__ import annotations

import pytest

from bot.timephrase import TIME_WORDS, looks_temporal

TEMPORAL = [
    "yesterday",
    "Yesterday?",
    "yday",
    "mon",
    "MONDAY",
    "jul",
    "3pm",
    "15:00",
    "24h",
    "2d",
    "today",
    "last",
    "next",
    "past",
    "since",
    "until",
    "ago",
    "in",
    "for",
    "from",
    "to",
    "between",
    "and",
    "this",
    "morning",
    "afternoon.",
    "2013-02-12",
    "2/12",
    "1360643400..1360650000",
    "10:00-12:00",
    "3-4pm",
    "utc+8",
    "CET",
    "8th",
    "asia/tokyo",
    "America/Argentina/Buenos_Aires",
    "weekend",
    "eod",
    "noon",
    "1360643400",
]
ORDINARY = [
    "livetest",
    "cam1",
    "recording",
    "recordings",
    "stream:a",
    "5000.live.push.com",
    "did",
    "record",
    "what's",
    "anything",
    "stopped",
    "early?",
    "blursday",
    "asdf",
    "live-1",
    "abc123",
    "",
    "mars/phobos",
]


@pytest.mark.parametrize("token", TEMPORAL)
def test_time_tokens_are_temporal(token: str) -> None:
    assert looks_temporal(token)


@pytest.mark.parametrize("token", ORDINARY)
def test_ordinary_words_are_not(token: str) -> None:
    assert not looks_temporal(token)


def test_time_words_hold_only_lower_case_words() -> None:
    assert all(word == word.lower() and " " not in word for word in TIME_WORDS)
    assert "livetest" not in TIME_WORDS
