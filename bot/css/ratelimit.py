"""The request-rate limiter every DescribeRecordTask call goes through, shared process-wide.

`RateLimiter` is the protocol; `bot.replicas` plugs a Redis one in for several replicas.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    def acquire(self) -> float:
        """Block until one request may go; return the seconds waited."""
        ...


class SlidingWindowLimiter:
    """At most `rate` requests in any `1 + headroom` seconds, for every thread of the process.

    Bursts are allowed: a question that needs a few pages gets them at once, and a long walk
    settles at the rate. The server counts arrivals per second; keeping grants to `rate` per
    `1 + headroom` seconds keeps arrivals within its limit when a request is held up on the
    wire by up to `headroom` seconds more than the one `rate` grants before it.
    """

    def __init__(
        self,
        rate: float,
        *,
        window: float = 1.0,
        headroom: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # `window` is the longest burst, in seconds of the rate: the API counts per second.
        self.capacity = max(1, int(rate * window))
        self.span = (1.0 + headroom) * self.capacity / rate
        self._clock = clock
        self._sleep = sleep
        self._grants: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            now = self._clock()
            while self._grants and self._grants[0] <= now - self.span:
                self._grants.popleft()
            slot = now
            if len(self._grants) >= self.capacity:
                slot = max(slot, self._grants[-self.capacity] + self.span)
            if self._grants:
                slot = max(slot, self._grants[-1])
            self._grants.append(slot)
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


_process_limiters: dict[float, SlidingWindowLimiter] = {}
_process_lock = threading.Lock()


def process_limiter(rate: float) -> SlidingWindowLimiter:
    """The one limiter of this process for `rate` (settings.recbot_rate_limit)."""
    with _process_lock:
        limiter = _process_limiters.get(rate)
        if limiter is None:
            limiter = _process_limiters[rate] = SlidingWindowLimiter(rate)
        return limiter
