"""A rate limiter shared by every replica: each caller reserves the next free send time in Redis.

One Lua script runs atomically on the server and uses the server's clock, so replicas with
skewed clocks still space their requests evenly; the caller then sleeps until its turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# Spacing requests exactly 1/rate apart still lets network jitter squeeze rate+1 of them into
# one second at the receiver; sending at 90 % of the limit absorbs ~100 ms of jitter.
HEADROOM = 0.9

# KEYS[1]: the limiter's key. ARGV[1]: spacing in microseconds.
# Returns how many microseconds the caller must wait before sending.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local spacing = tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
local ttl_ms = math.floor((at + spacing - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', at + spacing), 'PX', ttl_ms)
return at - now
"""


class RedisRateLimiter:
    """`acquire()` blocks until this caller may send; at most `rate` sends per second overall.

    Implements `bot.css.ratelimit.RateLimiter`. If Redis cannot be reached, it spaces this
    process's own requests instead (logged), so an outage slows answers but never floods the API.
    """

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        rate: float,
        *,
        headroom: float = HEADROOM,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._key = key
        self._spacing_us = round(1_000_000 / (rate * headroom))
        self._reserve = client.register_script(_RESERVE)
        self._sleep = sleep
        self._local_free = 0.0

    def acquire(self) -> float:
        try:
            wait = int(self._reserve(keys=[self._key], args=[self._spacing_us])) / 1_000_000
        except redis.RedisError as exc:
            log.warning(
                "shared rate limit unavailable, spacing locally",
                extra={"error": type(exc).__name__},
            )
            now = time.monotonic()
            at = max(now, self._local_free)
            self._local_free = at + self._spacing_us / 1_000_000
            wait = at - now
        if wait > 0:
            self._sleep(wait)
        return wait
