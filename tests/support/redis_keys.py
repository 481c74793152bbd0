"""A Redis key prefix of one's own for a test, and its keys removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def unique_prefix() -> Iterator[str]:
    prefix = f"recbot-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client: redis.Redis = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
