"""Absolute dates in formats the grammar has no rule for ("12-feb-2013", "2013.02.12"),
read by dateparser as the last resort.

dateparser reads instants, not windows, so it is asked only for a full date (day, month and
year; nothing relative) and the grain comes from what the text shows: a clock time gives
minutes (or the hour for "3pm"), else the whole day. Imported lazily: it costs ~0.1 s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.timephrase import pieces as p
from bot.timephrase.lexer import Kind, Token
from bot.timephrase.lexicon import MONTHS, ORDINAL_SUFFIXES, WEEKDAYS
from bot.timephrase.order import DateOrder
from bot.timephrase.window import Grain

_CLOCK = re.compile(r"\d:\d\d(:\d\d)?|\d ?[ap]m\b")
_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
}
# Words a date in some format may carry; anything relative ("last", "ago") is the grammar's.
_DATE_WORDS = (
    frozenset(MONTHS)
    | frozenset(WEEKDAYS)
    | ORDINAL_SUFFIXES
    | {"am", "pm", "of", "the", "at", "on"}
)


def _worth_asking(tokens: Sequence[Token]) -> bool:
    """Only phrases of date words and numbers, one of which may be a year."""
    if any(t.kind is Kind.WORD and t.text not in _DATE_WORDS for t in tokens):
        return False
    return any(t.kind is Kind.NUM and len(t.text) in (2, 4) for t in tokens)


def read_absolute(
    text: str, tokens: Sequence[Token], order: DateOrder = DateOrder.MDY
) -> tuple[p.Piece, ...] | None:
    if not _worth_asking(tokens):
        return None
    import dateparser

    moment = dateparser.parse(
        text, languages=["en"], settings={**_SETTINGS, "DATE_ORDER": str(order)}
    )
    if moment is None:
        return None
    day = p.CalendarDate(moment.month, moment.day, moment.year)
    clock = _CLOCK.search(text)
    if clock is None:
        return (day,)
    grain = (
        Grain.SECOND if clock.group(1) else Grain.MINUTE if ":" in clock.group() else (Grain.HOUR)
    )
    return (day, p.TimeOfDay(moment.hour, moment.minute, moment.second, grain, None, text))
