"""Two task sources (as two replicas would have) over one Redis cache: what one fetched, the
other answers from the cache, with the same tasks and the data's age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.css.client import open_source
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.timephrase.window import Grain, Window
from bot.wiring import make_cache
from tests.support.redis_keys import REDIS_URL

pytestmark = pytest.mark.redis


def test_a_second_replica_answers_from_the_shared_cache(redis_prefix: str) -> None:
    settings = Settings(recbot_redis_url=REDIS_URL, recbot_redis_prefix=redis_prefix)
    now = datetime.now(UTC)
    window = Window(now - timedelta(days=2), now, Grain.DAY, "last 2 days")
    with Simulator(count=200) as sim:
        with open_source(settings, simulator=sim, cache=make_cache(settings)) as first:
            fetched = first.fetch_tasks(window, Filters(), now)
        calls = sim.request_log.calls
        with open_source(settings, simulator=sim, cache=make_cache(settings)) as second:
            cached = second.fetch_tasks(window, Filters(), now)
        assert sim.request_log.calls == calls  # no API call for the second replica
    assert fetched.stats.api_calls >= 1
    assert cached.stats.api_calls == 0
    assert cached.stats.cache_hits >= 1
    assert cached.stats.cache_age_s is not None
    assert cached.tasks == fetched.tasks
    assert len(cached.tasks) > 0
