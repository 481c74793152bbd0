"""The CSS metrics move when real queries run: the SDK calls the simulator over signed HTTP
and /metrics counts calls by code, retries, rate-limit waits and cache lookups."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import open_source
from bot.css.query import RetryPolicy
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.obs.metrics import REGISTRY
from bot.timephrase.window import Grain, Window

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ACTION = {"action": "DescribeRecordTask"}


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(now=NOW, count=60, page_size=10, rate_limit=None) as simulator:
        yield simulator


def last_days(days: int) -> Window:
    return Window(start=NOW - timedelta(days=days), end=NOW, grain=Grain.DAY, description="test")


def test_calls_retries_waits_and_cache_lookups_are_counted(sim: Simulator) -> None:
    # The registry is process-wide and other tests' threads in this worker may still call
    # the API: failures carry an error code unique to this test, so they count exactly;
    # shared labels ("Success", cache lookups, waits) can only be checked from below.
    code = f"InternalError.Probe{uuid.uuid4().hex[:8]}"
    sim.set_faults(error_rate=0.3, error_code=code)
    before = {
        "ok": sample("recbot_api_calls_total", {**ACTION, "code": "Success"}),
        "waits": sample("recbot_rate_limit_waits_total"),
        "hits": sample("recbot_cache_lookups_total", {"result": "hit"}),
        "misses": sample("recbot_cache_lookups_total", {"result": "miss"}),
    }
    retry = RetryPolicy(attempts=8, base_s=0.001, cap_s=0.01)
    source = open_source(
        Settings(),
        simulator=sim,
        limiter=SlidingWindowLimiter(40, window=0.05),
        cache=MemoryCache(),
        retry=retry,
    )
    with source:
        first = source.fetch_tasks(last_days(10), Filters(), NOW)
        again = source.fetch_tasks(last_days(10), Filters(), NOW)
    stats = first.stats
    assert stats.retries > 0  # the faults did happen
    assert sim.request_log.count(code) == stats.retries
    assert sim.request_log.count("") == stats.pages
    assert sample("recbot_api_calls_total", {**ACTION, "code": code}) == stats.retries
    assert sample("recbot_api_retries_total", {"code": code}) == stats.retries
    assert sample("recbot_api_calls_total", {**ACTION, "code": "Success"}) >= (
        before["ok"] + stats.pages
    )
    # 40/s in bursts of two (52 ms a pair): the third of the concurrent calls must wait.
    assert sample("recbot_rate_limit_waits_total") > before["waits"]
    windows = len(first.plan.api_windows)
    assert sample("recbot_cache_lookups_total", {"result": "miss"}) >= before["misses"] + windows
    assert sample("recbot_cache_lookups_total", {"result": "hit"}) >= before["hits"] + windows
    assert again.stats.cache_hits == windows
    assert again.stats.api_calls == 0
