"""`digest now` is throttled across replicas: two throttles on one Redis (two replicas) share
the channel's minute and the person's five in ten minutes; with Redis down each replica still
throttles what it receives."""

from __future__ import annotations

import time

import pytest
import redis

from bot.config import Settings
from bot.digest.now import DigestNowThrottle, Throttled
from bot.replicas.throttle import SharedThrottle
from bot.wiring import digest_now_throttle
from tests.support.redis_keys import REDIS_URL


def replica(client: redis.Redis, prefix: str, **limits: float) -> DigestNowThrottle:
    shared = SharedThrottle(
        client,
        prefix,
        channel_every_s=limits.get("every", 60.0),
        per_person=int(limits.get("per", 5)),
        person_window_s=limits.get("window", 600.0),
    )
    return DigestNowThrottle(shared=shared)


def test_replicas_built_from_settings_share_the_count(redis_prefix: str) -> None:
    settings = Settings(recbot_redis_url=REDIS_URL, recbot_redis_prefix=redis_prefix)
    one, two = digest_now_throttle(settings), digest_now_throttle(settings)
    one.admit("C1", "UA")
    with pytest.raises(Throttled, match="less than a minute ago"):
        two.admit("C1", "UB")


def test_a_channel_minute_is_shared_by_replicas(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    one, two = replica(redis_client, redis_prefix), replica(redis_client, redis_prefix)
    one.admit("C1", "UA")
    with pytest.raises(Throttled, match=r"less than a minute ago; try again in (59|60) s"):
        two.admit("C1", "UB")
    two.admit("C2", "UB")  # another channel is not held back


def test_a_persons_limit_is_shared_and_a_refusal_counts_nothing(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    one, two = replica(redis_client, redis_prefix), replica(redis_client, redis_prefix)
    for n in range(5):
        (one if n % 2 else two).admit(f"C{n}", "UA")
    with pytest.raises(Throttled, match="You asked for 5 digests in the last 10 minutes"):
        one.admit("CFREE", "UA")
    with pytest.raises(Throttled, match="You asked for 5 digests"):
        two.admit("CFREE", "UA")
    two.admit("CFREE", "UB")  # the refusals did not take the channel's minute


def test_the_window_moves_on(redis_client: redis.Redis, redis_prefix: str) -> None:
    one = replica(redis_client, redis_prefix, every=0.2, per=1, window=0.3)
    two = replica(redis_client, redis_prefix, every=0.2, per=1, window=0.3)
    one.admit("C1", "UA")
    with pytest.raises(Throttled):
        two.admit("C2", "UA")

    time.sleep(0.35)
    two.admit("C1", "UA")


def test_with_redis_down_each_replica_counts_locally(redis_prefix: str) -> None:
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    one = replica(down, redis_prefix)
    one.admit("C1", "UA")
    with pytest.raises(Throttled, match="less than a minute ago"):
        one.admit("C1", "UB")
    one.admit("C2", "UB")
