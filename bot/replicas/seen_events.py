"""Answer each Slack event once: Slack re-sends an event (same `event_id`) when an ack is slow.

`SeenEvents` is the protocol; `InMemorySeenEvents` serves one process. A Redis-backed one
(SET NX with expiry) can be plugged in for several replicas without touching the listeners.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

# Slack retries for a few minutes at most; an hour covers that with a wide margin.
DEFAULT_TTL_S = 3600.0


class SeenEvents(Protocol):
    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is offered within the TTL, False on every repeat."""
        ...


class InMemorySeenEvents:
    """A TTL set bounded in size; thread-safe. The oldest ids are forgotten first."""

    def __init__(
        self,
        ttl_s: float = DEFAULT_TTL_S,
        max_size: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_s
        self._max = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        now = self._clock()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self._max or next(iter(self._seen.values())) <= now
            ):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now + self._ttl
            return True
