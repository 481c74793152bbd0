"""Phrase text -> tokens: numbers, times, dates, words and the few symbols of ranges.

Checks the raw text first (length, control and format characters), then scans once with one
anchored regex whose alternatives are all linear, so no input can make it backtrack badly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from bot.errors import ParseError

MAX_LENGTH = 500
# Real phrases are a handful of tokens; the cap bounds the work of trying rule splits.
MAX_TOKENS = 40
EXAMPLES = ("yesterday", "last 3 days", "Jul 26 10:00-12:00", "since Monday 9am")


class Kind(StrEnum):
    WORD = "word"
    NUM = "num"  # 1 to 8 digits
    UNIX = "unix"  # 9 to 11 digits: Unix seconds
    TIME = "time"  # 15:00, 3:30, 15:00:05
    ISO = "iso"  # 2013-02-12, 2013-02-12t04:30:00+09:00
    SLASHDATE = "slashdate"  # 2/12, 2/12/2013, 2013/2/12, 12.02.2013
    SYM = "sym"  # - .. + /
    OFFSET = "offset"  # utc+8, gmt-03:30 (one token, so the '-' is not read as a range)


class Token(NamedTuple):
    # A named tuple, not a dataclass: tokens are made, hashed (rule caches) and compared often.
    kind: Kind
    text: str

    @property
    def number(self) -> int:
        return int(self.text)


_SCAN = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:z|[+-]\d{2}:?\d{2})?"
    r"|\d{4}-\d{2}-\d{2})"
    r"|(?P<slashdate>\d{4}[/.]\d{1,2}[/.]\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{4}|/\d{2})?|\d{1,2}\.\d{1,2}\.\d{4})"
    r"|(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"|(?P<num>\d+)"
    r"|(?P<offset>(?:utc|gmt)[+-]\d{1,2}(?::?\d{2})?)"
    r"|(?P<word>[a-z]+(?:['_][a-z]+)*)"
    r"|(?P<sym>\.\.|[-+/])"
    r"|(?P<space>[\s,]+)"
)
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-", "\u00a0": " "})
_MERIDIEM = re.compile(r"\b([ap])\.m\.?")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # Cc but tab, newline, return
_TRAILING = "?!.;:"
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UNIT_NAMES = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_UNIT_SPELLINGS = {
    "w": "weeks?|wks?|w",
    "d": "days?|d",
    "h": "hours?|hrs?|h",
    "m": "minutes?|mins?|m",
}


def _amount_pattern(n: int) -> str:
    units = "|".join(f"(?P<{key}{n}>{names})" for key, names in _UNIT_SPELLINGS.items())
    return rf"(?P<count{n}>\d{{1,4}}(?:\.\d{{1,2}})?) ?(?:{units})(?![a-z])"


# One amount with a fraction, or two amounts in a row ("2h30m", "1 day 21 hours").
_AMOUNTS = re.compile(
    r"(?<![\d.:/a-z])" + _amount_pattern(1) + r"(?: (?:and )?|,? ?)?(?:" + _amount_pattern(2) + ")?"
)


def _amount(match: re.Match[str]) -> str:
    """A fractional or composite amount as a whole count of the largest unit, no larger than
    the smallest unit written, that holds it exactly ("1.5 hours" -> "90 minutes",
    "1 day 21 hours" -> "45 hours", "2h30m" -> "150 minutes")."""
    if match.group("count2") is None and "." not in match.group("count1"):
        return match.group()  # a plain amount: the rules read it as written
    total = 0.0
    smallest = "w"
    for n in (1, 2):
        count = match.group(f"count{n}")
        if count is None:
            continue
        unit = next(key for key in _UNIT_SPELLINGS if match.group(f"{key}{n}"))
        total += float(count) * _UNIT_SECONDS[unit]
        if _UNIT_SECONDS[unit] < _UNIT_SECONDS[smallest]:
            smallest = unit
    seconds = round(total)
    for key, size in _UNIT_SECONDS.items():
        if size <= _UNIT_SECONDS[smallest] and seconds % size == 0:
            return f"{seconds // size} {_UNIT_NAMES[key]}"
    return f"{seconds} seconds"


Replacement = str | Callable[[re.Match[str]], str]

# Spellings rewritten to the one the rules read (docs/time-phrases.md, "Spellings"). Each
# pattern is linear (no nested repeats), so hostile input stays cheap.
_SPELLINGS: tuple[tuple[str, Replacement], ...] = (
    (r"(?<=\d)([ap])(?![a-z])", r"\1m"),  # 7a, 3:18p -> 7am, 3:18pm
    (r"(?<![\d:])(\d{1,2})h(\d{2})(?![\d:])", r"\1:\2"),  # 15h30, 16h00 -> 15:30
    (r"(\d:\d\d ?(?:-|to|until|till) ?)(\d{1,2})h(?![a-z\d])", r"\1\2:00"),  # 9:30-11h
    (r"(?<![\d:])(\d{1,2})-?ish(?![a-z])", r"\1 o'clock"),  # 3ish
    (r"(?<=[a-z\d])-?ish(?![a-z])", ""),  # afternoonish, 2:30ish
    (
        r"(?<![a-z])(?:ish|about|around|approximately|approx|roughly|circa|ca)(?![a-z'])",
        " ",
    ),
    (r"(?<![a-z])week-end", "weekend"),
    (r"(?<![a-z])wkend", "weekend"),
    (r"(?<![a-z])(?:a |one )?fortnight", "2 weeks"),
    (r"[@()\[\]]", " "),  # "@ 3pm", "9 am (BST)"
    (r"(?<![a-z])in between(?![a-z])", "between"),
    (r"(?<![a-z])week end(?![a-z])", "weekend"),
    (r"(?<![a-z])mid day(?![a-z])", "midday"),
    (r"(?<![a-z])tonite(?![a-z])", "tonight"),
    (r"(?<![a-z])untill?(?![a-z])", "until"),
    (r"(?<![a-z])qtr(?![a-z])", "quarter"),
    (r"(?<=[\d a-z])a m(?![a-z])", "am"),  # "nine fifty nine a m"
    (r"(?<=[\d a-z])p m(?![a-z])", "pm"),
    (
        r"(?<![a-z])(twenty|thirty|forty|fifty)-(?=one|two|three|four|five|six|seven|eight|nine)",
        r"\1 ",
    ),
    (r"(?<![a-z])(?:at |by )?the (eo[dwmy]|bo[my])(?![a-z])", r"\1"),
    (r"(?<![a-z])(?:a |one )?half an? hour(?![a-z])", "30 minutes"),
    (r"(?<![a-z])(?:a )?quarter of an? hour(?![a-z])", "15 minutes"),
    (r"(?<![a-z])three[- ]quarters? of an? hour(?![a-z])", "45 minutes"),
    (
        r"(?<![\d/])([13])/([24]) ?h(?:ours?)?(?![a-z])",
        lambda m: f"{60 * int(m.group(1)) // int(m.group(2))} minutes",
    ),
    (r"(?<![a-z])(\d+) more (?=[a-z])", r"\1 "),
    (r"(?<=\d) in the (am|pm)(?![a-z])", r" \1"),  # 3 in the AM
    (r"(?<![a-z])a (few|couple)(?: of)?(?![a-z])", r"\1"),  # a few days
    (r"(?<![a-z])couple of(?![a-z])", "couple"),
    (
        (
            r"(?<![a-z\d])(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|few|couple)"
            r" (upcoming|coming|next|last|past)(?= [a-z])"
        ),
        r"\2 \1",
    ),  # "two upcoming days" -> "upcoming two days"
    (
        (
            r"(?<![a-z])(twenty|thirty)[- ](?=first|second|third|fourth|fifth|sixth"
            r"|seventh|eighth|ninth)"
        ),
        r"\1",
    ),  # twenty-first -> twentyfirst
)

_ANY_SPELLING = re.compile("|".join(f"(?:{pattern})" for pattern, _ in _SPELLINGS))


@cache
def _compiled_spellings() -> tuple[tuple[re.Pattern[str], Replacement], ...]:
    """The spellings compiled on first need: most phrases have none (a fresh process that reads
    one such phrase does not compile thirty patterns)."""
    return tuple((re.compile(pattern), replacement) for pattern, replacement in _SPELLINGS)


def normalize(phrase: str) -> str:
    """Lower-case text with unicode dashes as '-', 'a.m.' as 'am', trailing punctuation off."""
    if not phrase.strip():
        raise ParseError("There is no time phrase to read", EXAMPLES)
    if len(phrase) > MAX_LENGTH:
        raise ParseError(
            f"That is {len(phrase)} characters; a time phrase may have at most {MAX_LENGTH}",
            EXAMPLES,
        )
    # Printable ASCII (and tab, newline, return) holds no such character: most phrases.
    if not (phrase.isascii() and _ASCII_CONTROL.search(phrase) is None):
        for char in phrase:
            if char in "\t\n\r":
                continue
            if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
                raise ParseError(
                    f"The phrase contains an invisible or control character (U+{ord(char):04X})",
                    EXAMPLES,
                )
    text = phrase.translate(_DASHES).lower()
    if ".m" in text:  # what _MERIDIEM needs
        text = _MERIDIEM.sub(r"\1m", text)
    text = _AMOUNTS.sub(_amount, text)
    if _ANY_SPELLING.search(text):  # most phrases need none: one scan instead of thirty
        for pattern, replacement in _compiled_spellings():
            text = pattern.sub(replacement, text)
    return text.strip().rstrip(_TRAILING).strip()


_KINDS = {kind.value: kind for kind in Kind}


def tokenize(text: str) -> tuple[Token, ...]:
    """Tokens of normalized text; anything else (emoji, letters outside a-z) is an error."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _SCAN.match(text, position)
        if match is None:
            bad = text[position]
            raise ParseError(f"I couldn't read {bad!r} in a time phrase", EXAMPLES)
        position = match.end()
        kind = match.lastgroup or "space"
        value = match.group()
        if kind == "space":
            continue
        if kind == "num":
            if len(value) > 11:
                raise ParseError(f"The number {value[:12]}… is too long to be a time", EXAMPLES)
            tokens.append(Token(Kind.UNIX if len(value) >= 9 else Kind.NUM, value))
        else:
            tokens.append(Token(_KINDS[kind], value))
        if len(tokens) > MAX_TOKENS:
            raise ParseError("That is too long to be a time phrase", EXAMPLES)
    if not tokens:
        raise ParseError("There is no time phrase to read", EXAMPLES)
    return tuple(tokens)
