"""Fuzzing the request parser with hypothesis: any text becomes a Request or a ParseError,
quickly, and a phrase it finds is read by the time-phrase engine or refused the same way.
(`POST /slack/events` on the real server is fuzzed in tests/slack/test_slack_fuzz_events.py.)"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ParseError
from bot.request import Request, parse_request
from bot.timephrase.parse import parse_phrase

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

# Text a person (or an attacker) can type: any Unicode, with control characters, Slack
# markup and the words the grammar knows mixed in so deeper paths are reached.
_WORDS = st.sampled_from(
    [
        "yesterday",
        "last",
        "3",
        "days",
        "stream:",
        "app=",
        "domain:",
        "running",
        "scheduled",
        "export",
        "chart",
        "stats",
        "digest",
        "daily",
        "09:00",
        "<!channel>",
        "<@U1>",
        "<#C1|x>",
        "did",
        "record",
        "?",
        "next",
        "week",
        "Jul",
        "26",
        "10:00-12:00",
        "UTC+9",
        "now",
        "-",
        "&amp;",
        "\u202e",
        "\x00",
        "\n",
        "ago",
        "between",
        "and",
        "2026-07-26",
        "a.push.example",
    ]
)
REQUEST_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=25).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3000, max_size=5000),
)


@pytest.fixture(scope="module", autouse=True)
def _warm_parsers() -> None:
    """The per-example deadline catches a pathological input, not the one-time loading of
    dateparser's language data (which the first non-ASCII text in a process pays)."""
    for text in ("26 stats üõÆ", "cam1 yesterday", "последние 2 дня"):
        with contextlib.suppress(ParseError):
            request = parse_request(text, NOW, UTC)
            if request.phrase:
                parse_phrase(request.phrase, NOW, UTC)


@settings(max_examples=400, deadline=timedelta(seconds=1), derandomize=True)
@given(REQUEST_TEXT)
def test_any_text_is_a_request_or_a_parse_error(text: str) -> None:
    try:
        request = parse_request(text, NOW, UTC)
    except ParseError as error:
        message = error.user_message
    else:
        assert isinstance(request, Request)
        if request.phrase:
            with contextlib.suppress(ParseError):
                parse_phrase(request.phrase, NOW, UTC)
        return
    assert message
    assert "Traceback" not in message
