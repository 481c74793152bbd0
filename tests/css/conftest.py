"""Fixtures for the CSS tests: a simulator on loopback and our source pointed at it.

Every query goes over real HTTP: the SDK signs, the simulator verifies. The data clock is
fixed at NOW; only the signature timestamp uses the machine's clock (the SDK stamps with it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import open_source
from bot.css.query import CssSource, RetryPolicy
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from tests.support.css import FAST_RETRY, NOW, SourceFactory


@pytest.fixture
def sim() -> Iterator[Simulator]:
    # No server-side rate limit by default: tests about the limit turn it on themselves.
    with Simulator(now=NOW, seed=11, page_size=7, rate_limit=None) as simulator:
        yield simulator


@pytest.fixture
def make_source() -> Iterator[SourceFactory]:
    opened: list[CssSource] = []

    def make(
        simulator: Simulator,
        *,
        rate: float = 500.0,
        deadline_s: float = 20.0,
        timeout_s: float = 5.0,
        retry: RetryPolicy = FAST_RETRY,
        cache: MemoryCache | None = None,
        region: str = "ap-guangzhou",
    ) -> CssSource:
        settings = Settings(
            tencentcloud_region=region,
            recbot_query_deadline=deadline_s,
            recbot_api_timeout=timeout_s,
        )
        source = open_source(
            settings,
            simulator=simulator,
            limiter=SlidingWindowLimiter(rate),
            cache=cache if cache is not None else MemoryCache(),
            retry=retry,
        )
        opened.append(source)
        return source

    yield make
    for source in opened:
        source.close()


@pytest.fixture
def source(sim: Simulator, make_source: SourceFactory) -> CssSource:
    return make_source(sim)
