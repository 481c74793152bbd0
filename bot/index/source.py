"""A TaskSource that answers from the index when it can be trusted, else asks the API live.

Trusted (docs/index.md): the index has synced every start time the question needs, the part
that can still change (tasks starting from 24 h ago) was synced within `max_age`, and the
settled past was reconciled within `settled_age`. A question about now (its window reaches
past now and begins within the next hours) needs that part synced within `now_age`: it is
refreshed first, a listing of just the part the question reads.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import ApiError
from bot.filters import Filters
from bot.index.ranges import Synced, covering
from bot.index.store import IndexStore
from bot.index.sync import Kind, Syncer, horizon, hot_start
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
    max_age: timedelta = timedelta(seconds=120)
    now_age: timedelta = timedelta(seconds=15)
    settled_age: timedelta = timedelta(days=2)


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Memo:
    version: tuple[int, datetime | None]
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


def _reads_hot(piece: Synced, reading: Reading, now: datetime) -> bool:
    """Whether the question reads this piece where tasks may still change."""
    return min(piece.end, reading.end) > hot_start(now)


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
        start, end = needed(plan, now)
        if plan.empty or end <= start:
            return None
        used = covering(self.store.pieces(self.account), start, end)
        if used is None:
            return None
        return Reading(start, end, tuple(used), about_now(plan, now))

    def stale(self, reading: Reading, now: datetime) -> tuple[Synced, ...]:
        """The pieces too old for this question."""
        limit = self.freshness.now_age if reading.about_now else self.freshness.max_age
        return tuple(
            p
            for p in reading.pieces
            if p.at < now - (limit if _reads_hot(p, reading, now) else self.freshness.settled_age)
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
        reading = self.reading(plan, server_now)
        calls = pages = 0
        if reading is not None and self.stale(reading, server_now) and reading.about_now:
            try:
                calls, pages = self._refresh(plan, server_now)
            except ApiError as error:  # a failed refresh never decides the answer: go live
                log.warning("index refresh failed, asking live", extra={"error": error.code})
                return None
            reading = self.reading(plan, server_now)
        if reading is None or self.stale(reading, server_now):
            return None
        tasks = tuple(
            t
            for t in self._starting(reading.start, reading.end)
            if t.overlaps(plan.start, plan.end) and filters.matches(t)
        )
        hot = [p.at for p in reading.pieces if _reads_hot(p, reading, server_now)]
        synced = min(hot or [p.at for p in reading.pieces])
        stats = FetchStats(
            region=self.live.region,
            api_calls=calls,
            pages=pages,
            elapsed_s=time.monotonic() - started,
            simulated=self.simulated,
            index_age_s=max(0.0, (server_now - synced).total_seconds()),
        )
        return FetchResult(tasks, stats, plan, plan.notes)

    def warm(self) -> None:
        """Decode the index again if a sync changed it; every replica's sync loop calls this
        after each tick, so questions seldom pay for decoding 10,000 rows themselves."""
        self._current()

    def _current(self) -> _Memo:
        version = self.store.version(self.account)
        with self._memo_lock:
            memo = self._memo
        if memo is None or memo.version != version:
            everything = self.store.tasks_starting(self.account, _EARLIEST, _LATEST)
            memo = _Memo(version, everything, [t.start for t in everything])
            with self._memo_lock:
                self._memo = memo
        return memo

    def _starting(self, start: datetime, end: datetime) -> list[RecordTask]:
        """Indexed tasks starting in `[start, end)`. The account's tasks are decoded once per
        index version (a sync changes it) and kept: a 90-day question then costs a bisect."""
        memo = self._current()
        return memo.tasks[bisect_left(memo.starts, start) : bisect_left(memo.starts, end)]

    def _refresh(self, plan: Plan, now: datetime) -> tuple[int, int]:
        """List the part of a question about now that can still change; (calls, pages)."""
        with self._refreshing:
            reading = self.reading(plan, now)
            if reading is None or not self.stale(reading, now):
                return 0, 0  # another question refreshed it while we waited
            start = max(reading.start, hot_start(now))
            run = self.syncer.sync_range(Kind.NOW, start, reading.end)
            log.info("index refreshed for a question about now", extra={"calls": run.calls})
            return run.calls, run.pages
