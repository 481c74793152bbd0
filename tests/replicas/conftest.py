"""Redis for replica tests: the real server on 127.0.0.1:6379 under a key prefix per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.support.redis_keys import REDIS_URL, unique_prefix


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    with unique_prefix() as prefix:
        yield prefix


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client: redis.Redis = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()
