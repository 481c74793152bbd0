"""Keeping the index true: backfill, hot refresh, reconcile and one-stream refreshes.

Every listing goes through the live query engine (`CssSource.list_windows`), so sync calls
share the account's rate limiter with questions. One replica syncs at a time (a lease in the
database); the writes themselves are safe from any number of replicas (see `store`).

- backfill: the 90 days and 7 ahead, newest first, a few API windows per step, each step
  committed, so it resumes where it stopped;
- near refresh (kind "hot"): tasks starting from 24 h ago to an hour ahead, where tasks
  still start, stop and get created for right now, every `hot_every` (60 s);
- far refresh: tasks starting from there to 7 days ahead (scheduled tasks: created or
  cancelled in advance), every `far_every` (10 min);
- reconcile: every older range again once it is `reconcile_every` old, which drops deleted
  tasks and picks up late stops; what falls below the 90-day floor is pruned.

The near and far periods are stretched when the account is too big for them within the sync
budget (`policy.budget_per_h`, see `budget`): the syncer runs at `effective`, what
`govern` last worked out from the recorded runs.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.errors import ApiError
from bot.index.budget import LONGEST_FAR, LONGEST_NEAR, Budget, Costs, Periods, plan
from bot.index.ranges import CHUNK, Synced, gaps, grid_down, grid_up, windows_for
from bot.index.store import IndexStore, Run, StreamKey
from bot.obs.log import request_context
from bot.plan import GRID_S, MAX_AHEAD, MAX_TASK, ApiWindow, oldest_allowed
from bot.source import FetchStats
from bot.tasks import RecordTask

log = logging.getLogger(__name__)

# Windows listed at once in one step: walked concurrently, so a slow network still keeps the
# rate limit busy, and few enough that a question's calls wait behind only these.
WINDOWS_PER_STEP = 4
RUNS_KEPT = timedelta(days=2)  # or one reconcile period, if longer: the budget reads it
# How long the budget worked out from the runs log stands before it is read again (a
# syncer reads it again at once after each near, far or reconcile listing of its own).
GOVERN_EVERY = timedelta(seconds=10)


@dataclass(frozen=True)
class _Listing:
    """What one listing returned, before it is written down."""

    kind: Kind
    start: datetime
    end: datetime
    stream: StreamKey | None
    tasks: list[RecordTask]
    stats: FetchStats
    read_at: datetime


class Lister(Protocol):
    """What sync needs of the query engine (`bot.css.query.CssSource`)."""

    cache_scope: str

    def server_clock(self) -> datetime: ...

    def list_windows(
        self, windows: Sequence[ApiWindow], server: Mapping[str, str]
    ) -> tuple[list[RecordTask], FetchStats]: ...


class Kind(StrEnum):
    BACKFILL = "backfill"
    HOT = "hot"  # the near part: from 24 h ago to an hour ahead
    FAR = "far"  # the rest of the 7 days ahead
    RECONCILE = "reconcile"
    NOW = "now"  # a question about now refreshed the part it reads
    STREAM = "stream"  # a recording callback refreshed one stream


# The steady-state listings the sync budget counts (bot.index.budget reads them by name).
_BUDGETED = frozenset({Kind.HOT, Kind.FAR, Kind.RECONCILE})


@dataclass(frozen=True)
class SyncPolicy:
    hot_every: timedelta = timedelta(seconds=60)  # the near part
    far_every: timedelta = timedelta(minutes=10)
    reconcile_every: timedelta = timedelta(days=1)
    lease: timedelta = timedelta(seconds=30)
    # API calls an hour the steady-state sync may spend (0: no budget; serve's is 300,
    # RECBOT_INDEX_SYNC_BUDGET_PER_H), and how far it may stretch the periods for it.
    budget_per_h: float = 0.0
    longest_near: timedelta = LONGEST_NEAR
    longest_far: timedelta = LONGEST_FAR

    def periods(self) -> Periods:
        return Periods(self.hot_every, self.far_every, self.reconcile_every)


@dataclass(frozen=True)
class Progress:
    """How much of the range the index keeps is synced: for `recbot sync`'s progress bar."""

    covered_s: float
    total_s: float
    calls: int


def sync_budget(store: IndexStore, account: str, policy: SyncPolicy, now: datetime) -> Budget:
    """The periods `policy` comes to for this account now, with the runs recorded so far."""
    return plan(
        store,
        account,
        now,
        policy.periods(),
        policy.budget_per_h,
        longest_near=policy.longest_near,
        longest_far=policy.longest_far,
    )


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def hot_start(now: datetime) -> datetime:
    """Tasks starting before this have all ended: only a stop or a delete can change them."""
    return grid_down(now.astimezone(UTC) - MAX_TASK)


# The near part reaches this far ahead: tasks starting there are about to start, may be
# created for right now, and are stopped at the last minute.
NEAR_AHEAD = timedelta(hours=1)


def near_end(now: datetime) -> datetime:
    """Tasks starting from here to the horizon are the far part: all scheduled ahead."""
    return grid_up(now.astimezone(UTC) + NEAR_AHEAD)


def horizon(now: datetime) -> datetime:
    """No task can start after this (tasks are created at most 7 days ahead)."""
    return grid_up(now.astimezone(UTC) + MAX_AHEAD)


def _older(pieces: Sequence[Synced], start: datetime, end: datetime, than: datetime) -> bool:
    """Whether some of the starts `[start, end)` were last listed at or before `than`."""
    ages = [p.at for p in pieces if p.start < end and p.end > start]
    return not ages or min(ages) <= than


def lease_name(account: str) -> str:
    return f"index-sync:{account}"


class Syncer:
    def __init__(
        self,
        store: IndexStore,
        lister: Lister,
        policy: SyncPolicy | None = None,
        *,
        holder: str | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.lister = lister
        self.policy = policy or SyncPolicy()
        self.account = lister.cache_scope
        self.holder = holder or replica_name()
        self.wall_clock = wall_clock
        configured = self.policy.periods()
        # Until the runs log is read: the configured periods (nothing is known to cost).
        self.budget = Budget(self.policy.budget_per_h, Costs(), configured, configured)
        self._governed_at: datetime | None = None  # None: read the runs log at the next step

    # -- the sync budget --------------------------------------------------------------------

    @property
    def effective(self) -> SyncPolicy:
        """The policy as run: the near and far periods as the sync budget stretched them."""
        periods = self.budget.effective
        return replace(self.policy, hot_every=periods.near, far_every=periods.far)

    def govern(self, now: datetime) -> Budget:
        """Work the effective periods out again from the recorded runs (at most every
        GOVERN_EVERY, and at once after a listing of this syncer's own): every replica does,
        so each answers with the freshness its syncer actually keeps."""
        last = self._governed_at
        if last is not None and last <= now < last + GOVERN_EVERY:
            return self.budget
        self.budget = sync_budget(self.store, self.account, self.policy, now)
        self._governed_at = now
        return self.budget

    # -- single listings --------------------------------------------------------------------

    def sync_range(
        self, kind: Kind, start: datetime, end: datetime, stream: StreamKey | None = None
    ) -> Run:
        """List every task starting in `[start, end)` (of one stream) and write it down."""
        return self._write(self._list(kind, start, end, stream))

    def _list(
        self, kind: Kind, start: datetime, end: datetime, stream: StreamKey | None = None
    ) -> _Listing:
        windows = [ApiWindow(a, b) for a, b in windows_for(start, end)]
        server: dict[str, str] = {}
        if stream is not None:
            server = {
                "DomainName": stream.domain,
                "AppName": stream.app,
                "StreamName": stream.stream,
            }
        read_at = self.lister.server_clock()
        try:
            tasks, stats = self.lister.list_windows(windows, server)
        except ApiError as error:
            failed = Run(kind.value, read_at, self.lister.server_clock(), 0, 0, False, error.code)
            self.store.record_run(self.account, failed)
            raise
        return _Listing(kind, start, self._claim(end, read_at), stream, tasks, stats, read_at)

    def _claim(self, end: datetime, read_at: datetime) -> datetime:
        """How far a listing up to `end` is the truth. At `read_at` no task could start past
        the horizon, so a listing reaching it also says "none there" a little beyond: until
        the next far refresh, the creeping horizon needs no listing of its own."""
        if end < horizon(read_at):
            return end
        return end + self.effective.far_every + timedelta(seconds=GRID_S)

    def _write(self, listing: _Listing) -> Run:
        self.store.apply(
            self.account,
            listing.start,
            listing.end,
            listing.tasks,
            listing.read_at,
            stream=listing.stream,
        )
        run = Run(
            listing.kind.value,
            listing.read_at,
            self.lister.server_clock(),
            listing.stats.api_calls,
            len(listing.tasks),
            True,
            pages=listing.stats.pages,
        )
        self.store.record_run(self.account, run)
        if listing.kind in _BUDGETED:
            self._governed_at = None  # its cost is known now: the budget reads it next step
        return run

    def refresh_stream(self, domain: str, app: str, stream: str) -> Run:
        """Refresh one stream's tasks that may still change, at once (recording callbacks)."""
        now = self.lister.server_clock()
        key = StreamKey(domain, app, stream)
        return self.sync_range(Kind.STREAM, hot_start(now), horizon(now), key)

    # -- what is due ------------------------------------------------------------------------

    def missing(self, now: datetime) -> list[tuple[datetime, datetime]]:
        return gaps(self.store.pieces(self.account), oldest_allowed(now), horizon(now))

    def progress(self, now: datetime) -> Progress:
        floor, top = oldest_allowed(now), horizon(now)
        total = (top - floor).total_seconds()
        missing = sum((b - a).total_seconds() for a, b in self.missing(now))
        return Progress(total - missing, total, 0)

    def backfill_step(self, now: datetime) -> Run | None:
        """Sync the newest part still missing (a few windows); None when nothing is missing."""
        missing = self.missing(now)
        if not missing:
            return None
        start, end = missing[-1]
        start = max(start, end - CHUNK * WINDOWS_PER_STEP)
        return self.sync_range(Kind.BACKFILL, start, end)

    def near_top(self, now: datetime) -> datetime:
        """Where a near refresh stops listing: the near part as it will be when the next one
        is due, so its moving edge never reaches into what only the far refresh listed."""
        return near_end(now + self.effective.hot_every)

    def near_due(self, now: datetime, pieces: Sequence[Synced]) -> bool:
        return _older(pieces, hot_start(now), near_end(now), now - self.effective.hot_every)

    def far_due(self, now: datetime, pieces: Sequence[Synced]) -> bool:
        return _older(pieces, near_end(now), horizon(now), now - self.effective.far_every)

    def hot_due(self, now: datetime, pieces: Sequence[Synced]) -> bool:
        """Whether the near or the far part is due."""
        return self.near_due(now, pieces) or self.far_due(now, pieces)

    def near_refresh(self, now: datetime) -> Run:
        return self.sync_range(Kind.HOT, hot_start(now), self.near_top(now))

    def far_refresh(self, now: datetime) -> Run:
        return self.sync_range(Kind.FAR, near_end(now), horizon(now))

    def reconcile_step(self, now: datetime) -> Run | None:
        """Re-list the settled past from its stalest range on, if that is older than the
        reconcile period: a whole step's worth (up to WINDOWS_PER_STEP windows), not just that
        range. As the near part moves on it leaves a 5-minute range behind every 5 minutes,
        each listed at its own time; re-listed one by one, each would cost a window reaching
        a day past it, every day. Listed with what follows, they merge into one range."""
        floor, low = oldest_allowed(now), hot_start(now)
        reconcile = self.policy.reconcile_every
        stale = [
            p
            for p in self.store.pieces(self.account)
            if p.start < low and p.end > floor and p.at <= now - reconcile
        ]
        if not stale:
            return None
        oldest = min(stale, key=lambda p: (p.at, p.start))
        start = max(oldest.start, floor)
        end = min(low, start + CHUNK * WINDOWS_PER_STEP)
        run = self.sync_range(Kind.RECONCILE, start, end)
        self.store.prune(self.account, floor)
        self.store.forget_runs(self.account, now - max(RUNS_KEPT, reconcile))
        return run

    def take_lease(self) -> bool:
        """Take or renew the sync lease; False while another replica holds it."""
        return self.store.acquire_lease(
            lease_name(self.account), self.holder, self.wall_clock(), self.policy.lease
        )

    def lease_holder(self) -> str | None:
        return self.store.lease_holder(lease_name(self.account), self.wall_clock())

    def step(self) -> Run | None:
        """One unit of work if this replica holds the lease; None when idle or standing by."""
        now = self.lister.server_clock()
        self.govern(now)  # a standby replica too: its answers follow the syncer's periods
        if not self.take_lease():
            return None
        if self.missing(now):
            return self.backfill_step(now)
        pieces = self.store.pieces(self.account)
        if self.near_due(now, pieces):
            return self.near_refresh(now)
        if self.far_due(now, pieces):
            return self.far_refresh(now)
        return self.reconcile_step(now)

    def backfill(self, on_step: Callable[[Progress], None] | None = None) -> int:
        """Sync until the whole range is covered; returns the API calls spent.

        The next listing runs while the last one is written, so the rate limit, not the
        database, sets the pace."""
        calls = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-write") as writer:
            while True:
                now = self.lister.server_clock()
                parts = self._backfill_parts(now)
                if not parts:
                    return calls
                writing: Future[Run] | None = None
                for start, end in parts:
                    listing = self._list(Kind.BACKFILL, start, end)
                    if writing is not None:
                        calls += self._written(writing, on_step, calls)
                    writing = writer.submit(self._write, listing)
                if writing is not None:
                    calls += self._written(writing, on_step, calls)

    def _backfill_parts(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """What is missing, newest first, a step's worth of windows each."""
        parts = []
        for start, end in reversed(self.missing(now)):
            cursor = end
            while cursor > start:
                parts.append((max(start, cursor - CHUNK * WINDOWS_PER_STEP), cursor))
                cursor = parts[-1][0]
        return parts

    def _written(
        self, writing: Future[Run], on_step: Callable[[Progress], None] | None, before: int
    ) -> int:
        run = writing.result()
        self.take_lease()  # a long backfill keeps the lease step by step
        if on_step is not None:
            done = self.progress(self.lister.server_clock())
            on_step(Progress(done.covered_s, done.total_s, before + run.calls))
        return run.calls

    def release(self) -> None:
        self.store.release_lease(lease_name(self.account), self.holder)


BACKOFF_MAX_S = 300.0


def backoff_s(tick_s: float, failures: int, most: float = BACKOFF_MAX_S) -> float:
    """How long the loop waits after `failures` failed steps in a row: the tick, doubled for
    each failure after the first, at most `most` (a wrong key is not hammered every tick)."""
    if failures <= 0:
        return tick_s
    return min(most, tick_s * 2.0 ** (failures - 1))


class SyncLoop:
    """`Syncer.step()` on a daemon thread: back to back while there is work, else every tick,
    and backing off while steps fail. Each step runs under its own request id (logged with
    "index synced" or "index sync step failed"), so its API calls are never mistaken for a
    question's; a failing step only records a failed run, it never changes an answer."""

    def __init__(
        self,
        syncer: Syncer,
        tick_s: float = 2.0,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self.syncer = syncer
        self.tick_s = tick_s
        self.on_tick = on_tick  # e.g. the /metrics gauges, from the database
        self.failures = 0  # steps failed in a row
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SyncLoop:
        self._thread = threading.Thread(target=self._run, name="index-sync", daemon=True)
        self._thread.start()
        return self

    def _step(self) -> bool:
        """One step under its own request id; whether it did any work."""
        with request_context():
            try:
                run = self.syncer.step()
            except Exception as exc:  # an API or database hiccup: try again after a pause
                self.failures += 1
                log.warning(
                    "index sync step failed",
                    extra={"error": type(exc).__name__, "failures": self.failures},
                )
                return False
            self.failures = 0
            if run is not None:
                log.debug("index synced", extra={"kind": run.kind, "calls": run.calls})
            return run is not None

    def _run(self) -> None:
        while not self._stop.is_set():
            worked = self._step()
            if self.on_tick is not None:
                try:
                    self.on_tick()
                except Exception as exc:
                    log.warning("index status failed", extra={"error": type(exc).__name__})
            if not worked:
                self._stop.wait(backoff_s(self.tick_s, self.failures))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.syncer.release()
