"""Redis-shared rate limiter, cache and event de-dup, against the real Redis server."""

from __future__ import annotations

import pickle
import struct
import threading
import time
from bisect import bisect_left

import pytest
import redis

from bot.config import Settings
from bot.css.cache import process_cache
from bot.css.ratelimit import process_limiter
from bot.replicas.cache import RedisCache
from bot.replicas.dedup import RedisSeenEvents
from bot.replicas.ratelimit import RedisRateLimiter
from bot.slack.dedup import InMemorySeenEvents
from bot.wiring import make_cache, make_rate_limiter, make_seen_events
from tests.support.redis_keys import REDIS_URL

pytestmark = pytest.mark.redis

DEAD_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connections are refused


def max_in_any_second(stamps: list[float]) -> int:
    stamps = sorted(stamps)
    return max(bisect_left(stamps, s + 1.0) - i for i, s in enumerate(stamps))


def test_limiter_spaces_callers_sharing_a_key_across_connections(redis_prefix: str) -> None:
    rate = 20.0
    stamps: list[float] = []
    lock = threading.Lock()

    def caller() -> None:
        # A connection of its own per caller: as separate replicas would have.
        client: redis.Redis = redis.Redis.from_url(REDIS_URL)
        limiter = RedisRateLimiter(client, redis_prefix + "rate", rate)
        for _ in range(8):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())
        client.close()

    threads = [threading.Thread(target=caller) for _ in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 32
    assert max_in_any_second(stamps) <= rate
    # Not slower than the headroom requires: 32 sends at 18/s take about 1.7 s.
    assert time.monotonic() - started < 32 / (rate * 0.9) + 2.0


def test_limiter_returns_the_wait(redis_client: redis.Redis, redis_prefix: str) -> None:
    waits: list[float] = []
    limiter = RedisRateLimiter(
        redis_client, redis_prefix + "rate", 10.0, headroom=1.0, sleep=waits.append
    )
    results = [limiter.acquire() for _ in range(3)]
    assert results[0] == pytest.approx(0.0, abs=0.02)
    # With sleep recorded instead of done, each reservation lands 100 ms after the last.
    assert results[2] == pytest.approx(0.2, abs=0.03)
    assert results[1] == pytest.approx(0.1, abs=0.03)
    assert waits == results[1:]


def test_limiter_spaces_locally_when_redis_is_down() -> None:
    client: redis.Redis = redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=0.2)
    waits: list[float] = []
    limiter = RedisRateLimiter(client, "k", 10.0, headroom=1.0, sleep=waits.append)
    results = [limiter.acquire() for _ in range(3)]
    assert results[0] == 0.0
    assert results[2] == pytest.approx(0.2, abs=0.05)


def test_cache_keeps_bytes_with_their_age_and_refuses_objects(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    clock = [1000.0]
    cache = RedisCache(redis_client, redis_prefix, clock=lambda: clock[0])
    cache.set("page", b"\x00raw", ttl_s=60)
    # Bytes only (R24): a shared object cache would unpickle what the network returns.
    with pytest.raises(TypeError, match="bytes only"):
        cache.set("tasks", ("t1", {"StartTime": 1}), ttl_s=60)
    clock[0] += 12.5
    other_replica = RedisCache(
        redis.Redis.from_url(REDIS_URL), redis_prefix, clock=lambda: clock[0]
    )
    assert other_replica.get("page") == (b"\x00raw", 12.5)
    assert other_replica.get("tasks") is None
    assert other_replica.get("missing") is None
    # Whatever is planted under the prefix comes back as bytes, never unpickled.
    planted = pickle.dumps({"evil": True})
    redis_client.set(redis_prefix + "planted", struct.pack("!d", 1000.0) + b"p" + planted)
    found = other_replica.get("planted")
    assert found is not None
    assert found[0] == b"p" + planted


def test_cache_entries_expire_by_ttl(redis_client: redis.Redis, redis_prefix: str) -> None:
    cache = RedisCache(redis_client, redis_prefix)
    cache.set("short", b"x", ttl_s=0.05)
    assert cache.get("short") is not None
    deadline = time.monotonic() + 5
    while cache.get("short") is not None:
        assert time.monotonic() < deadline, "entry never expired"
    assert redis_client.pttl(redis_prefix + "short") == -2


def test_cache_misses_when_redis_is_down() -> None:
    cache = RedisCache(redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=0.2), "p:")
    cache.set("k", b"v", ttl_s=10)
    assert cache.get("k") is None


def test_an_event_is_first_only_once_across_replicas(redis_prefix: str) -> None:
    replicas = [RedisSeenEvents(redis.Redis.from_url(REDIS_URL), redis_prefix) for _ in range(3)]
    results: list[bool] = []
    barrier = threading.Barrier(3)

    def deliver(seen: RedisSeenEvents) -> None:
        barrier.wait()
        results.append(seen.first_time("Ev123"))

    threads = [threading.Thread(target=deliver, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True]
    assert replicas[0].first_time("Ev456")


def test_event_dedup_lets_events_through_when_redis_is_down() -> None:
    seen = RedisSeenEvents(redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=0.2), "p:")
    assert seen.first_time("Ev1")


def test_factory_picks_redis_only_when_a_url_is_set(redis_prefix: str) -> None:
    shared = Settings(recbot_redis_url=REDIS_URL, recbot_redis_prefix=redis_prefix)
    assert isinstance(make_seen_events(shared), RedisSeenEvents)
    assert isinstance(make_rate_limiter(shared), RedisRateLimiter)
    assert isinstance(make_cache(shared), RedisCache)
    alone = Settings()
    assert isinstance(make_seen_events(alone), InMemorySeenEvents)
    assert make_rate_limiter(alone) is process_limiter(alone.recbot_rate_limit)
    assert make_cache(alone) is process_cache()
