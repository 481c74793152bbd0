"""phrase + now + zone -> Window: lex, try the forms in order, describe the result."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, tzinfo
from functools import lru_cache

from bot.errors import ParseError
from bot.timephrase.describe import describe
from bot.timephrase.forms import FORMS, Form, Reader
from bot.timephrase.lexer import EXAMPLES, Kind, Token, normalize, tokenize
from bot.timephrase.lexicon import ORDINAL_SUFFIXES, TIME_WORDS
from bot.timephrase.limits import check_now, out_of_years, within_years
from bot.timephrase.near import near_reading
from bot.timephrase.order import DateOrder
from bot.timephrase.resolve import Context
from bot.timephrase.window import Window
from bot.timephrase.zones import before


def parse_phrase(
    phrase: str, now: datetime, zone: tzinfo, order: DateOrder = DateOrder.MDY
) -> Window:
    """The window `phrase` means at `now` in `zone`, or ParseError saying what was not read.

    `now` must be aware; the window's ends are in `zone` (None = open end). `order` reads
    numeric dates ("3/8"); under DMY a phrase with one says "dates read day/month".
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    check_now(now)
    text = normalize(phrase)
    label = " ".join(phrase.split()).rstrip("?!.;:")
    tokens = tokenize(text)
    ctx = Context(now.astimezone(zone), zone)
    try:
        window = _first_reading(tokens, text, ctx, label, order)
    except ParseError as error:
        reason = f"I couldn't read '{label}' as a time: {error.reason}"
        near = near_reading(label, tokens, lambda guess: _reads(guess, ctx, order))
        if near is not None:
            reason += f"; did you mean '{near}'?"
        raise ParseError(reason, EXAMPLES) from None
    if order is DateOrder.DMY and _has_numeric_date(tokens, text):
        window = replace(window, description=f"{window.description} · {DAY_MONTH_NOTE}")
    return window


DAY_MONTH_NOTE = "dates read day/month"


_DASHED_DATE = re.compile(r"(?<![\d-])\d{1,2}-\d{1,2}-\d{2,4}(?![\d-])")


def _has_numeric_date(tokens: tuple[Token, ...], text: str) -> bool:
    """A date the order decides: "3/8", "8/10/2012", "8-10-2012" (not "2013/02/12" or
    "12.02.2013")."""
    return _DASHED_DATE.search(text) is not None or any(
        t.kind is Kind.SLASHDATE and "/" in t.text and len(t.text.split("/")[0]) <= 2
        for t in tokens
    )


def _reads(phrase: str, ctx: Context, order: DateOrder) -> bool:
    try:
        text = normalize(phrase)
        _first_reading(tokenize(text), text, ctx, phrase, order)
    except ParseError:
        return False
    return True


def _literal_index() -> tuple[dict[str, int], tuple[int, ...]]:
    """Each literal word -> a bit per required literal of a form it satisfies, and each form's
    bits (every required literal is one bit), worked out once from FORMS."""
    bits: dict[str, int] = {}
    needs: list[int] = []
    bit = 1
    for form in FORMS:
        need = 0
        for words in form.required:
            for word in words:
                bits[word] = bits.get(word, 0) | bit
            need |= bit
            bit <<= 1
        needs.append(need)
    return bits, tuple(needs)


_LITERAL_BITS, _FORM_NEEDS = _literal_index()


@lru_cache(maxsize=1024)
def _candidate_forms(have: int) -> tuple[Form, ...]:
    """The forms, in order, whose every required literal is among the phrase's words (`have`:
    the bits its words satisfy). Phrases share few such sets, so each is worked out once."""
    return tuple(form for form, need in zip(FORMS, _FORM_NEEDS, strict=True) if need & ~have == 0)


def _first_reading(
    tokens: tuple[Token, ...], text: str, ctx: Context, label: str, order: DateOrder
) -> Window:
    reader = Reader(tokens, text, order)
    first_error: ParseError | None = None
    have = 0
    for token in tokens:
        have |= _LITERAL_BITS.get(token.text, 0)
    for form in _candidate_forms(have):
        for captures in reader.match(form.pattern):
            try:
                result = form.build(captures, ctx)
            except ParseError as error:
                first_error = first_error or error
                continue
            except (OverflowError, ValueError):  # a date past year 9999 or before year 1
                result = None
            if result is None or not (within_years(result.start) and within_years(result.end)):
                first_error = first_error or out_of_years("That date")
                continue
            if (
                result.start is not None
                and result.end is not None
                and not before(result.start, result.end)
            ):
                first_error = first_error or ParseError("That window is empty", EXAMPLES)
                continue
            return Window(
                start=result.start,
                end=result.end,
                grain=result.grain,
                description=describe(label, result.start, result.end, ctx.now),
                phrase=label,
            )
    if first_error is not None:
        raise first_error
    raise ParseError(f"nothing in it is a date or time I know{_unknown(tokens)}", EXAMPLES)


def _unknown(tokens: tuple[Token, ...]) -> str:
    known = TIME_WORDS | ORDINAL_SUFFIXES | {"a", "an"}
    words = [t.text for t in tokens if t.kind is Kind.WORD and t.text not in known]
    return f" (I don't know '{words[0]}')" if words else ""
