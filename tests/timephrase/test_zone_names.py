"""Only real places and real offsets are zones: not tzdata's 'Factory' or 'localtime'."""

from __future__ import annotations

import pytest

from bot.errors import ParseError
from bot.timephrase.zones import read_zone


@pytest.mark.parametrize(
    "text", ["Factory", "localtime", "posixrules", "+14:01", "-12:30", "+05:07", "UTC+15"]
)
def test_not_a_zone(text: str) -> None:
    with pytest.raises(ParseError):
        read_zone(text)


@pytest.mark.parametrize("text", ["Asia/Kathmandu", "UTC", "+14:00", "-12:00", "+05:45", "GMT-3"])
def test_zone(text: str) -> None:
    assert read_zone(text) is not None
