"""The answer cache shared by replicas: values in Redis with their age, expired by Redis itself."""

from __future__ import annotations

import logging
import pickle
import struct
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# A value is stored as: 8-byte store time (float seconds), 1 tag byte, payload.
_HEADER = struct.Struct("!dc")
_RAW = b"r"
_PICKLED = b"p"


class RedisCache:
    """Implements `bot.css.cache` (`get(key) -> (value, age_s) | None`, `set(key, value, ttl_s)`).

    Bytes are stored as they are; other values are pickled. Only recbot writes under its
    prefix, and the Redis server is the operator's own, so unpickling trusts nothing new.
    A Redis outage makes the cache miss (and logs), it never fails an answer.
    """

    def __init__(
        self, client: redis.Redis[bytes], prefix: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock

    def get(self, key: str) -> tuple[bytes | object, float] | None:
        try:
            data = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            log.warning("shared cache unavailable", extra={"error": type(exc).__name__})
            return None
        if not isinstance(data, bytes) or len(data) < _HEADER.size:
            return None
        stored_at, tag = _HEADER.unpack_from(data)
        payload = data[_HEADER.size :]
        value: bytes | object = (
            payload if tag == _RAW else pickle.loads(payload)  # noqa: S301 - see class doc
        )
        return value, max(0.0, self._clock() - stored_at)

    def set(self, key: str, value: bytes | object, ttl_s: float) -> None:
        if isinstance(value, bytes):
            data = _HEADER.pack(self._clock(), _RAW) + value
        else:
            data = _HEADER.pack(self._clock(), _PICKLED) + pickle.dumps(value)
        try:
            self._client.set(self._prefix + key, data, px=max(1, round(ttl_s * 1000)))
        except redis.RedisError as exc:
            log.warning("shared cache unavailable", extra={"error": type(exc).__name__})
