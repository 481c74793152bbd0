"""A TaskSource that answers from the index when it can be trusted, else asks the API live.

Trusted (docs/index.md): the index has synced every start time the question needs, and each
part it reads is fresh enough: the near part (tasks starting from 24 h ago to an hour ahead,
where tasks still start and stop) within `max_age`, the far part (the rest of the 7 days
ahead) within `far_age`, the settled past within `settled_age`. A question about now (its
window reaches past now and begins within the next hours) needs the near part within
`now_age`: what it reads of a part too old is refreshed first, else it goes live.

When the sync budget stretches the near or far period (`bot.index.budget`), that part's age
limit grows by as much: a question not about now answers from an index as old as the syncer
keeps it (its footer says how old, and that the budget set the period) instead of going live,
which would spend on each question the calls the budget saved. A question about now is not
affected: it still refreshes first.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import ApiError
from bot.filters import Filters
from bot.index.ranges import Synced, covering
from bot.index.store import IndexStore
from bot.index.sync import Kind, Syncer, horizon, hot_start, near_end
from bot.plan import MAX_TASK, Plan, oldest_allowed, plan_windows
from bot.source import FetchResult, FetchStats
from bot.tasks import RecordTask
from bot.timephrase.window import Window

if TYPE_CHECKING:
    from bot.css.query import CssSource

log = logging.getLogger(__name__)

NOW_REACH = timedelta(hours=6)  # a window starting this soon, and ending after now, is "now"


@dataclass(frozen=True)
class Freshness:
    max_age: timedelta = timedelta(seconds=120)  # the near part
    now_age: timedelta = timedelta(seconds=15)  # the near part, for a question about now
    settled_age: timedelta = timedelta(days=2)
    far_age: timedelta = timedelta(minutes=15)  # the far part


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Memo:
    """The index as one replica last read it: which starts were synced when (read first),
    and the tasks (read after, so they are at least as new as the pieces claim)."""

    version: tuple[int, datetime | None]
    pieces: tuple[Synced, ...]
    tasks: list[RecordTask]  # by start
    starts: list[datetime]


@dataclass(frozen=True)
class Reading:
    """What the index would answer from: the start times read and the pieces covering them."""

    start: datetime
    end: datetime
    pieces: tuple[Synced, ...]
    about_now: bool


def about_now(plan: Plan, now: datetime) -> bool:
    return plan.end > now and plan.start < now + NOW_REACH


class Part(StrEnum):
    """Where a start time lies, which says how old its listing may be."""

    SETTLED = "settled"  # before hot_start: every such task has ended
    NEAR = "near"  # hot_start .. near_end: tasks still start, stop and get created
    FAR = "far"  # near_end .. horizon: tasks scheduled ahead


def parts_read(piece: Synced, reading: Reading, now: datetime) -> set[Part]:
    """The parts in which the question reads this piece."""
    low, high = max(piece.start, reading.start), min(piece.end, reading.end)
    edges = ((Part.SETTLED, _EARLIEST, hot_start(now)), (Part.NEAR, hot_start(now), near_end(now)))
    found = {part for part, a, b in edges if low < b and high > a}
    if high > near_end(now):
        found.add(Part.FAR)
    return found


def _reads_hot(piece: Synced, reading: Reading, now: datetime) -> bool:
    """Whether the question reads this piece where tasks may still change."""
    return bool(parts_read(piece, reading, now) - {Part.SETTLED})


def _reading(pieces: Sequence[Synced], plan: Plan, now: datetime) -> Reading | None:
    start, end = needed(plan, now)
    if plan.empty or end <= start:
        return None
    used = covering(pieces, start, end)
    if used is None:
        return None
    return Reading(start, end, tuple(used), about_now(plan, now))


def _starting(memo: _Memo, start: datetime, end: datetime) -> list[RecordTask]:
    """The tasks starting in `[start, end)`: a bisect of what is kept decoded."""
    return memo.tasks[bisect_left(memo.starts, start) : bisect_left(memo.starts, end)]


def needed(plan: Plan, now: datetime) -> tuple[datetime, datetime]:
    """Start times of every task that can overlap the plan's window and is still listed."""
    return max(oldest_allowed(now), plan.start - MAX_TASK), min(plan.end, horizon(now))


class IndexSource:
    """`bot.source.TaskSource` over the index, with `live` for what the index cannot answer."""

    def __init__(
        self,
        store: IndexStore,
        live: CssSource,
        freshness: Freshness | None = None,
        *,
        syncer: Syncer | None = None,
    ) -> None:
        self.store = store
        self.live = live
        self.freshness = freshness or Freshness()
        self.syncer = syncer or Syncer(store, live)
        self.account = live.cache_scope
        self.simulated = live.simulated
        self._refreshing = threading.Lock()
        self._memo: _Memo | None = None
        self._memo_lock = threading.Lock()

    def close(self) -> None:
        self.live.close()

    def __enter__(self) -> IndexSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def reading(self, plan: Plan, now: datetime) -> Reading | None:
        """The pieces a question would read, or None when some start time is not synced."""
        return _reading(self.store.pieces(self.account), plan, now)

    def limit(self, part: Part, reading: Reading) -> timedelta:
        """How old a listing of this part the question may read: as configured, plus what
        the sync budget lengthened that part's period by (not for a question about now)."""
        return self.configured_limit(part, reading) + self.stretch(part, reading)

    def configured_limit(self, part: Part, reading: Reading) -> timedelta:
        if part is Part.NEAR:
            return self.freshness.now_age if reading.about_now else self.freshness.max_age
        return self.freshness.far_age if part is Part.FAR else self.freshness.settled_age

    def stretch(self, part: Part, reading: Reading) -> timedelta:
        """How much longer than configured the syncer lists this part, if a question reading
        it may wait for that (a question about now refreshes its near part instead)."""
        configured, effective = self.syncer.budget.configured, self.syncer.budget.effective
        if part is Part.NEAR and not reading.about_now:
            return effective.near - configured.near
        if part is Part.FAR:
            return effective.far - configured.far
        return timedelta(0)

    def stretched_period(self, reading: Reading, now: datetime) -> timedelta | None:
        """The period of the part this answer reads only because the budget stretched it
        (older than configured allows): what the footer explains. None if none."""
        effective = self.syncer.budget.effective
        overdue = {
            part
            for p in reading.pieces
            for part in parts_read(p, reading, now)
            if p.at < now - self.configured_limit(part, reading)
        }
        if Part.NEAR in overdue:
            return effective.near
        return effective.far if Part.FAR in overdue else None

    def stale_parts(self, reading: Reading, now: datetime) -> set[Part]:
        """The parts this question reads from a listing too old for it."""
        return {
            part
            for p in reading.pieces
            for part in parts_read(p, reading, now)
            if p.at < now - self.limit(part, reading)
        }

    def stale(self, reading: Reading, now: datetime) -> tuple[Synced, ...]:
        """The pieces too old for this question."""
        return tuple(
            p
            for p in reading.pieces
            if any(p.at < now - self.limit(part, reading) for part in parts_read(p, reading, now))
        )

    def fetch_tasks(self, window: Window, filters: Filters, now: datetime) -> FetchResult:
        try:
            from_index = self._from_index(window, filters)
        except SQLAlchemyError as exc:  # the database is down: the API still answers
            log.warning("index unreadable, asking live", extra={"error": type(exc).__name__})
            from_index = None
        return from_index or self.live.fetch_tasks(window, filters, now)

    def _from_index(self, window: Window, filters: Filters) -> FetchResult | None:
        """The answer from the index, or None when it cannot be trusted for this window."""
        started = time.monotonic()
        server_now = self.live.server_clock()
        plan = plan_windows(window, server_now)
        calls = pages = 0
        # What this replica read last will do if it is fresh enough for this question (its
        # sync loop reads again after each write): no database round trip, no decoding.
        memo = self._memo
        reading = _reading(memo.pieces, plan, server_now) if memo is not None else None
        if reading is None or self.stale(reading, server_now):
            memo = self._current()
            reading = _reading(memo.pieces, plan, server_now)
            if reading is not None and self._refreshable(reading, server_now):
                try:
                    calls, pages = self._refresh(plan, server_now)
                except ApiError as error:  # a failed refresh never decides the answer
                    log.warning("index refresh failed, asking live", extra={"error": error.code})
                    return None
                memo = self._current()
                reading = _reading(memo.pieces, plan, server_now)
        if memo is None or reading is None or self.stale(reading, server_now):
            return None
        tasks = tuple(
            t
            for t in _starting(memo, reading.start, reading.end)
            if t.overlaps(plan.start, plan.end) and filters.matches(t)
        )
        hot = [p.at for p in reading.pieces if _reads_hot(p, reading, server_now)]
        synced = min(hot or [p.at for p in reading.pieces])
        every = self.stretched_period(reading, server_now)
        stats = FetchStats(
            region=self.live.region,
            api_calls=calls,
            pages=pages,
            elapsed_s=time.monotonic() - started,
            simulated=self.simulated,
            index_age_s=max(0.0, (server_now - synced).total_seconds()),
            index_every_s=every.total_seconds() if every is not None else None,
        )
        return FetchResult(tasks, stats, plan, plan.notes)

    def warm(self) -> None:
        """Decode the index again if a sync changed it; every replica's sync loop calls this
        after each tick, so questions seldom pay for decoding 10,000 rows themselves."""
        self._current()

    def _current(self) -> _Memo:
        """Read the index again: the pieces first, then the tasks, decoded again only if a
        sync changed them (the account's tasks are kept decoded, by start). The sync budget
        is read again too (at most every few seconds): what ages the pieces may have."""
        self.syncer.govern(self.live.server_clock())
        pieces = tuple(self.store.pieces(self.account))
        version = self.store.version(self.account)
        with self._memo_lock:
            memo = self._memo
        if memo is not None and memo.version == version:
            memo = _Memo(version, pieces, memo.tasks, memo.starts)
        else:
            everything = self.store.tasks_starting(self.account, _EARLIEST, _LATEST)
            memo = _Memo(version, pieces, everything, [t.start for t in everything])
        with self._memo_lock:
            self._memo = memo
        return memo

    def _refreshable(self, reading: Reading, now: datetime) -> bool:
        """A question about now refreshes what it reads of a stale near or far part first;
        a stale settled past (a reconcile long overdue) is not worth it: that goes live."""
        stale = self.stale_parts(reading, now)
        return reading.about_now and bool(stale) and Part.SETTLED not in stale

    def _refresh(self, plan: Plan, now: datetime) -> tuple[int, int]:
        """List what a question about now reads of its stale parts; (calls, pages)."""
        with self._refreshing:
            reading = self.reading(plan, now)
            if reading is None or not self._refreshable(reading, now):
                return 0, 0  # another question refreshed it while we waited
            stale = self.stale_parts(reading, now)
            start = max(reading.start, hot_start(now) if Part.NEAR in stale else near_end(now))
            end = reading.end if Part.FAR in stale else min(reading.end, near_end(now))
            run = self.syncer.sync_range(Kind.NOW, start, end)
            log.info("index refreshed for a question about now", extra={"calls": run.calls})
            return run.calls, run.pages
