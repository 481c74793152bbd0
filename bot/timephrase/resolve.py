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
from bot.timephrase.zones import FIXED_UNITS, at, before, seconds_between, step, unit_span

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


def _date_span(piece: p.CalendarDate, ctx: Context) -> Span:
    if piece.year is not None:
        return _day_span(date(piece.year, piece.month, piece.day), ctx.zone)
    candidates: list[Span] = []
    for year in range(ctx.now.year - 4, ctx.now.year + 5):
        try:
            candidates.append(_day_span(date(year, piece.month, piece.day), ctx.zone))
        except ValueError:  # Feb 29 outside a leap year
            continue
    close = [c for c in candidates if abs(c.start.year - ctx.now.year) <= 1] or candidates
    return _nearest(close, ctx.now, ctx.bias)


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
    start, end = unit_span(moment, piece.unit)
    return Span(start, end, piece.unit)


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
    assert isinstance(piece, p.Shifted)
    return _shifted_span(piece, ctx)


def _one(items: Sequence[p.Piece], what: str) -> p.Piece | None:
    if len(items) > 1:
        raise _fail(f"The phrase names more than one {what}")
    return items[0] if items else None


def _single_day(pieces: Sequence[p.Piece], ctx: Context) -> Span | None:
    days = [piece for piece in pieces if isinstance(piece, p.DAYLIKE)]
    if not days:
        return None
    spans = [day_span(piece, ctx) for piece in days]
    first = spans[0]
    if any((s.start, s.end) != (first.start, first.end) for s in spans[1:]):
        raise _fail("Those days contradict each other")
    return first


def _time_on(day: date, clock: p.TimeOfDay, part: p.PartOfDay | None, zone: tzinfo) -> Span:
    hour = clock.hour
    if part is not None and clock.meridiem is None and hour < 12 and part.start_hour >= 12:
        hour += 12  # "8 in the evening", "last night at 11"
    start = at(zone, day, hour, clock.minute, clock.second)
    return Span(start, step(start, clock.grain, 1), clock.grain, clock=True)


def _part_on(day: date, part: p.PartOfDay, zone: tzinfo) -> Span:
    start = at(zone, day, part.start_hour)
    end = at(zone, day + timedelta(days=1)) if part.end_hour == 24 else at(zone, day, part.end_hour)
    return Span(start, end, Grain.HOUR)


def resolve_point(pieces: Sequence[p.Piece], ctx: Context) -> Span:
    """One span for the pieces of a point, in the asker's zone."""
    zone_piece = _one([x for x in pieces if isinstance(x, p.ExplicitZone)], "time zone")
    rest = [x for x in pieces if not isinstance(x, p.ExplicitZone)]
    local = ctx
    if isinstance(zone_piece, p.ExplicitZone):
        local = Context(ctx.now.astimezone(zone_piece.zone), zone_piece.zone, ctx.bias)
    return _resolve_local(rest, local).in_zone(ctx.zone)


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
        if clock is not None or part is None or not 1 <= number.value <= 12:
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
