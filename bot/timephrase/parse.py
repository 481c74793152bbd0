"""phrase + now + zone -> Window: lex, try the forms in order, describe the result."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.errors import ParseError
from bot.timephrase.describe import describe
from bot.timephrase.forms import FORMS, Reader
from bot.timephrase.lexer import EXAMPLES, Kind, Token, normalize, tokenize
from bot.timephrase.lexicon import ORDINAL_SUFFIXES, TIME_WORDS
from bot.timephrase.limits import check_now, out_of_years, within_years
from bot.timephrase.near import near_reading
from bot.timephrase.resolve import Context
from bot.timephrase.window import Window
from bot.timephrase.zones import before


def parse_phrase(phrase: str, now: datetime, zone: tzinfo) -> Window:
    """The window `phrase` means at `now` in `zone`, or ParseError saying what was not read.

    `now` must be aware; the window's ends are in `zone` (None = open end).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    check_now(now)
    text = normalize(phrase)
    label = " ".join(phrase.split()).rstrip("?!.;:")
    tokens = tokenize(text)
    ctx = Context(now.astimezone(zone), zone)
    try:
        return _first_reading(tokens, text, ctx, label)
    except ParseError as error:
        reason = f"I couldn't read '{label}' as a time: {error.reason}"
        near = near_reading(label, tokens, lambda guess: _reads(guess, ctx))
        if near is not None:
            reason += f"; did you mean '{near}'?"
        raise ParseError(reason, EXAMPLES) from None


def _reads(phrase: str, ctx: Context) -> bool:
    try:
        text = normalize(phrase)
        _first_reading(tokenize(text), text, ctx, phrase)
    except ParseError:
        return False
    return True


# Each form with the literal words it needs, worked out once.
_FORMS = [(form, form.required) for form in FORMS]


def _first_reading(tokens: tuple[Token, ...], text: str, ctx: Context, label: str) -> Window:
    reader = Reader(tokens, text)
    first_error: ParseError | None = None
    present = frozenset(t.text for t in tokens)
    for form, required in _FORMS:
        if any(words.isdisjoint(present) for words in required):
            continue  # a word the form needs is not in the phrase
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
