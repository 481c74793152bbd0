"""A refusal offers a near reading when one exists, and never reads the guess."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import ParseError
from bot.timephrase import parse_phrase

NOW = datetime(2013, 2, 12, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("end of teh month", "end of the month"),
        ("yestreday", "yesterday"),
        ("lst week", "last week"),
        ("febuary 8", "february 8"),
    ],
)
def test_refusal_offers_the_near_reading(typed: str, offered: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phrase(typed, NOW, UTC)
    assert caught.value.reason.endswith(f"did you mean '{offered}'?")
    parse_phrase(offered, NOW, UTC)  # what is offered reads


@pytest.mark.parametrize("typed", ["asdf", "laughing out loud", "next blursday zzz"])
def test_no_offer_without_a_reading(typed: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phrase(typed, NOW, UTC)
    assert "did you mean" not in caught.value.reason
