"""Rules that read the pieces of a point in time from tokens, as data: each names its pattern,
what it builds and the examples it handles (Duckling style). `read_point` applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache

from bot.errors import ParseError
from bot.timephrase import lexicon as lx
from bot.timephrase import pieces as p
from bot.timephrase.lexer import EXAMPLES, Kind, Token
from bot.timephrase.order import DateOrder
from bot.timephrase.window import Grain
from bot.timephrase.zones import fixed_offset_zone, iana_zone, real_offset

Match = Callable[[Token], bool]


@dataclass(frozen=True)
class Opt:
    """A pattern element that may be absent."""

    match: Match


Element = Match | Opt


def word(*words: str) -> Match:
    wanted = frozenset(words)
    return lambda t: t.kind is Kind.WORD and t.text in wanted


def in_table(table: Collection[str]) -> Match:
    return lambda t: t.kind is Kind.WORD and t.text in table


def num(low: int, high: int, digits: int | None = None) -> Match:
    def match(t: Token) -> bool:
        if t.kind is not Kind.NUM or (digits is not None and len(t.text) != digits):
            return False
        return low <= t.number <= high

    return match


def kind(k: Kind) -> Match:
    return lambda t: t.kind is k


def sym(*texts: str) -> Match:
    wanted = frozenset(texts)
    return lambda t: t.kind is Kind.SYM and t.text in wanted


def count_token(t: Token) -> bool:
    return (t.kind is Kind.NUM) or (t.kind is Kind.WORD and t.text in lx.COUNT_WORDS)


def count_of(t: Token) -> int:
    return t.number if t.kind is Kind.NUM else lx.COUNT_WORDS[t.text]


Build = Callable[[Sequence[Token]], tuple[p.Piece, ...]]


@dataclass(frozen=True)
class PieceRule:
    """A rule that reads pieces from a pattern of tokens."""

    name: str
    pattern: tuple[Element, ...]
    build: Build
    examples: tuple[str, ...]


# --- builders -------------------------------------------------------------------------------


def _words(tokens: Sequence[Token]) -> list[str]:
    return [t.text for t in tokens if t.kind is Kind.WORD]


def _first(tokens: Sequence[Token], table: dict[str, int]) -> int:
    return next(table[t.text] for t in tokens if t.kind is Kind.WORD and t.text in table)


def _year(tokens: Sequence[Token]) -> int | None:
    return next((t.number for t in tokens if t.kind is Kind.NUM and len(t.text) == 4), None)


def _day_number(tokens: Sequence[Token]) -> int:
    return next(
        t.number if t.kind is Kind.NUM else lx.ORDINAL_WORDS[t.text]
        for t in tokens
        if (t.kind is Kind.NUM and len(t.text) <= 2) or t.text in lx.ORDINAL_WORDS
    )


def _day_of_month(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    return (p.DayOfMonth(_day_number(tokens)),)


_EDGES = {
    "beginning": p.EdgeKind.BEGINNING,
    "start": p.EdgeKind.BEGINNING,
    "early": p.EdgeKind.BEGINNING,
    "mid": p.EdgeKind.MIDDLE,
    "middle": p.EdgeKind.MIDDLE,
    "end": p.EdgeKind.END,
    "late": p.EdgeKind.END,
}


def _edge(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    return (p.Edge(_EDGES[next(w for w in _words(tokens) if w in _EDGES)]),)


def _quarter(months: int) -> Build:
    def build(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
        offset = next((_OFFSETS[w] for w in _words(tokens) if w in _OFFSETS), None)
        if offset is not None:
            return (p.Quarter(1, months, None, offset),)
        index = _day_number(tokens)
        if not 1 <= index <= 12 // months:
            raise ParseError(
                f"'{_text(tokens)}' is not a {'quarter' if months == 3 else 'half'}", EXAMPLES
            )
        return (p.Quarter(index, months, _year(tokens)),)

    return build


def _week_of(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    words = _words(tokens)
    which = next((w for w in words if w in ("first", "last")), None)
    return (p.WeekOf(which, "weekend" in words),)


def _checked_date(year: int | None, month: int, day: int, text: str) -> p.CalendarDate:
    try:
        date(year if year is not None else 2000, month, day)  # 2000: Feb 29 is possible
    except ValueError:
        raise ParseError(f"'{text}' is not a date", EXAMPLES) from None
    return p.CalendarDate(month, day, year)


def _text(tokens: Sequence[Token]) -> str:
    return " ".join(t.text for t in tokens)


def _month_day(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    return (
        _checked_date(_year(tokens), _first(tokens, lx.MONTHS), _day_number(tokens), _text(tokens)),
    )


def _weekday(mode: p.WeekdayMode) -> Build:
    return lambda tokens: (p.Weekday(_first(tokens, lx.WEEKDAYS), mode),)


_WEEK_OFFSETS = {"this": 0, "current": 0, "last": -1, "previous": -1, "prev": -1, "next": 1}
_OFFSETS = {**_WEEK_OFFSETS, "coming": 1, "upcoming": 1}


def _weekday_of_week(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    offset = _first(tokens, _WEEK_OFFSETS)
    return (p.Weekday(_first(tokens, lx.WEEKDAYS), p.WeekdayMode.OF_WEEK, offset),)


def _calendar_unit(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    unit = next(lx.UNITS[t.text] for t in tokens if t.text in lx.UNITS)
    return (p.CalendarUnit(unit, _first(tokens, _OFFSETS)),)


def _shifted(sign: int) -> Build:
    def build(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
        count = count_of(next(t for t in tokens if count_token(t) and t.text != "in"))
        unit = lx.UNITS[next(t.text for t in tokens if t.text in lx.UNITS)]
        if count < 1:
            raise ParseError(f"'{_text(tokens)}' needs a count of at least 1", EXAMPLES)
        return (p.Shifted(count, unit, sign),)

    return build


def _part(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    name = next(w for w in _words(tokens) if w in lx.PARTS_OF_DAY)
    start, end = lx.PARTS_OF_DAY[name]
    return (p.PartOfDay(name, start, end),)


def _clock(
    hour: int, minute: int, second: int, grain: Grain, *, meridiem: str | None, text: str
) -> p.TimeOfDay:
    limit = 12 if meridiem else 23
    low = 1 if meridiem else 0
    if not (low <= hour <= limit and 0 <= minute <= 59 and 0 <= second <= 59):
        raise ParseError(f"'{text}' is not a time of day", EXAMPLES)
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    return p.TimeOfDay(hour, minute, second, grain, meridiem, text)


def _meridiem(tokens: Sequence[Token]) -> str | None:
    return next((t.text for t in tokens if t.text in ("am", "pm")), None)


_HOUR_WORDS = {**lx.MINUTE_UNITS, "ten": 10, "eleven": 11, "twelve": 12}


def _hour_token(t: Token) -> bool:
    return (t.kind is Kind.NUM and t.number <= 99) or (
        t.kind is Kind.WORD and t.text in _HOUR_WORDS
    )


def _hour_of(tokens: Sequence[Token]) -> int:
    return next(
        t.number if t.kind is Kind.NUM else _HOUR_WORDS[t.text]
        for t in tokens
        if t.kind is Kind.NUM or t.text in _HOUR_WORDS
    )


def _hour_meridiem(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    hour = _hour_of(tokens)
    return (_clock(hour, 0, 0, Grain.HOUR, meridiem=_meridiem(tokens), text=_text(tokens)),)


def _spoken_clock(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    """ "ten thirty", "twelve oh five", "nine forty five pm"."""
    words = [w for w in _words(tokens) if w != "at"]
    hour = _HOUR_WORDS[words[0]]
    minute = sum(lx.MINUTE_TENS.get(w, 0) for w in words[1:2])
    minute += sum(lx.MINUTE_UNITS.get(w, 0) for w in words[1:] if w not in lx.MINUTE_TENS)
    return (_clock(hour, minute, 0, Grain.MINUTE, meridiem=_meridiem(tokens), text=_text(tokens)),)


def _minutes_token(t: Token) -> bool:
    return (t.kind is Kind.NUM and 1 <= t.number <= 59) or (
        t.kind is Kind.WORD and (t.text in lx.MINUTE_TENS or t.text in lx.MINUTE_UNITS)
    )


def _nth_token(t: Token) -> bool:
    return t.text in ("last", "first", "second", "third", "fourth", "fifth") or (
        t.kind is Kind.NUM and 1 <= t.number <= 5
    )


_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}


def _nth_of(t: Token) -> int:
    return _NTH[t.text] if t.kind is Kind.WORD else t.number


def _nth_weekday(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    nth = next(_nth_of(t) for t in tokens if _nth_token(t))
    return (p.NthWeekday(nth, _first(tokens, lx.WEEKDAYS)),)


def _packed_clock(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    """ "at 1030", "330 pm": hours and minutes written without a colon (3 or 4 digits)."""
    digits = next(t.text for t in tokens if t.kind is Kind.NUM)
    if len(digits) not in (3, 4):
        raise ParseError(f"'{_text(tokens)}' is not a time of day", EXAMPLES)
    hour, minute = int(digits[:-2]), int(digits[-2:])
    return (_clock(hour, minute, 0, Grain.MINUTE, meridiem=_meridiem(tokens), text=_text(tokens)),)


def _clock_shift(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    words = _words(tokens)
    sign = lx.CLOCK_SHIFT_WORDS[words[-1]]
    if "quarter" in words:
        minutes = 15
    elif "half" in words:
        minutes = 30
    else:
        minutes = next(
            t.number if t.kind is Kind.NUM else lx.MINUTE_TENS.get(t.text) or lx.COUNT_WORDS[t.text]
            for t in tokens
            if t.kind is Kind.NUM or t.text in lx.MINUTE_TENS or t.text in lx.COUNT_WORDS
        )
    if not 1 <= minutes <= 59:
        raise ParseError(f"'{_text(tokens)}' is not a number of minutes", EXAMPLES)
    return (p.ClockShift(sign * minutes),)


def _fold_shifts(found: list[p.Piece]) -> list[p.Piece] | None:
    """ "a quarter past 3pm": the shift moves the clock time right after it; None when no
    clock time follows (that run of tokens is not a point)."""
    folded: list[p.Piece] = []
    pending: p.ClockShift | None = None
    for piece in found:
        if isinstance(piece, p.ClockShift):
            pending = piece
            continue
        if pending is None:
            folded.append(piece)
            continue
        clock = piece
        if isinstance(clock, p.BareNumber) and clock.value <= 23:
            clock = p.TimeOfDay(clock.value, 0, 0, Grain.HOUR, None, str(clock.value))
        if not isinstance(clock, p.TimeOfDay):
            return None
        total = (clock.hour * 60 + clock.minute + pending.minutes) % (24 * 60)
        folded.append(replace(clock, hour=total // 60, minute=total % 60, grain=Grain.MINUTE))
        pending = None
    return None if pending is not None else folded


def _clock_time(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    clock = next(t.text for t in tokens if t.kind is Kind.TIME)
    parts = [int(x) for x in clock.split(":")]
    grain = Grain.SECOND if len(parts) == 3 else Grain.MINUTE
    hour, minute, second = (*parts, 0)[:3]
    return (_clock(hour, minute, second, grain, meridiem=_meridiem(tokens), text=_text(tokens)),)


def _at_hour(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    hour = next(t.number for t in tokens if t.kind is Kind.NUM)
    return (_clock(hour, 0, 0, Grain.HOUR, meridiem=None, text=_text(tokens)),)


def _fixed_clock(hour: int) -> Build:
    return lambda tokens: (p.TimeOfDay(hour, 0, 0, Grain.HOUR, None, _text(tokens)),)


def _zone_word(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    name = tokens[0].text
    if name in lx.AMBIGUOUS_ZONES:
        raise ParseError(
            f"'{name.upper()}' could mean {lx.AMBIGUOUS_ZONES[name]}; write the offset, "
            "e.g. 'UTC+8'",
            EXAMPLES,
        )
    if name in lx.GENERIC_ZONES:
        zone = iana_zone(lx.GENERIC_ZONES[name])
        assert zone is not None
        return (p.ExplicitZone(zone, name.upper()),)
    return (p.ExplicitZone(fixed_offset_zone(lx.ZONE_ABBREVIATIONS[name]), name.upper()),)


def _zone_offset(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    text = tokens[0].text
    sign = -1 if "-" in text else 1
    amount = text[4:]
    if ":" in amount:
        hours, minutes = (int(x) for x in amount.split(":"))
    elif len(amount) in (3, 4):
        hours, minutes = int(amount[:-2]), int(amount[-2:])
    else:
        hours, minutes = int(amount), 0
    offset = real_offset(sign, hours, minutes)
    if offset is None:
        raise ParseError(f"'{text}' is not a UTC offset", EXAMPLES)
    return (p.ExplicitZone(fixed_offset_zone(offset), text.upper()),)


def _iana(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    name = "".join(t.text for t in tokens)
    zone = iana_zone(name)
    if zone is None:
        raise ParseError(f"'{name}' is not a time zone I know", EXAMPLES)
    return (p.ExplicitZone(zone, zone.key),)


def _iso(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    text = tokens[0].text
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        raise ParseError(f"'{text}' is not a date", EXAMPLES) from None
    day = _checked_date(moment.year, moment.month, moment.day, text)
    if "t" not in text:
        return (day,)
    grain = Grain.SECOND if text.count(":") >= 2 and moment.tzinfo is None else Grain.MINUTE
    if moment.tzinfo is not None:
        return (p.Instant(moment, Grain.SECOND),)
    clock = p.TimeOfDay(moment.hour, moment.minute, moment.second, grain, None, text)
    return (day, clock)


def _slash_date(tokens: Sequence[Token], order: DateOrder = DateOrder.MDY) -> tuple[p.Piece, ...]:
    text = tokens[0].text
    separator = "." if "." in text else "/"
    parts = text.split(separator)
    fields = [int(x) for x in parts]
    if len(parts[0]) == 4:  # 2013/02/12, 2013.02.12
        return (_checked_date(fields[0], fields[1], fields[2], text),)
    if separator == ".":  # 12.02.2013: day.month.year, the order this form is used in
        return (_checked_date(fields[2], fields[1], fields[0], text),)
    first, second = fields[0], fields[1]
    # Month/day (MDY), unless the first number cannot be a month (25/12); DMY: day/month.
    day_first = order is DateOrder.DMY or first > 12 >= second
    month, day = (second, first) if day_first else (first, second)
    full_year: int | None = None
    if len(fields) == 3:
        full_year = fields[2] + 2000 if fields[2] < 100 else fields[2]
    return (_checked_date(full_year, month, day, text),)


def _unix(tokens: Sequence[Token]) -> tuple[p.Piece, ...]:
    return (p.Instant(datetime.fromtimestamp(tokens[0].number, UTC), Grain.SECOND),)


# --- the rules ------------------------------------------------------------------------------

THE = Opt(word("the"))
ORD = Opt(in_table(lx.ORDINAL_SUFFIXES))
YEAR = num(1900, 2100, digits=4)


def _day_token(t: Token) -> bool:
    return (t.kind is Kind.NUM and 1 <= t.number <= 31 and len(t.text) <= 2) or (
        t.kind is Kind.WORD and t.text in lx.ORDINAL_WORDS
    )


DAY = _day_token
ORDINAL_WORD = in_table(lx.ORDINAL_WORDS)
WEEKDAY = in_table(lx.WEEKDAYS)
MONTH = in_table(lx.MONTHS)
CAL_UNITS = (
    "week",
    "weeks",
    "wk",
    "month",
    "months",
    "mo",
    "year",
    "years",
    "yr",
    "hour",
    "hr",
    "minute",
    "min",
)

NUMERIC_DATE = PieceRule(
    "numeric date", (kind(Kind.SLASHDATE),), _slash_date, ("2/12", "12.02.2013")
)
RULES: tuple[PieceRule, ...] = (
    PieceRule(
        "day before yesterday",
        (THE, word("day"), word("before"), word("yesterday")),
        lambda _: (p.RelativeDay(-2),),
        ("the day before yesterday",),
    ),
    PieceRule(
        "day after tomorrow",
        (THE, word("day"), word("after"), word("tomorrow")),
        lambda _: (p.RelativeDay(2),),
        ("the day after tomorrow",),
    ),
    PieceRule(
        "relative day",
        (in_table(lx.RELATIVE_DAYS),),
        lambda ts: (p.RelativeDay(lx.RELATIVE_DAYS[ts[0].text]),),
        ("today", "yesterday", "yday", "tmrw"),
    ),
    PieceRule(
        "last night",
        (word("last"), word("night")),
        lambda _: (p.RelativeDay(-1), p.PartOfDay("night", 18, 24)),
        ("last night",),
    ),
    PieceRule(
        "early morning",
        (Opt(word("this")), word("early"), word("morning")),
        lambda _: (p.PartOfDay("early morning", *lx.EARLY_MORNING),),
        ("early morning",),
    ),
    PieceRule(
        "part of day",
        (Opt(word("this")), in_table(lx.PARTS_OF_DAY)),
        _part,
        ("morning", "this afternoon", "tonight", "evening", "lunch"),
    ),
    PieceRule("noon", (word("noon", "midday"),), _fixed_clock(12), ("noon",)),
    PieceRule("midnight", (word("midnight"),), _fixed_clock(0), ("midnight",)),
    PieceRule(
        "weekday of a week",
        (WEEKDAY, Opt(word("of")), in_table(_WEEK_OFFSETS), word("week")),
        _weekday_of_week,
        ("monday of next week", "fri this week"),
    ),
    PieceRule(
        "this weekday",
        (Opt(word("this")), WEEKDAY),
        _weekday(p.WeekdayMode.RECENT),
        ("monday", "this tuesday", "mon"),
    ),
    PieceRule(
        "last weekday",
        (word("last", "previous", "prev"), WEEKDAY),
        _weekday(p.WeekdayMode.LAST),
        ("last monday",),
    ),
    PieceRule(
        "next weekday",
        (word("next", "coming"), WEEKDAY),
        _weekday(p.WeekdayMode.NEXT),
        ("next wednesday",),
    ),
    PieceRule(
        "this weekend",
        (Opt(word("this", "the")), word("weekend")),
        lambda _: (p.Weekend(p.WeekendMode.THIS),),
        ("weekend", "this weekend"),
    ),
    PieceRule(
        "last weekend",
        (Opt(word("this")), word("last", "past", "previous"), word("weekend")),
        lambda _: (p.Weekend(p.WeekendMode.LAST),),
        ("last weekend", "this past weekend"),
    ),
    PieceRule(
        "next weekend",
        (word("next"), word("weekend")),
        lambda _: (p.Weekend(p.WeekendMode.NEXT),),
        ("next weekend",),
    ),
    PieceRule(
        "month day",
        (MONTH, THE, DAY, ORD, Opt(YEAR)),
        _month_day,
        ("Feb 8", "july 26th", "Feb 8 2013"),
    ),
    PieceRule(
        "day month",
        (THE, DAY, ORD, Opt(word("of")), MONTH, Opt(YEAR)),
        _month_day,
        ("8 Feb", "the 8th of february", "26 July 2012"),
    ),
    PieceRule(
        "month",
        (MONTH, Opt(YEAR)),
        lambda ts: (p.Month(_first(ts, lx.MONTHS), _year(ts)),),
        ("july", "Jan 2013"),
    ),
    PieceRule("year", (YEAR,), lambda ts: (p.Year(ts[0].number),), ("2012",)),
    PieceRule(
        "day of the month",
        (THE, num(1, 31), in_table(lx.ORDINAL_SUFFIXES)),
        _day_of_month,
        ("the 9th", "20th (of next month)"),
    ),
    PieceRule("ordinal day", (THE, ORDINAL_WORD), _day_of_month, ("the third",)),
    PieceRule(
        "edge",
        (Opt(word("the", "at")), in_table(_EDGES)),
        _edge,
        ("early (June)", "end of (the month)", "mid (June)", "late (tonight)"),
    ),
    PieceRule(
        "beginning of month",
        (word("bom"),),
        lambda _: (p.Edge(p.EdgeKind.BEGINNING), p.CalendarUnit(Grain.MONTH, 0)),
        ("BOM",),
    ),
    PieceRule(
        "quarter",
        (word("q"), num(1, 4), Opt(YEAR)),
        _quarter(3),
        ("Q3", "Q3 2026"),
    ),
    PieceRule(
        "nth quarter",
        (THE, DAY, ORD, word("quarter"), Opt(word("of")), Opt(YEAR)),
        _quarter(3),
        ("3rd quarter", "the first quarter of 2026"),
    ),
    PieceRule(
        "this quarter",
        (in_table(_OFFSETS), word("quarter", "half")),
        lambda ts: _quarter(3 if ts[-1].text == "quarter" else 6)(ts),
        ("this quarter", "last quarter"),
    ),
    PieceRule("half", (word("h"), num(1, 2), Opt(YEAR)), _quarter(6), ("H1", "H2 2025")),
    PieceRule(
        "nth half",
        (THE, word("first", "second"), word("half"), Opt(word("of")), Opt(YEAR)),
        _quarter(6),
        ("first half of 2026",),
    ),
    PieceRule(
        "week of",
        (THE, Opt(word("first", "last")), word("week", "weekend"), word("of", "in")),
        _week_of,
        ("the week of (Feb 20)", "first week of (March)", "last weekend of (June)"),
    ),
    PieceRule(
        "the quarter",
        (Opt(word("of")), word("the"), word("quarter")),
        lambda _: (p.Quarter(1, 3, None, 0),),
        ("(beginning of) the quarter",),
    ),
    PieceRule(
        "of the unit",
        (word("of"), Opt(word("the")), word("week", "month", "year")),
        lambda ts: (p.CalendarUnit(lx.UNITS[ts[-1].text], 0),),
        ("(end) of month", "(beginning) of the year"),
    ),
    PieceRule(
        "nth weekday of",
        (THE, _nth_token, WEEKDAY, word("of", "in")),
        _nth_weekday,
        ("the first Monday of (this month)", "last Sunday of (March 2014)"),
    ),
    PieceRule(
        "last day of",
        (THE, word("first", "last"), word("day"), word("of", "in")),
        lambda ts: (p.NthWeekday(1 if "first" in _words(ts) else -1, None),),
        ("last day of (october 2015)",),
    ),
    PieceRule(
        "day of next month",
        (THE, num(1, 31), Opt(in_table(lx.ORDINAL_SUFFIXES)), Opt(word("day")), word("of")),
        _day_of_month,
        ("20 of (next month)", "20th day of (next month)"),
    ),
    PieceRule(
        "the unit",
        (word("the"), word("week", "month", "year")),
        lambda ts: (p.CalendarUnit(lx.UNITS[ts[-1].text], 0),),
        ("(end of) the month",),
    ),
    PieceRule(
        "week after next",
        (THE, word("week"), word("after", "before"), word("next", "last")),
        lambda ts: (p.CalendarUnit(Grain.WEEK, 2 if "after" in _words(ts) else -2),),
        ("the week after next", "the week before last"),
    ),
    PieceRule(
        "following unit",
        (THE, word("following"), word("week", "month", "year", "day")),
        lambda ts: (
            (p.RelativeDay(1),)
            if ts[-1].text == "day"
            else (p.CalendarUnit(lx.UNITS[ts[-1].text], 1),)
        ),
        ("the following week",),
    ),
    PieceRule(
        "weekday after next",
        (WEEKDAY, word("after"), word("next")),
        lambda ts: (p.Weekday(_first(ts, lx.WEEKDAYS), p.WeekdayMode.OF_WEEK, 2),),
        ("friday after next",),
    ),
    PieceRule(
        "N units from now",
        (count_token, in_table(lx.UNITS), word("from"), word("now")),
        _shifted(1),
        ("3 days from now",),
    ),
    PieceRule(
        "N units later",
        (count_token, in_table(lx.UNITS), word("later", "hence")),
        _shifted(1),
        ("2 days hence",),
    ),
    PieceRule(
        "N units back",
        (count_token, in_table(lx.UNITS), word("back", "earlier")),
        _shifted(-1),
        ("3 days back",),
    ),
    PieceRule(
        "this/last/next unit",
        (in_table(_OFFSETS), word(*CAL_UNITS)),
        _calendar_unit,
        ("this week", "last month", "next year"),
    ),
    PieceRule(
        "N units ago",
        (count_token, in_table(lx.UNITS), word("ago")),
        _shifted(-1),
        ("3 days ago", "an hour ago", "2h ago"),
    ),
    PieceRule(
        "in N units",
        (word("in"), count_token, in_table(lx.UNITS)),
        _shifted(1),
        ("in 2 hours", "in 3 days"),
    ),
    PieceRule(
        "clock time",
        (kind(Kind.TIME), Opt(word("am", "pm"))),
        _clock_time,
        ("15:00", "3:30pm", "09:15:30"),
    ),
    PieceRule("hour am/pm", (_hour_token, word("am", "pm")), _hour_meridiem, ("3pm", "three am")),
    PieceRule(
        "spoken clock",
        (
            Opt(word("at")),
            in_table(_HOUR_WORDS),
            word("oh", *lx.MINUTE_TENS),
            Opt(in_table(lx.MINUTE_UNITS)),
            Opt(word("am", "pm")),
        ),
        _spoken_clock,
        ("ten thirty", "twelve oh five", "nine forty five pm"),
    ),
    PieceRule(
        "quarter / half past",
        (Opt(word("a")), word("quarter", "half"), in_table(lx.CLOCK_SHIFT_WORDS)),
        _clock_shift,
        ("a quarter past (3pm)", "half past (9)", "quarter to (noon)"),
    ),
    PieceRule(
        "minutes past / to",
        (
            _minutes_token,
            word("minutes", "minute", "mins", "min"),
            in_table(lx.CLOCK_SHIFT_WORDS),
        ),
        _clock_shift,
        ("15 minutes past (3pm)", "ten minutes to (9)"),
    ),
    PieceRule(
        "N past",
        (_minutes_token, word("past", "after")),
        _clock_shift,
        ("10 past (9)", "twenty past (4)"),
    ),
    # "9 to 5" stays a range of hours: only a number that cannot be an hour is minutes to.
    PieceRule("N to", (num(13, 59), word("to", "till", "before")), _clock_shift, ("20 to (2pm)",)),
    PieceRule(
        "o'clock",
        (_hour_token, word("o'clock", "oclock"), Opt(word("am", "pm"))),
        _hour_meridiem,
        ("9 o'clock", "3 o'clock pm", "3ish"),
    ),
    PieceRule(
        "at hour",
        (word("at"), _hour_token, Opt(word("am", "pm"))),
        _hour_meridiem,
        ("at 3", "at 15", "at 3 pm"),
    ),
    PieceRule(
        "zone abbreviation",
        (
            in_table(
                frozenset(lx.ZONE_ABBREVIATIONS) | set(lx.AMBIGUOUS_ZONES) | set(lx.GENERIC_ZONES)
            ),
        ),
        _zone_word,
        ("UTC", "CET", "JST"),
    ),
    PieceRule("utc offset", (kind(Kind.OFFSET),), _zone_offset, ("UTC+8", "GMT-03:30")),
    PieceRule(
        "iana zone",
        (kind(Kind.WORD), sym("/"), kind(Kind.WORD), Opt(sym("/")), Opt(kind(Kind.WORD))),
        _iana,
        ("Asia/Tokyo",),
    ),
    PieceRule("iso 8601", (kind(Kind.ISO),), _iso, ("2013-02-12", "2013-02-12T04:30:00Z")),
    NUMERIC_DATE,
    PieceRule("unix seconds", (kind(Kind.UNIX),), _unix, ("1360643400",)),
    PieceRule("now", (Opt(word("right", "just")), word("now")), lambda _: (p.Now(),), ("now",)),
    PieceRule(
        "at the moment",
        (Opt(word("at")), Opt(word("the", "this")), word("moment", "atm")),
        lambda _: (p.Now(),),
        ("at the moment", "ATM"),
    ),
    PieceRule(
        "beginning of year",
        (word("boy"),),
        lambda _: (p.Edge(p.EdgeKind.BEGINNING), p.CalendarUnit(Grain.YEAR, 0)),
        ("BOY",),
    ),
    # A bare "15h" is the rolling 15 hours; with "at" or a zone it is a clock hour.
    PieceRule("at hour h", (word("at"), num(0, 23), word("h")), _hour_meridiem, ("at 15h",)),
    PieceRule(
        "hour h zone",
        (num(0, 23), word("h"), in_table(frozenset(lx.ZONE_ABBREVIATIONS))),
        lambda ts: (*_hour_meridiem(ts[:2]), *_zone_word(ts[2:])),
        ("(Thursday) 8h GMT",),
    ),
    PieceRule(
        "at hhmm",
        (word("at"), kind(Kind.NUM), Opt(word("am", "pm"))),
        _packed_clock,
        ("at 1030", "at 730 (in the evening)"),
    ),
    PieceRule("hhmm am/pm", (kind(Kind.NUM), word("am", "pm")), _packed_clock, ("330 pm",)),
    PieceRule(
        "at h mm",
        (word("at"), num(0, 23), num(0, 59, digits=2)),
        lambda ts: (
            _clock(ts[1].number, ts[2].number, 0, Grain.MINUTE, meridiem=None, text=_text(ts)),
        ),
        ("at 3 15", "at 12 15"),
    ),
    PieceRule("bare number", (num(0, 99),), lambda ts: (p.BareNumber(ts[0].number),), ("3",)),
    PieceRule(
        "hour word",
        (in_table(_HOUR_WORDS),),
        lambda ts: (p.BareNumber(_HOUR_WORDS[ts[0].text]),),
        ("eight (tonight)",),
    ),
)

FILLERS = frozenset({"at", "on", "the", "of", "in", "during", "around"})


# Matching, worked out as bits: every distinct matcher of the rules has a bit; a token's bits
# say which matchers it meets (cached per distinct token); a phrase's positions where a matcher
# holds are a bitmask, so a pattern is matched at a position with a few integer operations.


def _matchers() -> dict[Match, int]:
    """Each distinct matcher of RULES -> its bit."""
    bits: dict[Match, int] = {}
    for rule in RULES:
        for element in rule.pattern:
            match = element.match if isinstance(element, Opt) else element
            bits.setdefault(match, 1 << len(bits))
    return bits


_MATCHER_BITS = _matchers()

Step = tuple[int, bool]  # a pattern element as (its matcher's bit, optional)


def _steps(pattern: Sequence[Element]) -> tuple[Step, ...]:
    return tuple(
        (_MATCHER_BITS[e.match], True) if isinstance(e, Opt) else (_MATCHER_BITS[e], False)
        for e in pattern
    )


def _leading(pattern: Sequence[Element]) -> int:
    """The bits of the matchers a first token may meet: each optional head and the first
    required one."""
    heads = 0
    for bit, optional in _steps(pattern):
        heads |= bit
        if not optional:
            break
    return heads


_LEADING = [(rule, _leading(rule.pattern), _steps(rule.pattern)) for rule in RULES]


@lru_cache(maxsize=4096)
def _token_bits(token: Token) -> int:
    """The bits of every matcher `token` meets (cached per distinct token)."""
    bits = 0
    for match, bit in _MATCHER_BITS.items():
        if match(token):
            bits |= bit
    return bits


@lru_cache(maxsize=4096)
def _rules_for(token_bits: int) -> tuple[tuple[PieceRule, tuple[Step, ...]], ...]:
    """The rules that can start at a token with these bits, in table order, each with its
    pattern as steps."""
    return tuple((rule, steps) for rule, heads, steps in _LEADING if heads & token_bits)


_LONGEST = max(len(rule.pattern) for rule in RULES)


def _lengths(steps: Sequence[Step], bits: Sequence[int]) -> tuple[int, ...]:
    """Every number of tokens (at least one) from the first of `bits` (the tokens' matcher
    bits) the pattern can match, longest first (optional elements give several)."""
    ends = {0}
    for bit, optional in steps:
        moved = {end + 1 for end in ends if end < len(bits) and bits[end] & bit}
        ends = ends | moved if optional else moved
        if not ends:
            return ()
    return tuple(sorted((end for end in ends if end), reverse=True))


@lru_cache(maxsize=8192)
def _rules_over(bits: tuple[int, ...]) -> tuple[tuple[PieceRule, tuple[int, ...]], ...]:
    """The rules that match at the first of a run of tokens with these matcher bits (as many
    tokens as the longest rule, or to the phrase's end), each with its lengths. A pure function
    of token classes, so phrases that share them share the work (cached)."""
    found = []
    for rule, steps in _rules_for(bits[0]):
        lengths = _lengths(steps, bits)
        if lengths:
            found.append((rule, lengths))
    return tuple(found)


class PointReader:
    """Reads points from any run of one phrase's tokens. Which rules match where is worked
    out once per position of the whole phrase, then shared by every run read: a rule matches
    a run when one of its lengths fits in it."""

    def __init__(self, tokens: Sequence[Token], order: DateOrder = DateOrder.MDY) -> None:
        self.tokens = tokens
        self.order = order
        self._bits = tuple(_token_bits(token) for token in tokens)

    def _rules_at(self, position: int) -> tuple[tuple[PieceRule, tuple[int, ...]], ...]:
        return _rules_over(self._bits[position : position + _LONGEST])

    def read(self, start: int, end: int) -> tuple[p.Piece, ...] | None:
        """The pieces of tokens[start:end], read left to right with the longest rule at each
        place (the first rule on a tie); None when some token belongs to no rule. Rules may
        raise ParseError for impossible values."""
        found: list[p.Piece] = []
        position = start
        while position < end:
            best_rule: PieceRule | None = None
            best = 0
            room = end - position
            for rule, lengths in self._rules_at(position):
                for length in lengths:  # longest first: the longest that fits
                    if length <= room:
                        if length > best:
                            best_rule, best = rule, length
                        break
            if best_rule is None:
                token = self.tokens[position]
                if token.kind is Kind.WORD and token.text in FILLERS:
                    position += 1
                    continue
                return None
            run = self.tokens[position : position + best]
            if best_rule is NUMERIC_DATE:  # the one rule whose reading depends on the order
                found.extend(_slash_date(run, self.order))
            else:
                found.extend(best_rule.build(run))
            position += best
        folded = _fold_shifts(found)
        return tuple(folded) if folded else None


def read_point(
    tokens: Sequence[Token], order: DateOrder = DateOrder.MDY
) -> tuple[p.Piece, ...] | None:
    """The pieces of `tokens` (see PointReader.read)."""
    return PointReader(tokens, order).read(0, len(tokens))
