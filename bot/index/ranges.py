"""Which task start times the index has synced, and when: pure arithmetic over `Synced` pieces.

A sync of the start range `[start, end)` lists every task starting there (a DescribeRecordTask
window reaching 24 h past `end` holds each of them whole, since no task lasts longer), so the
index knows that range as of the moment the reads began. Pieces never overlap: where two syncs
cover the same times, the newer one wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from bot.plan import GRID_S, MAX_TASK
from bot.tasks import from_unix, to_unix

# A sync's API windows list the starts of one such span each, plus one task length: 7 days.
CHUNK = timedelta(days=6)


@dataclass(frozen=True)
class Synced:
    """Every task starting in `[start, end)` was listed by reads that began at `at`."""

    start: datetime
    end: datetime
    at: datetime


def overlay(pieces: Iterable[Synced], new: Synced) -> list[Synced]:
    """The pieces after `new` landed: per instant the newest sync wins; equal neighbours merge."""
    every = [*pieces, new]
    edges = sorted({p.start for p in every} | {p.end for p in every})
    result: list[Synced] = []
    for left, right in pairwise(edges):
        newest = max((p.at for p in every if p.start <= left and p.end >= right), default=None)
        if newest is None:
            continue
        last = result[-1] if result else None
        if last is not None and last.end == left and last.at == newest:
            result[-1] = Synced(last.start, right, newest)
        else:
            result.append(Synced(left, right, newest))
    return result


def covering(pieces: Sequence[Synced], start: datetime, end: datetime) -> list[Synced] | None:
    """The pieces that together cover `[start, end)`, or None when some instant is not synced."""
    used = sorted((p for p in pieces if p.start < end and p.end > start), key=lambda p: p.start)
    cursor = start
    for piece in used:
        if piece.start > cursor:
            return None
        cursor = max(cursor, piece.end)
    return used if cursor >= end else None


def gaps(
    pieces: Sequence[Synced], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The parts of `[start, end)` no piece covers, in order."""
    found: list[tuple[datetime, datetime]] = []
    cursor = start
    for piece in sorted(pieces, key=lambda p: p.start):
        if piece.end <= cursor or piece.start >= end:
            continue
        if piece.start > cursor:
            found.append((cursor, piece.start))
        cursor = max(cursor, piece.end)
    if cursor < end:
        found.append((cursor, end))
    return found


def grid_down(moment: datetime) -> datetime:
    unix = to_unix(moment)
    return from_unix(unix - unix % GRID_S)


def grid_up(moment: datetime) -> datetime:
    unix = to_unix(moment) + (1 if moment.microsecond else 0)
    return from_unix(unix + -unix % GRID_S)


def windows_for(start: datetime, end: datetime) -> list[tuple[int, int]]:
    """DescribeRecordTask windows (Unix seconds, at most 7 days each) that list every task
    starting in `[start, end)`: one per CHUNK of starts, reaching one task length past it."""
    spans: list[tuple[int, int]] = []
    cursor = start.astimezone(UTC)
    while cursor < end:
        stop = min(cursor + CHUNK, end)
        spans.append((to_unix(cursor), to_unix(stop + MAX_TASK)))
        cursor = stop
    return spans


def chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """`[start, end)` cut into CHUNKs (one API window each): backfill commits one at a time."""
    parts: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor < end:
        parts.append((cursor, min(cursor + CHUNK, end)))
        cursor = min(cursor + CHUNK, end)
    return parts
