"""`digest now`, kept from crowding out questions: a throttle per channel and per person, and
a small work queue of its own, so posts never take the answer workers (`bot.slack.workers`).

With Redis set, the throttle is counted across replicas (`bot.replicas.throttle`); while Redis
cannot be reached, each replica counts what it receives.
"""

from __future__ import annotations

import contextvars
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, NoReturn

from bot.errors import AccessDenied

if TYPE_CHECKING:
    from bot.replicas.throttle import SharedThrottle

log = logging.getLogger(__name__)

# One `digest now` per channel a minute; five per person in ten minutes, across channels.
CHANNEL_EVERY_S = 60.0
PER_PERSON = 5
PERSON_WINDOW_S = 600.0
# Posts run two at a time; more than this many waiting means "try again in a minute".
NOW_WORKERS = 2
MAX_WAITING = 32


class Throttled(AccessDenied):
    """A `digest now` refused for now (counted as denied); the sentence says when to retry."""


class DigestNowThrottle:
    """Thread-safe; counted in Redis across replicas when `shared` is given, else in-process."""

    def __init__(
        self,
        *,
        channel_every_s: float = CHANNEL_EVERY_S,
        per_person: int = PER_PERSON,
        person_window_s: float = PERSON_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedThrottle | None = None,
    ) -> None:
        self._shared = shared
        self._channel_every_s = channel_every_s
        self._per_person = per_person
        self._person_window_s = person_window_s
        self._clock = clock
        self._channel_last: dict[str, float] = {}
        self._person_times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, channel_id: str, user_id: str) -> None:
        """Count this `digest now`, or raise Throttled (and count nothing)."""
        if self._shared is not None:
            from redis import RedisError

            try:
                refusal = self._shared.admit(channel_id, user_id)
            except RedisError as exc:
                log.warning(
                    "shared digest-now throttle unavailable, counting locally",
                    extra={"error": type(exc).__name__},
                )
            else:
                if refusal is not None:
                    self._refuse(refusal.reason, refusal.wait_s)
                return
        now = self._clock()
        with self._lock:
            last = self._channel_last.get(channel_id)
            if last is not None and now - last < self._channel_every_s:
                self._refuse("channel", self._channel_every_s - (now - last))
            times = self._person_times.setdefault(user_id, deque())
            while times and now - times[0] >= self._person_window_s:
                times.popleft()
            if len(times) >= self._per_person:
                self._refuse("person", self._person_window_s - (now - times[0]))
            times.append(now)
            self._channel_last[channel_id] = now
            if len(self._channel_last) > 10_000:  # forget channels idle past their cooldown
                self._channel_last = {
                    c: t for c, t in self._channel_last.items() if now - t < self._channel_every_s
                }

    def _refuse(self, reason: str, wait_s: float) -> NoReturn:
        wait = math.ceil(wait_s)
        if reason == "channel":
            raise Throttled(
                f"A digest for this channel was asked for less than "
                f"{_duration(self._channel_every_s)} ago; try again in {wait} s"
            )
        raise Throttled(
            f"You asked for {self._per_person} digests in the last "
            f"{_duration(self._person_window_s)}; try again in {wait} s"
        )


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    if minutes >= 1 and minutes.is_integer():
        return "a minute" if minutes == 1 else f"{int(minutes)} minutes"
    return f"{seconds:g} s"


class DigestNowQueue:
    """A bounded queue with its own threads for `digest now` posts; `drain()` on shutdown."""

    def __init__(self, workers: int = NOW_WORKERS, max_waiting: int = MAX_WAITING) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digest-now")
        self._max_waiting = max_waiting
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, job: Callable[[], object]) -> bool:
        """Queue `job` (keeping the request id); False when too many are waiting already."""
        with self._idle:
            if self._pending >= self._max_waiting:
                return False
            self._pending += 1
        context = contextvars.copy_context()
        self._executor.submit(context.run, self._run, job)
        return True

    def _run(self, job: Callable[[], object]) -> None:
        try:
            job()
        except Exception:
            log.exception("digest now failed")
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def drain(self, timeout: float = 30.0) -> bool:
        """Finish what was queued (up to `timeout`), then stop the threads."""
        with self._idle:
            finished = self._idle.wait_for(lambda: self._pending == 0, timeout)
        self._executor.shutdown(wait=finished, cancel_futures=not finished)
        return finished
