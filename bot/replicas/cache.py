"""The answer cache shared by replicas: bytes in Redis with their age, expired by Redis itself."""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# A value is stored as: 8-byte store time (float seconds), then the payload bytes.
_HEADER = struct.Struct("!d")


class RedisCache:
    """Implements `bot.css.cache.Cache` for bytes (`get(key) -> (value, age_s) | None`,
    `set(key, value, ttl_s)`).

    Bytes only: what comes back from the network is never unpickled or otherwise executed;
    the query engine stores its pages already encoded. A Redis outage makes the cache miss
    (and logs), it never fails an answer.
    """

    def __init__(
        self, client: redis.Redis, prefix: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock

    def get(self, key: str) -> tuple[bytes, float] | None:
        try:
            data = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            log.warning("shared cache unavailable", extra={"error": type(exc).__name__})
            return None
        if not isinstance(data, bytes) or len(data) < _HEADER.size:
            return None
        (stored_at,) = _HEADER.unpack_from(data)
        return data[_HEADER.size :], max(0.0, self._clock() - stored_at)

    def set(self, key: str, value: bytes | object, ttl_s: float) -> None:
        if not isinstance(value, bytes):
            # The protocol allows objects (the in-process cache keeps them as they are); a
            # shared one would have to pickle them, and unpickle what the network returns.
            raise TypeError(f"the shared cache stores bytes only, not {type(value).__name__}")
        data = _HEADER.pack(self._clock()) + value
        try:
            self._client.set(self._prefix + key, data, px=max(1, round(ttl_s * 1000)))
        except redis.RedisError as exc:
            log.warning("shared cache unavailable", extra={"error": type(exc).__name__})
