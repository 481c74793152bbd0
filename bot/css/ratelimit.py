"""The request-rate limiter every DescribeRecordTask call goes through, shared process-wide.

`RateLimiter` is the protocol; `bot.replicas` plugs a Redis one in for several replicas.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    def acquire(self) -> float:
        """Block until one request may go; return the seconds waited."""
        ...


class IntervalLimiter:
    """Spaces requests evenly, `1 / rate` apart, for every thread of the process.

    Even spacing (no bursts) keeps the server's per-second count at `rate` even when requests
    bunch up a little on the wire; `headroom` stretches the interval a few percent more so that
    network jitter does not push a 21st request into the server's one-second window.
    """

    def __init__(
        self,
        rate: float,
        *,
        headroom: float = 0.04,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = (1.0 + headroom) / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


_process_limiters: dict[float, IntervalLimiter] = {}
_process_lock = threading.Lock()


def process_limiter(rate: float) -> IntervalLimiter:
    """The one limiter of this process for `rate` (settings.recbot_rate_limit)."""
    with _process_lock:
        limiter = _process_limiters.get(rate)
        if limiter is None:
            limiter = _process_limiters[rate] = IntervalLimiter(rate)
        return limiter
