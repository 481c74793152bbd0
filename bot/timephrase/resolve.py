"""Pieces of a point -> a span of time `[start, end)` in the asker's zone, from `now`.

The ops rules live here: a time without a date is today, a date without a year is its
nearest occurrence, and "since X" asks for the most recent past occurrence (Bias.PAST).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.errors import ParseError
from bot.timephrase import pieces as p
from bot.timephrase.lexer import EXAMPLES
from bot.timephrase.limits import YEARS
from bot.timephrase.window import Grain
from bot.timephrase.zones import (
    FIXED_UNITS,
    add_months,
    at,
    before,
    elapsed,
    seconds_between,
    step,
    unit_span,
)

FINER: dict[Grain, Grain] = {
    Grain.SECOND: Grain.SECOND,
    Grain.MINUTE: Grain.SECOND,
    Grain.HOUR: Grain.MINUTE,
}


class Bias(StrEnum):
    NEAREST = "nearest"
    PAST = "past"  # "since X": the most recent X that has begun
    FUTURE = "future"  # "by X": the first X still ahead


@dataclass(frozen=True)
class Context:
    """When and where a point is resolved, and which occurrence wins."""

    now: datetime  # aware, in `zone`
    zone: tzinfo
    bias: Bias = Bias.NEAREST


@dataclass(frozen=True)
class Span:
    """A resolved point. `clock` is True for a time of day or an instant (finer than a day):
    a range ending at one ends at its start, not its end."""

    start: datetime
    end: datetime
    grain: Grain
    clock: bool = False

    def in_zone(self, zone: tzinfo) -> Span:
        return replace(self, start=self.start.astimezone(zone), end=self.end.astimezone(zone))


def _fail(reason: str) -> ParseError:
    return ParseError(reason, EXAMPLES)


def _day_span(day: date, zone: tzinfo) -> Span:
    return Span(at(zone, day), at(zone, day + timedelta(days=1)), Grain.DAY)


def _nearest(candidates: list[Span], now: datetime, bias: Bias) -> Span:
    """The candidate nearest to now; with Bias.PAST the latest that has begun."""
    if bias is Bias.PAST:
        begun = [c for c in candidates if not before(now, c.start)]
        if begun:
            return max(begun, key=lambda c: c.start.timestamp())
    if bias is Bias.FUTURE:
        ahead = [c for c in candidates if before(now, c.start)]
        if ahead:
            return min(ahead, key=lambda c: c.start.timestamp())

    def distance(c: Span) -> float:
        if not before(now, c.start) and before(now, c.end):
            return 0.0
        return min(abs(seconds_between(now, c.start)), abs(seconds_between(now, c.end)))

    return min(candidates, key=distance)


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _agreeing(day: date, weekday: int | None) -> date:
    """`day`, checked against the weekday written with it ("Tuesday, Feb 12")."""
    if weekday is not None and day.weekday() != weekday:
        raise _fail(
            f"{day:%b} {day.day} {day.year} is a {_WEEKDAY_NAMES[day.weekday()]}, "
            f"not a {_WEEKDAY_NAMES[weekday]}"
        )
    return day


def _date_span(piece: p.CalendarDate, ctx: Context, weekday: int | None = None) -> Span:
    if piece.year is not None:
        return _day_span(_agreeing(date(piece.year, piece.month, piece.day), weekday), ctx.zone)
    candidates: list[Span] = []
    for year in range(ctx.now.year - 4, ctx.now.year + 5):
        try:
            candidates.append(_day_span(date(year, piece.month, piece.day), ctx.zone))
        except ValueError:  # Feb 29 outside a leap year
            continue
    close = [c for c in candidates if abs(c.start.year - ctx.now.year) <= 1] or candidates
    if weekday is not None:
        # A weekday picks, among the near years, the one where the date falls on it.
        agreeing = [c for c in close if c.start.weekday() == weekday]
        if not agreeing:
            _agreeing(_nearest(close, ctx.now, ctx.bias).start.date(), weekday)
        close = agreeing
    return _nearest(close, ctx.now, ctx.bias)


def _day_of_month_span(piece: p.DayOfMonth, ctx: Context, weekday: int | None) -> Span:
    """The nearest month that has that day (on that weekday, when one is written)."""
    reach = 12 if weekday is not None else 1
    first = date(ctx.now.year, ctx.now.month, 1)
    candidates: list[Span] = []
    for months in range(-reach, reach + 1):
        month = add_months(first, months)
        try:
            day = date(month.year, month.month, piece.day)
        except ValueError:
            continue
        if weekday is None or day.weekday() == weekday:
            candidates.append(_day_span(day, ctx.zone))
    if not candidates:
        raise _fail(f"No month near now has a day {piece.day}")
    return _nearest(candidates, ctx.now, ctx.bias)


def _day_in(container: Span, piece: p.DayOfMonth, weekday: int | None) -> Span:
    """ "the 20th of next month": that day of the month-long span the rest names."""
    first = container.start.date()
    if container.grain is not Grain.MONTH:
        raise _fail("A day of the month needs a month, e.g. 'the 20th of next month'")
    try:
        day = date(first.year, first.month, piece.day)
    except ValueError:
        raise _fail(f"{first:%B} {first.year} has no day {piece.day}") from None
    zone = container.start.tzinfo
    assert zone is not None
    return _day_span(_agreeing(day, weekday), zone)


def _quarter_span(piece: p.Quarter, ctx: Context) -> Span:
    def span(year: int, index: int) -> Span:
        start = at(ctx.zone, date(year, (index - 1) * piece.months + 1, 1))
        return Span(start, step(start, Grain.MONTH, piece.months), Grain.MONTH)

    if piece.offset is not None:
        current = (ctx.now.month - 1) // piece.months
        year, index = divmod(
            ctx.now.year * (12 // piece.months) + current + piece.offset, 12 // piece.months
        )
        return span(year, index + 1)
    if piece.year is not None:
        return span(piece.year, piece.index)
    years = range(ctx.now.year - 1, ctx.now.year + 2)
    return _nearest([span(y, piece.index) for y in years], ctx.now, ctx.bias)


def _month_span(month: int, year: int, zone: tzinfo) -> Span:
    start = at(zone, date(year, month, 1))
    return Span(start, step(start, Grain.MONTH, 1), Grain.MONTH)


def _weekday_span(piece: p.Weekday, ctx: Context) -> Span:
    today = ctx.now.date()
    monday = today - timedelta(days=today.weekday())
    if piece.mode is p.WeekdayMode.RECENT and ctx.bias is Bias.FUTURE:
        day = today + timedelta(days=(piece.weekday - today.weekday() - 1) % 7 + 1)
    elif piece.mode is p.WeekdayMode.RECENT:
        day = today - timedelta(days=(today.weekday() - piece.weekday) % 7)
    elif piece.mode is p.WeekdayMode.LAST:
        day = today - timedelta(days=(today.weekday() - piece.weekday - 1) % 7 + 1)
    elif piece.mode is p.WeekdayMode.NEXT:
        day = monday + timedelta(days=7 + piece.weekday)
    else:
        day = monday + timedelta(days=7 * piece.week_offset + piece.weekday)
    return _day_span(day, ctx.zone)


def _weekend_span(piece: p.Weekend, ctx: Context) -> Span:
    today = ctx.now.date()
    monday = today - timedelta(days=today.weekday())
    weeks = {p.WeekendMode.THIS: 0, p.WeekendMode.LAST: -1, p.WeekendMode.NEXT: 1}[piece.mode]
    friday = monday + timedelta(days=4 + 7 * weeks)
    return Span(at(ctx.zone, friday, 18), at(ctx.zone, friday + timedelta(days=3)), Grain.DAY)


def _shifted_span(piece: p.Shifted, ctx: Context) -> Span:
    try:
        moment = step(ctx.now, piece.unit, piece.sign * piece.count)
    except (OverflowError, ValueError):
        raise _fail(
            f"{piece.count} {piece.unit}s is further than I can count (I read the years {YEARS})"
        ) from None
    if piece.unit in FIXED_UNITS:
        grain = FINER[piece.unit]
        start, end = unit_span(moment, grain)
        return Span(start, end, grain, clock=True)
    start, end = unit_span(moment, Grain.DAY)  # "3 weeks ago" is that day (ops)
    return Span(start, end, Grain.DAY)


def day_span(piece: p.Piece, ctx: Context) -> Span:
    """The span of one day-or-longer piece."""
    if isinstance(piece, p.RelativeDay):
        return _day_span(ctx.now.date() + timedelta(days=piece.offset), ctx.zone)
    if isinstance(piece, p.Weekday):
        return _weekday_span(piece, ctx)
    if isinstance(piece, p.CalendarDate):
        return _date_span(piece, ctx)
    if isinstance(piece, p.Month):
        if piece.year is not None:
            return _month_span(piece.month, piece.year, ctx.zone)
        years = range(ctx.now.year - 1, ctx.now.year + 2)
        return _nearest([_month_span(piece.month, y, ctx.zone) for y in years], ctx.now, ctx.bias)
    if isinstance(piece, p.Year):
        start = at(ctx.zone, date(piece.year, 1, 1))
        return Span(start, at(ctx.zone, date(piece.year + 1, 1, 1)), Grain.YEAR)
    if isinstance(piece, p.CalendarUnit):
        start, _ = unit_span(ctx.now, piece.unit)
        start = step(start, piece.unit, piece.offset)
        return Span(start, step(start, piece.unit, 1), piece.unit, clock=piece.unit in FIXED_UNITS)
    if isinstance(piece, p.Weekend):
        return _weekend_span(piece, ctx)
    if isinstance(piece, p.Quarter):
        return _quarter_span(piece, ctx)
    if isinstance(piece, p.DayOfMonth):
        return _day_of_month_span(piece, ctx, None)
    assert isinstance(piece, p.Shifted)
    return _shifted_span(piece, ctx)


def _one(items: Sequence[p.Piece], what: str) -> p.Piece | None:
    if len(items) > 1:
        raise _fail(f"The phrase names more than one {what}")
    return items[0] if items else None


def _dated(days: Sequence[p.Piece], ctx: Context) -> Span | None:
    """A date written with its weekday ("Sat, Aug 9", "Thursday the 12th"), or a day of the
    month inside a month ("the 20th of next month"); None when the pieces are neither."""
    dated = [x for x in days if isinstance(x, p.CalendarDate | p.DayOfMonth)]
    if len(dated) != 1:
        return None
    weekdays = [x for x in days if isinstance(x, p.Weekday) and x.mode is p.WeekdayMode.RECENT]
    weekday = weekdays[0].weekday if len(weekdays) == 1 else None
    rest = [x for x in days if x is not dated[0] and x not in weekdays]
    piece = dated[0]
    if isinstance(piece, p.CalendarDate):
        return None if rest else _date_span(piece, ctx, weekday)
    if not rest:
        return _day_of_month_span(piece, ctx, weekday)
    container = _single_day(rest, ctx)
    assert container is not None
    return _day_in(container, piece, weekday)


def _single_day(pieces: Sequence[p.Piece], ctx: Context) -> Span | None:
    days = [piece for piece in pieces if isinstance(piece, p.DAYLIKE)]
    if not days:
        return None
    dated = _dated(days, ctx)
    if dated is not None:
        return dated
    spans = [day_span(piece, ctx) for piece in days]
    first = spans[0]
    if any((s.start, s.end) != (first.start, first.end) for s in spans[1:]):
        raise _fail("Those days contradict each other")
    return first


def _time_on(day: date, clock: p.TimeOfDay, part: p.PartOfDay | None, zone: tzinfo) -> Span:
    hour = clock.hour
    if part is not None and clock.meridiem is None and hour < 12 and part.start_hour >= 12:
        hour += 12  # "8 in the evening", "last night at 11"
    if part is not None and not part.start_hour - 1 <= hour <= part.end_hour:
        # "this evening at 2", "tonight @ 3:20": the time is not in (or within an hour of)
        # that part of the day; "this evening at 5" and "this morning at 12" are.
        where = "tonight" if part.name == "tonight" else f"in the {part.name}"
        raise _fail(f"'{clock.text or hour}' is not {where}")
    start = at(zone, day, hour, clock.minute, clock.second)
    return Span(start, step(start, clock.grain, 1), clock.grain, clock=True)


def _part_on(day: date, part: p.PartOfDay, zone: tzinfo) -> Span:
    start = at(zone, day, part.start_hour)
    end = at(zone, day + timedelta(days=1)) if part.end_hour == 24 else at(zone, day, part.end_hour)
    return Span(start, end, Grain.HOUR)


def resolve_point(pieces: Sequence[p.Piece], ctx: Context) -> Span:
    """One span for the pieces of a point, in the asker's zone."""
    zone_piece = _one([x for x in pieces if isinstance(x, p.ExplicitZone)], "time zone")
    rest = [x for x in pieces if not isinstance(x, (p.ExplicitZone, *p.MODIFIERS))]
    local = ctx
    if isinstance(zone_piece, p.ExplicitZone):
        local = Context(ctx.now.astimezone(zone_piece.zone), zone_piece.zone, ctx.bias)
    span = _resolve_local(rest, local)
    week_of = _one([x for x in pieces if isinstance(x, p.WeekOf)], "week of")
    if isinstance(week_of, p.WeekOf) and any(isinstance(x, p.DayOfMonth) for x in pieces):
        raise _fail("I can't count weeks from the end ('2nd last week'); name the week's date")
    if isinstance(week_of, p.WeekOf):
        span = _week_of(span, week_of)
    nth = _one([x for x in pieces if isinstance(x, p.NthWeekday)], "nth day")
    if isinstance(nth, p.NthWeekday):
        span = _nth_day(span, nth)
    edge = _one([x for x in pieces if isinstance(x, p.Edge)], "edge")
    if isinstance(edge, p.Edge):
        span = _edge(span, edge.kind)
    return span.in_zone(ctx.zone)


def _week_of(span: Span, piece: p.WeekOf) -> Span:
    """The Monday week holding the span's first (or last) day; weekends Fri 18:00 -> Mon."""
    zone = span.start.tzinfo
    assert zone is not None
    first = span.start.date()
    last = (span.end - timedelta(microseconds=1)).date() if span.end > span.start else first
    if piece.weekend:
        saturdays = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() == 5
        ]
        if not saturdays:
            raise _fail("There is no weekend in that")
        saturday = saturdays[-1] if piece.which == "last" else saturdays[0]
        friday = saturday - timedelta(days=1)
        return Span(at(zone, friday, 18), at(zone, friday + timedelta(days=3)), Grain.DAY)
    day = last if piece.which == "last" else first
    monday = day - timedelta(days=day.weekday())
    start = at(zone, monday)
    return Span(start, at(zone, monday + timedelta(days=7)), Grain.WEEK)


def _nth_day(span: Span, piece: p.NthWeekday) -> Span:
    """The nth (or last) day, or such weekday, of a span of whole days."""
    zone = span.start.tzinfo
    assert zone is not None
    first, after = span.start.date(), span.end.date()
    days = [first + timedelta(days=n) for n in range((after - first).days)]
    if piece.weekday is not None:
        days = [d for d in days if d.weekday() == piece.weekday]
    index = piece.nth - 1 if piece.nth > 0 else piece.nth
    if span.grain is Grain.DAY or not -len(days) <= index < len(days):
        raise _fail("There is no such day in that period")
    return _day_span(days[index], zone)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _edge(span: Span, kind: p.EdgeKind) -> Span:
    """A third of the span (docs/time-phrases.md, "Edges"): days 1-10 / 11-20 / 21-end of a
    month, Jan-Apr / May-Aug / Sep-Dec of a year (thirds of the months of any run of whole
    months), Mon-Tue / Wed-Thu / Fri-Sun of a week, else thirds of the elapsed time."""
    zone = span.start.tzinfo
    assert zone is not None
    third = {p.EdgeKind.BEGINNING: 0, p.EdgeKind.MIDDLE: 1, p.EdgeKind.END: 2}[kind]
    first, after = span.start.date(), span.end.date()
    whole_days = span.start == at(zone, first) and span.end == at(zone, after)
    months = _months_between(first, after)
    if whole_days and first.day == 1 and after.day == 1 and months == 1:
        bounds = [first, first.replace(day=11), first.replace(day=21), after]
        return Span(at(zone, bounds[third]), at(zone, bounds[third + 1]), Grain.DAY)
    if whole_days and first.day == 1 and after.day == 1 and months % 3 == 0:
        size = months // 3
        start = at(zone, add_months(first, size * third))
        return Span(start, step(start, Grain.MONTH, size), Grain.MONTH)
    if whole_days and span.grain is Grain.WEEK:
        bounds = [first, first + timedelta(days=2), first + timedelta(days=4), after]
        return Span(at(zone, bounds[third]), at(zone, bounds[third + 1]), Grain.DAY)
    length = seconds_between(span.start, span.end) // 60 // 3
    start = elapsed(span.start, timedelta(minutes=length * third))
    end = span.end if third == 2 else elapsed(start, timedelta(minutes=length))
    return Span(start, end, Grain.MINUTE if span.grain is Grain.DAY else span.grain)


def _resolve_local(pieces: Sequence[p.Piece], ctx: Context) -> Span:
    exact = [x for x in pieces if isinstance(x, p.Instant | p.Now)]
    if exact:
        if len(pieces) > 1:
            raise _fail("An exact time cannot be combined with other dates or times")
        piece = exact[0]
        if isinstance(piece, p.Now):
            return Span(ctx.now, step(ctx.now, Grain.SECOND, 1), Grain.SECOND, clock=True)
        assert isinstance(piece, p.Instant)
        moment = piece.moment.astimezone(ctx.zone)
        return Span(moment, step(moment, piece.grain, 1), piece.grain, clock=True)
    part = _one([x for x in pieces if isinstance(x, p.PartOfDay)], "part of the day")
    clock = _one([x for x in pieces if isinstance(x, p.TimeOfDay)], "time of day")
    number = _one([x for x in pieces if isinstance(x, p.BareNumber)], "bare number")
    if isinstance(number, p.BareNumber):
        named_day = any(isinstance(x, p.RelativeDay | p.Weekday) for x in pieces)
        if clock is None and part is None and named_day and number.value <= 23:
            part = None  # "9 tomorrow": the hour of that day, as a 24-hour clock (ops)
        elif clock is not None or part is None or not 1 <= number.value <= 12:
            hint = (
                f"; write '{number.value}pm' or '{number.value}:00'"
                if (0 < number.value <= 12)
                else ""
            )
            raise _fail(f"A lone number ({number.value}) is not a time{hint}")
        clock = p.TimeOfDay(number.value, 0, 0, Grain.HOUR, None, str(number.value))
    day = _single_day(pieces, ctx)
    if clock is None and part is None:
        if day is None:
            raise _fail("There is no date or time in that phrase")
        return day
    assert clock is None or isinstance(clock, p.TimeOfDay)
    assert part is None or isinstance(part, p.PartOfDay)
    if day is not None and day.grain is not Grain.DAY:
        raise _fail("A time of day needs one day, not a longer period")
    base = day.start.date() if day is not None else ctx.now.date()

    def on(d: date) -> Span:
        if clock is not None:
            return _time_on(d, clock, part, ctx.zone)
        assert part is not None
        return _part_on(d, part, ctx.zone)

    span = on(base)
    if day is None and ctx.bias is Bias.PAST and before(ctx.now, span.start):
        span = on(base - timedelta(days=1))  # "since 3pm" at 04:30: yesterday 15:00
    elif day is None and ctx.bias is Bias.FUTURE and not before(ctx.now, span.start):
        span = on(base + timedelta(days=1))  # "by 3am" at 04:30: tomorrow 03:00
    return span
