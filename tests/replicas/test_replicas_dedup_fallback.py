"""Event de-dup over Redis, and in process memory while Redis cannot be reached."""

from __future__ import annotations

import pytest
import redis

from bot.replicas.dedup import RedisSeenEvents
from bot.replicas.seen_events import InMemorySeenEvents
from tests.support.serving import free_port

pytestmark = pytest.mark.redis


def dead_client() -> redis.Redis:
    return redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)


def test_two_replicas_over_redis_answer_an_event_once(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    first, second = (RedisSeenEvents(redis_client, redis_prefix) for _ in range(2))
    assert (first.first_time("Ev1"), second.first_time("Ev1")) == (True, False)


def test_redis_down_one_replica_still_answers_a_retry_once() -> None:
    seen = RedisSeenEvents(dead_client(), "recbot-test:dead:")
    assert [seen.first_time("Ev1"), seen.first_time("Ev1"), seen.first_time("Ev2")] == [
        True,
        False,
        True,
    ]


def test_an_event_taken_during_an_outage_stays_taken_when_redis_returns(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    local = InMemorySeenEvents()
    assert RedisSeenEvents(dead_client(), redis_prefix, local=local).first_time("Ev1")
    assert not RedisSeenEvents(redis_client, redis_prefix, local=local).first_time("Ev1")
