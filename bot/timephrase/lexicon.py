"""The words a time phrase may use: weekdays, months, units, parts of day, zones, fillers.

Data only. The lexer and the rules look words up here; `looks_temporal` answers from it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.timephrase.window import Grain

WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("monday", "mon"),
        ("tuesday", "tue", "tues"),
        ("wednesday", "wed", "weds", "wednsday", "wensday"),
        ("thursday", "thu", "thur", "thurs"),
        ("friday", "fri"),
        ("saturday", "sat"),
        ("sunday", "sun"),
    )
):
    for _name in _names:
        WEEKDAYS[_name] = _index
        if len(_name) > 3 and not _name.endswith("s"):
            WEEKDAYS[_name + "s"] = _index  # "mondays"

MONTHS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _index

UNITS: dict[str, Grain] = {}
for _grain, _names in (
    (Grain.SECOND, ("s", "sec", "secs", "second", "seconds")),
    (Grain.MINUTE, ("m", "min", "mins", "minute", "minutes")),
    (Grain.HOUR, ("h", "hr", "hrs", "hour", "hours")),
    (Grain.DAY, ("d", "day", "days")),
    (Grain.WEEK, ("w", "wk", "wks", "week", "weeks")),
    (Grain.MONTH, ("mo", "mos", "month", "months")),
    (Grain.YEAR, ("y", "yr", "yrs", "year", "years")),
):
    for _name in _names:
        UNITS[_name] = _grain

# Days relative to today, as a whole word or several ("the day before yesterday").
RELATIVE_DAYS: dict[str, int] = {
    "today": 0,
    "tdy": 0,
    "yesterday": -1,
    "yday": -1,
    "yest": -1,
    "yesterdy": -1,
    "yesteday": -1,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
    "tomorow": 1,
    "tommorow": 1,
    "tommorrow": 1,
}

# Parts of day as [start hour, end hour) of that day.
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (0, 12),
    "afternoon": (12, 19),
    "evening": (18, 24),
    "night": (18, 24),
    "tonight": (18, 24),
    "lunch": (12, 14),
    "lunchtime": (12, 14),
}
EARLY_MORNING = (0, 9)

COUNT_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple": 2,  # "a couple of days" (read as "couple days")
    "few": 3,  # "next few days": three, settled in docs/time-phrases.md
}

# Minutes spelt out after an hour word: "ten thirty", "twelve oh five", "nine forty five".
MINUTE_TENS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
MINUTE_UNITS: dict[str, int] = {
    name: value
    for name, value in COUNT_WORDS.items()
    if 1 <= value <= 9 and name not in ("a", "an", "couple", "few")
}
# "a quarter past 3", "20 to 2pm": minutes after (+1) or before (-1) the clock time.
CLOCK_SHIFT_WORDS: dict[str, int] = {"past": 1, "after": 1, "to": -1, "till": -1, "before": -1}

# Abbreviations with one meaning; CST (China or US Central) and IST (India or Ireland) are
# refused as ambiguous rather than guessed.
ZONE_ABBREVIATIONS: dict[str, timedelta] = {
    "utc": timedelta(0),
    "gmt": timedelta(0),
    "z": timedelta(0),
    "wet": timedelta(0),
    "west": timedelta(hours=1),
    "bst": timedelta(hours=1),
    "cet": timedelta(hours=1),
    "cest": timedelta(hours=2),
    "eet": timedelta(hours=2),
    "eest": timedelta(hours=3),
    "msk": timedelta(hours=3),
    "est": timedelta(hours=-5),
    "edt": timedelta(hours=-4),
    "cdt": timedelta(hours=-5),
    "mst": timedelta(hours=-7),
    "mdt": timedelta(hours=-6),
    "pst": timedelta(hours=-8),
    "pdt": timedelta(hours=-7),
    "jst": timedelta(hours=9),
    "kst": timedelta(hours=9),
    "hkt": timedelta(hours=8),
    "sgt": timedelta(hours=8),
    "npt": timedelta(hours=5, minutes=45),
    "aest": timedelta(hours=10),
    "aedt": timedelta(hours=11),
    # Settled in docs/time-phrases.md: IST is India's, CST US Central (the common readings).
    "ist": timedelta(hours=5, minutes=30),
    "cst": timedelta(hours=-6),
}
# Generic names follow the region's daylight saving.
GENERIC_ZONES: dict[str, str] = {
    "pt": "America/Los_Angeles",
    "mt": "America/Denver",
    "ct": "America/Chicago",
    "et": "America/New_York",
}
AMBIGUOUS_ZONES: dict[str, str] = {}

ORDINAL_WORDS: dict[str, int] = {
    name: index
    for index, name in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ],
        start=1,
    )
}
ORDINAL_WORDS["thirtieth"] = 30
for _unit, _name in enumerate(("first", "second", "third", "fourth", "fifth", "sixth"), start=1):
    ORDINAL_WORDS[f"twenty{_name}"] = 20 + _unit  # "twenty-first" is written as one word
ORDINAL_WORDS["twentyseventh"] = 27
ORDINAL_WORDS["twentyeighth"] = 28
ORDINAL_WORDS["twentyninth"] = 29
ORDINAL_WORDS["thirtyfirst"] = 31

MERIDIEMS = frozenset({"am", "pm", "a.m", "p.m", "a.m.", "p.m."})
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})

# Words that only make sense inside or around a time phrase.
STRUCTURE_WORDS = frozenset(
    {
        "last",
        "past",
        "previous",
        "prev",
        "next",
        "upcoming",
        "coming",
        "this",
        "current",
        "since",
        "until",
        "till",
        "til",
        "before",
        "after",
        "from",
        "to",
        "through",
        "thru",
        "between",
        "and",
        "by",
        "for",
        "in",
        "ago",
        "at",
        "on",
        "of",
        "the",
        "up",
        "during",
        "over",
        "within",
        "starting",
        "so",
        "far",
        "earlier",
        "rest",
        "all",
        "end",
        "eod",
        "eow",
        "eom",
        "eoy",
        "day",
        "weekend",
        "weekends",
        "week",
        "now",
        "noon",
        "midnight",
        "midday",
        "o'clock",
        "oclock",
        "am",
        "pm",
    }
)
# Not listed although "early morning" and "right now" parse: "stopped early" and "right"
# are ordinary words in requests far more often.

TIME_WORDS: frozenset[str] = frozenset(
    set(WEEKDAYS)
    | set(MONTHS)
    | set(UNITS)
    | set(RELATIVE_DAYS)
    | set(PARTS_OF_DAY)
    | set(COUNT_WORDS) - {"a", "an"}
    | set(ZONE_ABBREVIATIONS) - {"z"}
    | set(AMBIGUOUS_ZONES)
    | set(GENERIC_ZONES)
    | STRUCTURE_WORDS
)

# A token that is, as a whole, a number or a time-ish shape: 3, 3pm, 15:00, 24h, 2d, 8th,
# 2013-02-12, 02/12, 1360643400..1360650000, 10:00-12:00, utc+8. Linear: no nested repeats.
_TEMPORAL_SHAPE = re.compile(
    r"[+-]?\d{1,11}"
    r"(?:[:./-]\d{1,4}){0,2}"
    r"(?:t\d{1,2}(?::\d{2}){1,2}(?:\.\d{1,6})?)?"
    r"(?:z|[+-]\d{2}:?\d{2})?"
    r"(?:am|pm|a\.m\.?|p\.m\.?|st|nd|rd|th|h|hr|hrs|m|min|mins|s|d|w|wk|mo|y|yr|days?|hours?"
    r"|minutes?|weeks?|months?|years?)?"
    r"(?:(?:-|–|—|\.\.)[+-]?\d{1,11}(?:[:./-]\d{1,4}){0,2}(?:am|pm)?)?"
)
_ZONE_OFFSET = re.compile(r"(?:utc|gmt)(?:[+-]\d{1,2}(?::?\d{2})?)?")
_TRAILING = "?,.!;:)("


def looks_temporal(token: str) -> bool:
    """Whether one whitespace-free token can be part of a time phrase.

    Case-insensitive; trailing punctuation is ignored. Ordinary words ("livetest", "cam1",
    "recording") are not temporal, so a request parser can split a stream word off a phrase.
    """
    word = token.strip().lower().strip(_TRAILING)
    if not word:
        return False
    if word in TIME_WORDS or word in ("-", "..", "–", "—"):
        return True
    if _TEMPORAL_SHAPE.fullmatch(word) or _ZONE_OFFSET.fullmatch(word):
        return True
    return "/" in word and word[0].isalpha() and _is_zone_name(word)


def _is_zone_name(word: str) -> bool:
    """IANA names like asia/tokyo; the zone list is read only when a token has a slash."""
    from bot.timephrase.zones import iana_zone

    return iana_zone(word) is not None
