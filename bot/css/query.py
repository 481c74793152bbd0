"""Plan -> tasks: fetch the API windows concurrently, page to the end, retry, cache, de-duplicate.

Every call goes through one shared rate limiter. `CssSource` implements `bot.source.TaskSource`.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol

from bot.css.cache import Cache
from bot.css.errors import api_error, is_transient, log_api_failure
from bot.css.page import CallFailed, PageReply
from bot.css.progress import QueryProgress, current_listener, span_label
from bot.css.ratelimit import RateLimiter
from bot.errors import ApiError
from bot.filters import Filters
from bot.obs.log import ContextThreadPoolExecutor
from bot.obs.metrics import count_api_call, count_cache_lookup, count_rate_limit_wait, count_retry
from bot.plan import ApiWindow, plan_windows
from bot.source import FetchResult, FetchStats
from bot.tasks import RecordTask, to_unix
from bot.timephrase.window import Window

SHORT_TTL_S = 60.0
# A window that ended more than a day ago changes only when someone deletes or stops an old
# task, which is rare; it may be served from cache for longer.
LONG_TTL_S = 3600.0
SETTLED_AFTER = timedelta(days=1)
MAX_PAGES_PER_WINDOW = 5000
# A walk gets this many times the seconds the rate limit alone imposes on its calls: the
# limit is the floor of its time, network latency and retries come on top.
PACING_SLACK = 1.5
# A TaskId search walks the windows nearest now first, this many at a time, and stops when
# every asked TaskId was seen: the API cannot filter by TaskId (docs/requests.md).
TASK_SEARCH_WIDTH = 4


class PageFetcher(Protocol):
    def fetch(self, window: ApiWindow, filters: Mapping[str, str], token: str) -> PageReply:
        """One call; raise `CallFailed` on any failure."""
        ...


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: sleep uniform(0, min(cap, base * 2**n))."""

    attempts: int = 6
    base_s: float = 0.1
    cap_s: float = 2.0

    def delay(self, failures: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.cap_s, self.base_s * 2 ** (failures - 1)))


class _Aborted(Exception):
    """Another window failed; this one stops quietly."""


class _Found(Exception):
    """A TaskId search saw every TaskId it asked for: the other pages are not needed."""


class _Deadline:
    """When a question must be finished: `max(setting, calls / rate * PACING_SLACK)` after it
    started, where `calls` is the page calls known so far (one per window, one more per
    ScrollToken handed back). A long walk on a busy account is paced by the rate limit, so a
    fixed deadline would cut it off however healthy the API; a hang is still cut off.
    """

    def __init__(self, started: float, floor_s: float, rate: float) -> None:
        self.started = started
        self._started = started
        self._floor_s = floor_s
        self._rate = rate
        self._calls = 0
        self._lock = threading.Lock()

    def plan(self, calls: int) -> None:
        with self._lock:
            self._calls += calls

    @property
    def seconds(self) -> float:
        with self._lock:
            return max(self._floor_s, self._calls / self._rate * PACING_SLACK)

    @property
    def at(self) -> float:
        return self._started + self.seconds

    def describe(self) -> str:
        with self._lock:
            calls = self._calls
        return f"{self.seconds:g} s for {calls} call{'s' if calls != 1 else ''}"


@dataclass
class _Counters:
    calls: int = 0
    pages: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, calls: int = 0, pages: int = 0, retries: int = 0) -> None:
        with self.lock:
            self.calls += calls
            self.pages += pages
            self.retries += retries


@dataclass
class _Walk:
    """One API window being paged through."""

    window: ApiWindow
    key: str
    tasks: list[RecordTask] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    pages: int = 0
    done: bool = False  # paged to the end (a search that stopped early leaves some undone)


@dataclass
class _Search:
    """The TaskIds a question asks for that no page has shown yet."""

    missing: set[str]

    def saw(self, tasks: Sequence[RecordTask]) -> bool:
        """Cross off these tasks; whether every asked TaskId has now been seen."""
        self.missing.difference_update(t.task_id for t in tasks)
        return not self.missing


def _nearest_first(walks: list[_Walk], now: datetime) -> list[_Walk]:
    """Windows by their distance from `now` (one holding it first): a pasted TaskId is most
    often of a task of the last days or the next."""
    moment = to_unix(now)

    def distance(walk: _Walk) -> int:
        return max(walk.window.start - moment, moment - walk.window.end, 0)

    return sorted(walks, key=distance)


def _encode(tasks: list[RecordTask]) -> bytes:
    return json.dumps([t.to_api() for t in tasks]).encode()


def _decode(value: bytes | object) -> list[RecordTask] | None:
    if not isinstance(value, bytes | bytearray):
        return None
    try:
        return [RecordTask.from_api(item) for item in json.loads(value)]
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable entry is a miss, not an error


class CssSource:
    """The query engine over any `PageFetcher` (normally `bot.css.client.SdkPages`)."""

    def __init__(
        self,
        pages: PageFetcher,
        *,
        region: str,
        endpoint: str,
        limiter: RateLimiter,
        cache: Cache | None,
        deadline_s: float,
        server_clock: Callable[[], datetime],
        rate: float = 20.0,
        cache_scope: str = "",
        simulated: bool = False,
        retry: RetryPolicy | None = None,
        max_workers: int = 8,
        on_close: Callable[[], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.pages = pages
        self.region = region
        self.endpoint = endpoint
        self.limiter = limiter
        self.cache = cache
        self.deadline_s = deadline_s  # the least a question gets, see `_Deadline`
        self.rate = rate  # calls per second the limiter allows, for the deadline
        self.server_clock = server_clock
        self.cache_scope = cache_scope
        self.simulated = simulated
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._on_close = on_close
        # One pool per source bounds concurrent calls (and so HTTP connections) to max_workers;
        # its tasks keep the asking request's id for their log lines.
        self._pool = ContextThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="css-query"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> CssSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the query --------------------------------------------------------------------------

    def fetch_tasks(
        self,
        window: Window,
        filters: Filters,
        now: datetime,  # noqa: ARG002 - the protocol's; the API's limits need the server's clock
    ) -> FetchResult:
        """Every task overlapping `window` that matches `filters`.

        The API's 90-day and 7-days-ahead limits are the server's, so the windows are planned
        with `server_clock`, not with `now`: an answer's `now` may be a replayed or asked
        instant (a button pressed later, `recbot ask --now`); it matters to statuses only.
        """
        started = time.monotonic()
        server_now = self.server_clock()
        plan = plan_windows(window, server_now)
        server = filters.server_side()
        counters = _Counters()
        found: dict[str, RecordTask] = {}
        hits, oldest = 0, None
        walks: list[_Walk] = []
        search = _Search(set(filters.task_ids)) if filters.task_ids else None
        for api_window in plan.api_windows:
            key = self._key(api_window, server)
            cached = self._cached(key)
            if self.cache is not None:
                count_cache_lookup(hit=cached is not None)
            if cached is None:
                walks.append(_Walk(api_window, key))
                continue
            tasks, age = cached
            hits += 1
            oldest = age if oldest is None else max(oldest, age)
            found.update((t.task_id, t) for t in tasks)
            if search is not None:
                search.saw(tasks)
        if search is not None:
            # Every asked TaskId is in the cache: no call. Else the likeliest windows first.
            walks = [] if not search.missing else _nearest_first(walks, server_now)
        deadline = _Deadline(started, self.deadline_s, self.rate)
        label = span_label((plan.end - plan.start).total_seconds())
        try:
            walked = self._walk_all(walks, server, deadline, counters, label=label, search=search)
        except ApiError as error:
            log_api_failure(error)
            raise
        for walk in walked:
            found.update((t.task_id, t) for t in walk.tasks)
            if self.cache is not None and walk.done:
                self.cache.set(walk.key, _encode(walk.tasks), self._ttl(walk.window, server_now))
        tasks = sorted(
            (t for t in found.values() if t.overlaps(plan.start, plan.end) and filters.matches(t)),
            key=lambda t: (t.start, t.task_id),
        )
        stats = FetchStats(
            region=self.region,
            api_calls=counters.calls,
            pages=counters.pages,
            retries=counters.retries,
            cache_hits=hits,
            elapsed_s=time.monotonic() - started,
            cache_age_s=oldest,
            simulated=self.simulated,
        )
        return FetchResult(tuple(tasks), stats, plan, plan.notes)

    def list_windows(
        self, windows: Sequence[ApiWindow], server: Mapping[str, str]
    ) -> tuple[list[RecordTask], FetchStats]:
        """Every task each API window lists, straight from the API (no cache): the index's
        sync uses it, so sync calls share this source's limiter, retries and deadline."""
        started = time.monotonic()
        counters = _Counters()
        deadline = _Deadline(started, self.deadline_s, self.rate)
        walks = [_Walk(w, "") for w in windows]
        found: dict[str, RecordTask] = {}
        for walk in self._walk_all(walks, server, deadline, counters):
            found.update((t.task_id, t) for t in walk.tasks)
        stats = FetchStats(
            region=self.region,
            api_calls=counters.calls,
            pages=counters.pages,
            retries=counters.retries,
            elapsed_s=time.monotonic() - started,
            simulated=self.simulated,
        )
        return list(found.values()), stats

    def _key(self, window: ApiWindow, server: Mapping[str, str]) -> str:
        filters = json.dumps(sorted(server.items()))
        return f"recbot:css:v1:{self.cache_scope}:{window.start}:{window.end}:{filters}"

    @staticmethod
    def _ttl(window: ApiWindow, now: datetime) -> float:
        return LONG_TTL_S if window.end < to_unix(now - SETTLED_AFTER) else SHORT_TTL_S

    def _cached(self, key: str) -> tuple[list[RecordTask], float] | None:
        if self.cache is None:
            return None
        entry = self.cache.get(key)
        if entry is None:
            return None
        tasks = _decode(entry[0])
        return None if tasks is None else (tasks, entry[1])

    def _walk_all(
        self,
        walks: list[_Walk],
        server: Mapping[str, str],
        deadline: _Deadline,
        counters: _Counters,
        *,
        label: str = "",
        search: _Search | None = None,
    ) -> list[_Walk]:
        """Page through every window; page calls of all windows interleave in the pool.
        A question (with a `label`) reports its progress after each page to its asker.

        A TaskId `search` walks at most TASK_SEARCH_WIDTH windows at once, in the order
        given, and stops as soon as every asked TaskId was seen: the walks it leaves are
        not `done`, and the calls it saves are never made."""
        abort = threading.Event()
        listener = current_listener() if label else None
        planned = len(walks)
        done_pages = 0
        running: dict[Future[PageReply], _Walk] = {}
        width = len(walks) if search is None else TASK_SEARCH_WIDTH
        waiting = list(reversed(walks))  # popped from the end: in the order given

        def submit(walk: _Walk, token: str) -> None:
            future = self._pool.submit(
                self._call,
                walk.window,
                server,
                token,
                deadline=deadline,
                counters=counters,
                abort=abort,
            )
            running[future] = walk

        try:
            deadline.plan(len(walks))
            while waiting and len(running) < width:
                submit(waiting.pop(), "")
            while running:
                remaining = deadline.at - time.monotonic()
                if remaining <= 0:
                    raise api_error(
                        "QueryDeadline",
                        deadline.describe(),
                        None,
                        region=self.region,
                        endpoint=self.endpoint,
                    )
                done, _ = wait(running, timeout=remaining, return_when=FIRST_COMPLETED)
                for future in done:
                    walk = running.pop(future)
                    reply = future.result()
                    self._advance(walk, reply)
                    done_pages += 1
                    if search is not None and search.saw(reply.tasks):
                        raise _Found
                    if reply.token:
                        deadline.plan(1)
                        planned += 1
                        submit(walk, reply.token)
                    else:
                        walk.done = True
                        if waiting:
                            submit(waiting.pop(), "")
                    if listener is not None:
                        elapsed = time.monotonic() - deadline.started
                        listener(QueryProgress(label, done_pages, planned, elapsed, self.rate))
        except _Found:
            self._stop(abort, running)
        except BaseException:
            self._stop(abort, running)
            raise
        return walks

    @staticmethod
    def _stop(abort: threading.Event, running: Mapping[Future[PageReply], _Walk]) -> None:
        abort.set()
        for future in running:
            future.cancel()

    def _advance(self, walk: _Walk, reply: PageReply) -> None:
        walk.tasks.extend(reply.tasks)
        walk.pages += 1
        if reply.token and (reply.token in walk.tokens or walk.pages >= MAX_PAGES_PER_WINDOW):
            raise api_error(
                "RepeatingScrollToken",
                f"page {walk.pages} of the window starting {walk.window.start}",
                reply.request_id,
                region=self.region,
                endpoint=self.endpoint,
            )
        walk.tokens.add(reply.token)

    def _call(
        self,
        window: ApiWindow,
        server: Mapping[str, str],
        token: str,
        *,
        deadline: _Deadline,
        counters: _Counters,
        abort: threading.Event,
    ) -> PageReply:
        """One page, retried on transient failures until attempts or the deadline run out."""
        failures = 0
        while True:
            if abort.is_set():
                raise _Aborted
            count_rate_limit_wait(self.limiter.acquire())
            counters.add(calls=1)
            try:
                reply = self.pages.fetch(window, server, token)
            except CallFailed as failure:
                count_api_call(failure.code)
                failures += 1
                delay = self.retry.delay(failures, self._rng)
                retry = (
                    is_transient(failure.code)
                    and failures < self.retry.attempts
                    and time.monotonic() + delay < deadline.at
                )
                if not retry:
                    raise api_error(
                        failure.code,
                        failure.message,
                        failure.request_id,
                        region=self.region,
                        endpoint=self.endpoint,
                        attempts=failures,
                    ) from None
                counters.add(retries=1)
                count_retry(failure.code)
                abort.wait(delay)
                continue
            counters.add(pages=1)
            count_api_call("Success")
            return reply
