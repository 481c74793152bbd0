"""The phrase forms, as data: ranges, open ends, rolling periods, "X for D" and plain points.

Each Form has a token pattern of literal words, POINT slots (read by `points.read_point`)
and DURATION slots, the examples it handles, and a builder that turns the captured values
into a window `[start, end)` (None = open end). The first form whose pattern matches and
whose builder succeeds wins; the order below goes from specific to general.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.errors import ParseError
from bot.timephrase import lexicon as lx
from bot.timephrase import pieces as p
from bot.timephrase.absolute import read_absolute
from bot.timephrase.lexer import EXAMPLES, Kind, Token
from bot.timephrase.limits import YEARS
from bot.timephrase.order import DateOrder
from bot.timephrase.points import PointReader, count_of, count_token
from bot.timephrase.resolve import Bias, Context, Span, resolve_point
from bot.timephrase.window import Grain
from bot.timephrase.zones import before, step, unit_span


@dataclass(frozen=True)
class Lit:
    """Literal words of a form (one of `words`)."""

    words: frozenset[str]
    optional: bool = False


class PointSlot:
    """A run of tokens that reads as a point."""


class DurationSlot:
    """A count and a unit ("3 days", "24h", "an hour"); `implicit_one` also takes a lone unit."""

    def __init__(self, *, implicit_one: bool = False, units: frozenset[Grain] | None = None):
        self.implicit_one = implicit_one
        self.units = units


class FillerSlot:
    """One to four words that are not time words ("the outage", "the daily standup")."""


FILLER = FillerSlot()


class AbsoluteSlot:
    """The whole phrase as one absolute date (and time) in a format of dateparser's."""


@dataclass(frozen=True)
class Duration:
    """A count of a unit ("3 days")."""

    count: int
    unit: Grain


Element = Lit | PointSlot | DurationSlot | AbsoluteSlot | FillerSlot
Capture = tuple[p.Piece, ...] | Duration


@dataclass(frozen=True)
class Result:
    """A form's window [start, end) (None = open end) and its grain."""

    start: datetime | None
    end: datetime | None
    grain: Grain


Build = Callable[[Sequence[Capture], Context], Result]


@dataclass(frozen=True)
class Form:
    """A phrase form: its pattern, its builder and the examples it handles."""

    name: str
    pattern: tuple[Element, ...]
    build: Build
    examples: tuple[str, ...]

    @property
    def required(self) -> tuple[frozenset[str], ...]:
        """The literal words the phrase must hold one of, per required literal."""
        return tuple(e.words for e in self.pattern if isinstance(e, Lit) and not e.optional)


def lit(*words: str) -> Lit:
    return Lit(frozenset(words))


def opt(*words: str) -> Lit:
    return Lit(frozenset(words), optional=True)


POINT = PointSlot()
DURATION = DurationSlot()


def _fail(reason: str) -> ParseError:
    return ParseError(reason, EXAMPLES)


# --- matching -------------------------------------------------------------------------------


class Reader:
    """Matches form patterns against one phrase's tokens, reading each span at most once."""

    def __init__(
        self, tokens: Sequence[Token], text: str = "", order: DateOrder = DateOrder.MDY
    ) -> None:
        self.tokens = tokens
        self.text = text
        self.order = order
        self._points: dict[tuple[int, int], tuple[p.Piece, ...] | None] = {}
        self._reader = PointReader(tokens, order)

    def point(self, start: int, end: int) -> tuple[p.Piece, ...] | None:
        key = (start, end)
        if key not in self._points:
            self._points[key] = self._reader.read(start, end)
        return self._points[key]

    def duration(self, slot: DurationSlot, start: int) -> Iterator[tuple[Duration, int]]:
        tokens = self.tokens
        if start < len(tokens) and count_token(tokens[start]) and start + 1 < len(tokens):
            unit = lx.UNITS.get(tokens[start + 1].text)
            if (
                unit is not None
                and tokens[start + 1].kind is Kind.WORD
                and (slot.units is None or unit in slot.units)
            ):
                yield Duration(count_of(tokens[start]), unit), start + 2
        if slot.implicit_one and start < len(tokens) and tokens[start].kind is Kind.WORD:
            unit = lx.UNITS.get(tokens[start].text)
            if unit is not None and (slot.units is None or unit in slot.units):
                yield Duration(1, unit), start + 1

    def match(self, pattern: Sequence[Element], start: int = 0) -> Iterator[list[Capture]]:
        if not pattern:
            if start == len(self.tokens):
                yield []
            return
        head, rest = pattern[0], pattern[1:]
        tokens = self.tokens
        if isinstance(head, Lit):
            if (
                start < len(tokens)
                and tokens[start].text in head.words
                and (tokens[start].kind in (Kind.WORD, Kind.SYM))
            ):
                yield from self.match(rest, start + 1)
            if head.optional:
                yield from self.match(rest, start)
        elif isinstance(head, AbsoluteSlot):
            if start == 0 and not rest:
                pieces = read_absolute(self.text, self.tokens, self.order)
                if pieces is not None:
                    yield [pieces]
        elif isinstance(head, FillerSlot):
            end = start
            while (
                end < len(tokens)
                and end - start < 4
                and tokens[end].kind is Kind.WORD
                and (tokens[end].text not in lx.TIME_WORDS or tokens[end].text == "the")
            ):
                end += 1
                yield from self.match(rest, end)
        elif isinstance(head, DurationSlot):
            for duration, after in self.duration(head, start):
                for captures in self.match(rest, after):
                    yield [duration, *captures]
        else:
            for end in range(start + 1, len(tokens) + 1):
                if (
                    rest
                    and isinstance(rest[0], Lit)
                    and not rest[0].optional
                    and (end >= len(tokens) or tokens[end].text not in rest[0].words)
                ):
                    continue  # a point followed by a word can only end before that word
                pieces = self.point(start, end)
                if pieces is None:
                    continue
                for captures in self.match(rest, end):
                    yield [pieces, *captures]


# --- builders -------------------------------------------------------------------------------


def _pieces(capture: Capture) -> tuple[p.Piece, ...]:
    assert isinstance(capture, tuple)
    return capture


def _duration(capture: Capture) -> Duration:
    assert isinstance(capture, Duration)
    if capture.count < 1:
        raise _fail("A count must be at least 1")
    return capture


def _resolve(capture: Capture, ctx: Context, bias: Bias = Bias.NEAREST) -> Span:
    return resolve_point(_pieces(capture), Context(ctx.now, ctx.zone, bias))


def _step(moment: datetime, duration: Duration, sign: int) -> datetime:
    try:
        return step(moment, duration.unit, sign * duration.count)
    except (OverflowError, ValueError):
        raise _fail(
            f"{duration.count} {duration.unit}s is further than I can count "
            f"(I read the years {YEARS})"
        ) from None


def _point(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx)
    return Result(span.start, span.end, span.grain)


def _rolling_past(captures: Sequence[Capture], ctx: Context) -> Result:
    duration = _duration(captures[0])
    return Result(_step(ctx.now, duration, -1), ctx.now, duration.unit)


def _rolling_next(captures: Sequence[Capture], ctx: Context) -> Result:
    duration = _duration(captures[0])
    return Result(ctx.now, _step(ctx.now, duration, 1), duration.unit)


def _negative(_captures: Sequence[Capture], _ctx: Context) -> Result:
    raise _fail("A count must be at least 1, not negative")


def _unit_of(captures: Sequence[Capture]) -> Grain:
    return _duration(captures[0]).unit


def _so_far(captures: Sequence[Capture], ctx: Context) -> Result:
    unit = _unit_of(captures) if captures else Grain.DAY
    start, _ = unit_span(ctx.now, unit)
    return Result(start, ctx.now, unit)


def _rest_of(captures: Sequence[Capture], ctx: Context) -> Result:
    unit = _unit_of(captures) if captures else Grain.DAY
    _, end = unit_span(ctx.now, unit)
    return Result(ctx.now, end, unit)


def _all_of(captures: Sequence[Capture], ctx: Context) -> Result:
    unit = _unit_of(captures)
    start, end = unit_span(ctx.now, unit)
    return Result(start, end, unit)


def _for(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx)
    duration = _duration(captures[1])
    return Result(span.start, _step(span.start, duration, 1), span.grain)


def _since(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx, Bias.PAST)
    if not before(span.start, ctx.now):
        raise _fail("'since' needs a time in the past")
    return Result(span.start, ctx.now, span.grain)


def _from_start(start: datetime, grain: Grain, ctx: Context) -> Result:
    if before(start, ctx.now):
        return Result(start, ctx.now, grain)
    return Result(start, None, grain)


def _from(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx)
    return _from_start(span.start, span.grain, ctx)


def _after(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx)
    return _from_start(span.start if span.clock else span.end, span.grain, ctx)


def _until(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx)
    return Result(None, span.start, span.grain)


def _through(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx)
    return Result(None, span.start if span.clock else span.end, span.grain)


def _by(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx, Bias.FUTURE)
    if not before(ctx.now, span.start):
        raise _fail("That is already past; 'by' needs a time ahead")
    return Result(ctx.now, span.start, span.grain)


def _by_end_of(captures: Sequence[Capture], ctx: Context) -> Result:
    span = _resolve(captures[0], ctx, Bias.FUTURE)
    if not before(ctx.now, span.end):
        raise _fail("That is already past; 'by the end of' needs a time ahead")
    return Result(ctx.now, span.end, span.grain)


def _end_of_unit(unit: Grain | None, *, open_start: bool) -> Build:
    """End of the current unit, named by a word (EOD) or captured ("end of the week")."""

    def build(captures: Sequence[Capture], ctx: Context) -> Result:
        chosen = unit or _unit_of(captures)
        _, end = unit_span(ctx.now, chosen)
        return Result(None if open_start else ctx.now, end, chosen)

    return build


def _bounded(after: bool) -> Build:
    """ "tomorrow after 4pm", "this morning before 9": the named day or part, cut at the time."""

    def build(captures: Sequence[Capture], ctx: Context) -> Result:
        outer = _resolve(captures[0], ctx)
        pieces = _pieces(captures[1])
        if outer.clock or not _has(pieces, (p.TimeOfDay, p.BareNumber)) or _has(pieces, p.DAYLIKE):
            raise _fail("'before' / 'after' inside a day needs a time of day")
        day = [x for x in _pieces(captures[0]) if isinstance(x, (*p.DAYLIKE, p.PartOfDay))]
        cut = resolve_point((*pieces, *day), ctx) if day else _resolve(captures[1], ctx)
        if not (before(outer.start, cut.start) and before(cut.start, outer.end)):
            raise _fail("That time is not inside the day or part of day named")
        if after:
            return Result(cut.start, outer.end, cut.grain)
        return Result(outer.start, cut.start, cut.grain)

    return build


def _earlier_today(_captures: Sequence[Capture], ctx: Context) -> Result:
    start, _ = unit_span(ctx.now, Grain.DAY)
    return Result(start, ctx.now, Grain.DAY)


# Ranges: the end inherits what it leaves out from the start ("Jul 13-15", "Jul 26 10:00 to
# 12:00") and the start from the end ("3-4pm", "10:00 to 12:00 yesterday").


def _has(pieces: Sequence[p.Piece], kinds: type | tuple[type, ...]) -> bool:
    return any(isinstance(x, kinds) for x in pieces)


def _complete(
    left: tuple[p.Piece, ...], right: tuple[p.Piece, ...]
) -> tuple[tuple[p.Piece, ...], tuple[p.Piece, ...]]:
    day_l = [x for x in left if isinstance(x, p.DAYLIKE)]
    day_r = [x for x in right if isinstance(x, p.DAYLIKE)]
    zone_l = [x for x in left if isinstance(x, p.ExplicitZone)]
    zone_r = [x for x in right if isinstance(x, p.ExplicitZone)]
    if zone_l and not zone_r:
        right = (*right, *zone_l)
    elif zone_r and not zone_l:
        left = (*left, *zone_r)
    if (
        right
        and all(isinstance(x, p.BareNumber | p.DayOfMonth | p.ExplicitZone) for x in right)
        and len(day_l) == 1
        and isinstance(day_l[0], p.CalendarDate)
    ):
        number = next(x for x in right if isinstance(x, p.BareNumber | p.DayOfMonth))
        value = number.value if isinstance(number, p.BareNumber) else number.day
        right = (
            p.CalendarDate(day_l[0].month, value, day_l[0].year),
            *(x for x in right if isinstance(x, p.ExplicitZone)),
        )
        return left, right
    of_month = [x for x in left if isinstance(x, p.DayOfMonth)]
    dates_r = [x for x in day_r if isinstance(x, p.CalendarDate)]
    if of_month and dates_r and len(day_l) == 1:
        # "3rd to 5th June", "11th to 14th Sep": the start takes the end's month.
        day_l = [p.CalendarDate(dates_r[0].month, of_month[0].day, dates_r[0].year)]
        left = (*day_l, *(x for x in left if not isinstance(x, p.DayOfMonth)))
    left, right = _carry_meridiem(left, right)
    bare = [x for x in left if isinstance(x, p.BareNumber)]
    if bare and len(bare) == len(
        [x for x in left if not isinstance(x, p.ExplicitZone | p.RelativeDay | p.Weekday)]
    ):
        value = bare[0].value
        date_r = [x for x in day_r if isinstance(x, p.CalendarDate)]
        clock_r = [x for x in right if isinstance(x, p.TimeOfDay)]
        if date_r and not clock_r:
            left = (p.CalendarDate(date_r[0].month, value, date_r[0].year), *zone_l)
        elif clock_r:
            meridiem = clock_r[0].meridiem
            hour = value
            if meridiem == "pm" and value < 12 and value + 12 <= clock_r[0].hour:
                hour = value + 12  # "3-4pm"; but "11-2pm" starts at 11am
            if not 0 <= hour <= 23:
                raise _fail(f"'{value}' is not a time of day")
            kept = [x for x in left if not isinstance(x, p.BareNumber)]
            left = (p.TimeOfDay(hour, 0, 0, Grain.HOUR, meridiem, str(value)), *kept)
            day_l = [x for x in kept if isinstance(x, p.DAYLIKE)]
    timed_l = _has(left, (p.TimeOfDay, p.PartOfDay))
    timed_r = _has(right, (p.TimeOfDay, p.PartOfDay))
    if day_l and not day_r and timed_r:
        right = (*right, *day_l)
    elif day_r and not day_l and timed_l:
        left = (*left, *day_r)
    return left, right


def _wall_forward(left: Sequence[p.Piece], right: Sequence[p.Piece]) -> bool:
    """Whether the range's wall-clock end is after its start ("2am-3am"), whatever DST did."""
    clocks = [next(x for x in side if isinstance(x, p.TimeOfDay)) for side in (left, right)]
    first, last = ((c.hour, c.minute, c.second) for c in clocks)
    return first < last


def _carry_meridiem(
    left: tuple[p.Piece, ...], right: tuple[p.Piece, ...]
) -> tuple[tuple[p.Piece, ...], tuple[p.Piece, ...]]:
    """am/pm across a range (docs/time-phrases.md): a bare start takes the end's am/pm when
    that keeps it forward and under 12 h ("3:30-6pm"); a bare end is the earliest time after
    the start ("11:30-1:30", "8pm - 11")."""
    clock_l = [x for x in left if isinstance(x, p.TimeOfDay)]
    clock_r = [x for x in right if isinstance(x, p.TimeOfDay)]
    bare_r = [x for x in right if isinstance(x, p.BareNumber)]
    if clock_l and bare_r and not clock_r and 0 <= bare_r[0].value <= 23:
        clock_r = [p.TimeOfDay(bare_r[0].value, 0, 0, Grain.HOUR, None, str(bare_r[0].value))]
        right = (*clock_r, *(x for x in right if not isinstance(x, p.BareNumber)))
    if len(clock_l) != 1 or len(clock_r) != 1:
        return left, right
    start, end = clock_l[0], clock_r[0]
    start_minutes = start.hour * 60 + start.minute
    end_minutes = end.hour * 60 + end.minute
    if start.meridiem is None and end.meridiem is not None and start.hour <= 12:
        moved = (start.hour % 12 + (12 if end.meridiem == "pm" else 0)) * 60 + start.minute
        if moved < end_minutes and end_minutes - moved < 12 * 60:
            left = tuple(replace(x, hour=moved // 60) if x is start else x for x in left)
    elif (
        end.meridiem is None
        and end.hour < 12
        and end_minutes <= start_minutes < end_minutes + 12 * 60
    ):
        right = tuple(replace(x, hour=end.hour + 12) if x is end else x for x in right)
    return left, right


def _range_on_day(captures: Sequence[Capture], ctx: Context) -> Result:
    day = _pieces(captures[0])
    return _range([(*_pieces(captures[1]), *day), (*_pieces(captures[2]), *day)], ctx)


def _range(captures: Sequence[Capture], ctx: Context) -> Result:
    start = _pieces(captures[0])
    if (
        len(start) == 1
        and isinstance(start[0], p.BareNumber)
        and start[0].value > 12
        and any(
            isinstance(x, p.TimeOfDay) and (x.meridiem or x.text in ("noon", "midnight"))
            for x in _pieces(captures[1])
        )
    ):
        raise _fail("That is minutes before a time, not a range")  # "20 to 2pm"
    left, right = _complete(_pieces(captures[0]), _pieces(captures[1]))
    first = resolve_point(left, ctx)
    last = resolve_point(right, ctx)
    if (
        _has(right, p.Weekday)
        and not before(first.start, last.start)
        and all(x.mode is p.WeekdayMode.RECENT for x in right if isinstance(x, p.Weekday))
    ):
        # "between monday and wednesday": a bare weekday at the end comes after the start.
        last = resolve_point(right, Context(step(ctx.now, Grain.WEEK, 1), ctx.zone, ctx.bias))
    end = last.start if last.clock else last.end
    clocks_only = all(
        _has(side, p.TimeOfDay) and not _has(side, (*p.DAYLIKE, p.Instant))
        for side in (left, right)
    )
    if clocks_only and not before(first.start, end):
        if _wall_forward(left, right):
            raise _fail(
                "the clocks skipped that time that day (daylight saving), so it holds no time"
            )
        end = step(end, Grain.DAY, 1)  # "22:00-02:00": the night through to the next day
    if not before(first.start, end):
        raise _fail("The range ends before it starts")
    return Result(first.start, end, first.grain)


# --- the forms ------------------------------------------------------------------------------

SEP = ("-", "..", "/", "to", "until", "till", "til", "through", "thru", "and")
PREFIX = ("in", "over", "within", "during", "for")
PAST_WORDS = ("last", "past", "previous", "prev")
NEXT_WORDS = ("next", "upcoming", "coming")
CLOCK_UNITS = frozenset({Grain.SECOND, Grain.MINUTE, Grain.HOUR, Grain.DAY})
CURRENT_UNIT = DurationSlot(implicit_one=True)
END_WORDS = {"eod": Grain.DAY, "eow": Grain.WEEK, "eom": Grain.MONTH, "eoy": Grain.YEAR}
UNTIL_END = ("until", "till", "through", "thru")
UNIT_ONLY = DurationSlot(implicit_one=True)

FORMS: tuple[Form, ...] = (
    Form(
        "negative count",
        (opt(*PREFIX), opt("the"), lit(*PAST_WORDS, *NEXT_WORDS), lit("-"), DURATION),
        _negative,
        ("last -3 days",),
    ),
    Form("earlier today", (lit("earlier"), lit("today")), _earlier_today, ("earlier today",)),
    Form("today so far", (lit("today"), lit("so"), lit("far")), _so_far, ("today so far",)),
    Form(
        "unit so far",
        (opt("this", "the"), CURRENT_UNIT, lit("so"), lit("far")),
        _so_far,
        ("this week so far", "month so far"),
    ),
    Form(
        "so far this unit",
        (lit("so"), lit("far"), opt("this"), CURRENT_UNIT),
        _so_far,
        ("so far this week",),
    ),
    Form(
        "rest of today",
        (opt("for"), opt("the"), lit("rest"), lit("of"), lit("today")),
        _rest_of,
        ("rest of today",),
    ),
    Form(
        "rest of the unit",
        (opt("for"), opt("the"), lit("rest"), lit("of"), opt("the", "this"), CURRENT_UNIT),
        _rest_of,
        ("rest of the week", "rest of the day"),
    ),
    Form("all unit", (lit("all"), CURRENT_UNIT), _all_of, ("all week", "all day")),
    Form(
        "last N units",
        (opt(*PREFIX), opt("the"), lit(*PAST_WORDS), DURATION),
        _rolling_past,
        ("last 3 days", "past 24h", "in the last 2 hours"),
    ),
    Form(
        "past unit",
        (opt(*PREFIX), opt("the"), lit("past"), UNIT_ONLY),
        _rolling_past,
        ("past week", "past hour"),
    ),
    Form(
        "last clock unit",
        (
            opt(*PREFIX),
            opt("the"),
            lit("last", "previous"),
            DurationSlot(implicit_one=True, units=CLOCK_UNITS),
        ),
        _rolling_past,
        ("last hour", "last day"),
    ),
    Form(
        "next N units",
        (opt(*PREFIX), opt("the"), lit(*NEXT_WORDS), DURATION),
        _rolling_next,
        ("next 6 hours", "upcoming 3 days"),
    ),
    Form(
        "next clock unit",
        (
            opt(*PREFIX),
            opt("the"),
            lit(*NEXT_WORDS),
            DurationSlot(implicit_one=True, units=CLOCK_UNITS),
        ),
        _rolling_next,
        ("next hour", "next day"),
    ),
    Form("bare duration", (DURATION,), _rolling_past, ("90 days", "24h", "2d")),
    Form(
        "by the end of this unit",
        (lit("by"), opt("the"), lit("end"), lit("of"), opt("the", "this"), CURRENT_UNIT),
        _end_of_unit(None, open_start=False),
        ("by the end of the week", "by end of day"),
    ),
    Form(
        "by the end of",
        (lit("by"), opt("the"), lit("end"), lit("of"), POINT),
        _by_end_of,
        ("by the end of next month", "by the end of tomorrow"),
    ),
    *(
        Form(
            f"by {word}",
            (lit("by"), lit(word)),
            _end_of_unit(unit, open_start=False),
            (f"by {word}",),
        )
        for word, unit in END_WORDS.items()
    ),
    Form(
        "until the end of this unit",
        (lit(*UNTIL_END), opt("the"), lit("end"), lit("of"), opt("the", "this"), CURRENT_UNIT),
        _end_of_unit(None, open_start=True),
        ("until the end of the month",),
    ),
    Form(
        "until the end of",
        (lit(*UNTIL_END), opt("the"), lit("end"), lit("of"), POINT),
        _through,
        ("until the end of next week",),
    ),
    *(
        Form(
            f"until {word}",
            (lit(*UNTIL_END), lit(word)),
            _end_of_unit(unit, open_start=True),
            (f"until {word}",),
        )
        for word, unit in END_WORDS.items()
    ),
    *(
        Form(f"{word} alone", (lit(word),), _end_of_unit(unit, open_start=False), (word,))
        for word, unit in END_WORDS.items()
    ),
    Form(
        "day after time",
        (POINT, lit("after"), POINT),
        _bounded(after=True),
        ("tomorrow after 4pm",),
    ),
    Form(
        "day before time",
        (POINT, lit("before"), POINT),
        _bounded(after=False),
        ("this morning before 9", "yesterday before noon"),
    ),
    Form(
        "day between X and Y",
        (POINT, lit("between", "from"), POINT, lit(*SEP), POINT),
        _range_on_day,
        ("tomorrow between 1-2:30", "Thursday from 9:30 to 11:00"),
    ),
    Form(
        "within D",
        (lit("within"), DURATION),
        _rolling_next,
        ("within 2 weeks",),
    ),
    *(
        Form(
            f"{keyword} … at X",
            (lit(keyword), FILLER, POINT),
            build,
            (f"{keyword} the outage at 3:40am",),
        )
        for keyword, build in (
            ("since", _since),
            ("after", _after),
            ("from", _from),
            ("until", _until),
            ("before", _until),
        )
    ),
    Form(
        "between X and Y",
        (lit("between"), POINT, lit("and"), POINT),
        _range,
        ("between monday and wednesday",),
    ),
    Form(
        "from X to Y",
        (lit("from", "since", "starting"), POINT, lit(*SEP), POINT),
        _range,
        ("from Jul 26 to Jul 27",),
    ),
    Form(
        "X to Y",
        (POINT, lit(*SEP), POINT),
        _range,
        ("Jul 13-15", "3-4pm", "9:30-11:00", "1360643400..1360650000"),
    ),
    Form(
        "X for D",
        (opt("from", "starting"), POINT, lit("for"), DURATION),
        _for,
        ("monday 9am for 3 hours",),
    ),
    Form("since X", (lit("since"), POINT), _since, ("since 3pm", "since friday")),
    Form("from X", (lit("from", "starting"), opt("from"), POINT), _from, ("from monday",)),
    Form("after X", (lit("after"), POINT), _after, ("after 2 pm", "after monday")),
    Form(
        "until X",
        (lit("until", "till", "til", "before"), POINT),
        _until,
        ("until friday", "before 3pm"),
    ),
    Form("up to X", (lit("up"), lit("to", "until"), POINT), _until, ("up to monday",)),
    Form("through X", (lit("through", "thru"), POINT), _through, ("through friday", "through 2pm")),
    Form("by X", (lit("by"), POINT), _by, ("by monday",)),
    Form(
        "point", (opt(*PREFIX), POINT), _point, ("yesterday", "monday 9am", "last night", "Jul 26")
    ),
    Form(
        "absolute date (dateparser)",
        (AbsoluteSlot(),),
        _point,
        ("12-feb-2013", "2013.02.12", "tuesday, february 12 2013 10:00"),
    ),
)
