"""A short-lived cache of whole API windows, so repeated questions and digests share calls.

`Cache` is the protocol; `bot.replicas` plugs a Redis one in. Values are bytes here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class Cache(Protocol):
    def get(self, key: str) -> tuple[bytes | object, float] | None:
        """The value and its age in seconds, or None when absent or expired."""
        ...

    def set(self, key: str, value: bytes | object, ttl_s: float) -> None: ...


class MemoryCache:
    """In-process TTL cache with a bound on entries (the oldest stored go first)."""

    def __init__(self, max_entries: int = 512, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[bytes | object, float, float]] = OrderedDict()
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes | object, float] | None:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, stored, expires = entry
            if now >= expires:
                del self._entries[key]
                return None
            return value, now - stored

    def set(self, key: str, value: bytes | object, ttl_s: float) -> None:
        now = self._clock()
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (value, now, now + ttl_s)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


_process_cache = MemoryCache()


def process_cache() -> MemoryCache:
    """The cache shared by every source of this process."""
    return _process_cache
