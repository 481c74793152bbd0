"""Hostile input: markup, entities, huge text, control and odd Unicode characters are escaped
or rejected with a clear error, never echoed raw and never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ParseError
from bot.request import MAX_LENGTH, clean_text, parse_request, safe_fragment

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def assert_inert(message: str) -> None:
    assert not set("<>&") & set(message)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in message)


@pytest.mark.parametrize(
    "text",
    [
        "<!channel>",
        "<!everyone> yesterday",
        "&lt;!channel&gt;",
        "&lt;",
        "stream:<!here>",
        "a" * 10_000,
        "livetest " * 60,
        "livetest\x00yesterday",
        "livetest\x1b[31m yesterday",
        "livetest\u202eyadretsey",  # right-to-left override
        "live\u200btest yesterday",  # zero-width space
        "livetest\ufeff",
        "\x7f",
        "stream:<script>alert(1)</script>",
        "'; DROP TABLE digests; --",
        "{{7*7}} ${jndi:ldap://x}",
    ],
)
def test_hostile_input_is_rejected_with_an_inert_message(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_request(text, NOW, UTC)
    assert_inert(caught.value.user_message)
    assert len(caught.value.user_message) < 400


def test_too_long_is_refused_before_any_work() -> None:
    with pytest.raises(ParseError, match="too long"):
        parse_request("x" * 10_000, NOW, UTC)
    with pytest.raises(ParseError, match="too long"):
        parse_request("livetest " * (MAX_LENGTH // 9 + 1), NOW, UTC)
    assert parse_request("livetest " * 10, NOW, UTC).filters.streams == ("livetest",)


def test_control_characters_name_the_code_point() -> None:
    with pytest.raises(ParseError, match="U\\+0000"):
        parse_request("livetest\x00", NOW, UTC)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("ｌｉｖｅｔｅｓｔ　ｙｅｓｔｅｒｄａｙ", "livetest yesterday"),  # full width folds
        ("<@U123> <http://a.example|a.example>", "a.example"),
        ("<mailto:ops@example.com|ops@example.com>", "ops@example.com"),
        ("<#C0123|ops-team>", "#ops-team"),
        ("<!subteam^S0123|@oncall>", "@oncall"),
        ("<!channel>", "@channel"),
        ("a &amp; b", "a & b"),
        ("what\u2019s up", "what's up"),
    ],
)
def test_slack_markup_turns_back_into_what_was_typed(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


def test_safe_fragment_defangs_markup_and_shortens() -> None:
    assert safe_fragment("<!channel>") == "‹!channel›"
    assert safe_fragment("x" * 100).endswith("…")
    assert len(safe_fragment("x" * 100)) == 40
    assert safe_fragment("a\x00b") == "a?b"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_understood_or_refused_cleanly(text: str) -> None:
    try:
        request = parse_request(text, NOW, UTC)
    except ParseError as error:
        assert_inert(error.user_message)
        return
    assert parse_request(request.raw, NOW, UTC) == request
    for value in request.filters.streams + request.filters.apps + request.filters.domains:
        assert not set("<>&") & set(value)
