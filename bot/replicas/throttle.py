"""A `digest now` throttle shared by every replica: one per channel a minute and so many per
person in a window, counted in Redis by one Lua script on the server's clock.

Without the sharing, each replica admitted its own quota, so with three replicas behind a load
balancer a person could start three times as many digests. `bot.digest.now.DigestNowThrottle`
uses this when Redis is set and falls back to counting in-process when Redis cannot be reached.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

import redis

# KEYS[1]: the channel's key; KEYS[2]: the person's sorted set of admitted times.
# ARGV: channel spacing (µs), per-person limit, person window (µs), a unique member.
# Returns {0, 0} when admitted (and counted), {1, wait_us} when the channel is cooling down,
# {2, wait_us} when the person is over the limit; a refusal counts nothing.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local every = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local last = redis.call('GET', KEYS[1])
if last and now - tonumber(last) < every then
  return {1, every - (now - tonumber(last))}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.0f', now - window))
if redis.call('ZCARD', KEYS[2]) >= per then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {2, window - (now - tonumber(oldest[2]))}
end
redis.call('ZADD', KEYS[2], string.format('%.0f', now), ARGV[4])
redis.call('PEXPIRE', KEYS[2], math.floor(window / 1000) + 1000)
redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX', math.floor(every / 1000) + 1000)
return {0, 0}
"""


@dataclass(frozen=True)
class Refusal:
    """Why a `digest now` waits: the channel's cooldown or the person's limit, and for how long."""

    reason: Literal["channel", "person"]
    wait_s: float


class SharedThrottle:
    """`admit()` counts one `digest now` for a channel and a person across replicas.

    Raises `redis.RedisError` when Redis cannot be reached; the caller decides the fallback.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        *,
        channel_every_s: float,
        per_person: int,
        person_window_s: float,
    ) -> None:
        self._prefix = prefix
        self._every_us = round(channel_every_s * 1_000_000)
        self._per_person = per_person
        self._window_us = round(person_window_s * 1_000_000)
        self._admit = client.register_script(_ADMIT)

    def admit(self, channel_id: str, user_id: str) -> Refusal | None:
        """None when admitted (and counted); a Refusal (counting nothing) otherwise."""
        keys = [self._prefix + "channel:" + channel_id, self._prefix + "person:" + user_id]
        args: list[int | str] = [
            self._every_us,
            self._per_person,
            self._window_us,
            uuid.uuid4().hex,
        ]
        code, wait_us = (int(v) for v in self._admit(keys=keys, args=args))
        if code == 0:
            return None
        return Refusal("channel" if code == 1 else "person", wait_us / 1_000_000)
