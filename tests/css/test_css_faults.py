"""Faults on the wire: retried to a full, correct result, or a clear error, never a wrong list."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import open_source
from bot.css.query import RetryPolicy
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.errors import ApiError
from bot.filters import Filters
from tests.support.css import NOW, SourceFactory, days, expected, ids

ASKED = days(-20, 2)
# Elapsed-time bounds only catch hangs: on two shared cores a sound run can take seconds.
HANG_S = 30.0


def full_answer(sim: Simulator, make_source: SourceFactory) -> list[str]:
    result = make_source(sim).fetch_tasks(ASKED, Filters(), NOW)
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)
    return ids(result.tasks)


def test_ten_percent_internal_errors_still_give_the_full_result(
    sim: Simulator, make_source: SourceFactory
) -> None:
    sim.set_faults(error_rate=0.1, error_code="InternalError")
    result = make_source(sim).fetch_tasks(ASKED, Filters(), NOW)
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)
    injected = sim.request_log.count("InternalError")
    assert injected > 0  # the simulator's fault dice are seeded: this run has some
    assert result.stats.retries == injected
    assert result.stats.api_calls == sim.request_log.calls == result.stats.pages + injected


def test_hitting_the_rate_limit_is_retried_without_an_error(make_source: SourceFactory) -> None:
    # The server allows 10/s, our limiter is set (wrongly) to 30/s: the server must push back.
    with Simulator(now=NOW, seed=11, page_size=7, rate_limit=10) as sim:
        patient = RetryPolicy(attempts=10, base_s=0.05, cap_s=1.0)
        result = make_source(sim, rate=30, retry=patient).fetch_tasks(ASKED, Filters(), NOW)
        assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)
        assert sim.request_log.count("RequestLimitExceeded") > 0
        assert result.stats.retries >= sim.request_log.count("RequestLimitExceeded")


def test_connection_resets_are_retried(sim: Simulator, make_source: SourceFactory) -> None:
    sim.set_faults(reset_rate=0.2)
    got = full_answer(sim, make_source)
    assert got
    assert sim.request_log.count("ConnectionReset") > 0


def test_truncated_bodies_are_retried_and_never_an_empty_result(
    sim: Simulator, make_source: SourceFactory
) -> None:
    sim.set_faults(truncated_rate=0.2)
    assert full_answer(sim, make_source)
    assert sim.request_log.count("TruncatedBody") > 0


@pytest.mark.parametrize(
    ("faults", "code"),
    [
        ({"malformed_rate": 1.0}, "MalformedResponse"),
        ({"truncated_rate": 1.0}, "ClientNetworkError"),
        ({"http_status": 502}, "ServerNetworkError"),
    ],
)
def test_a_body_that_never_parses_is_an_error(
    sim: Simulator, make_source: SourceFactory, faults: dict[str, object], code: str
) -> None:
    sim.set_faults(**faults)
    with pytest.raises(ApiError) as caught:
        make_source(sim).fetch_tasks(ASKED, Filters(), NOW)
    assert caught.value.code == code
    assert sim.url in caught.value.detail


def test_an_error_under_a_charset_content_type_is_still_an_error(
    sim: Simulator, make_source: SourceFactory
) -> None:
    # The SDK alone would return an empty TaskList here; we read the body ourselves.
    sim.set_faults(
        error_rate=1.0,
        error_code="ResourceNotFound.StopService",
        content_type="application/json; charset=utf-8",
    )
    with pytest.raises(ApiError) as caught:
        make_source(sim).fetch_tasks(ASKED, Filters(), NOW)
    assert caught.value.code == "ResourceNotFound.StopService"


def test_a_page_under_a_charset_content_type_is_read(
    sim: Simulator, make_source: SourceFactory
) -> None:
    sim.set_faults(content_type="application/json; charset=utf-8")
    assert full_answer(sim, make_source)


def test_a_repeating_token_stops_with_an_error_not_a_loop(
    sim: Simulator, make_source: SourceFactory
) -> None:
    sim.set_faults(repeat_token=True)
    with pytest.raises(ApiError) as caught:
        make_source(sim).fetch_tasks(ASKED, Filters(), NOW)
    assert caught.value.code == "RepeatingScrollToken"
    assert "instead of looping" in caught.value.user_message
    assert sim.request_log.calls < 20


def test_a_slow_server_is_retried_within_the_deadline(
    sim: Simulator, make_source: SourceFactory
) -> None:
    sim.set_faults(slow_body_s=1.0)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        make_source(sim, timeout_s=0.2, deadline_s=1.5).fetch_tasks(ASKED, Filters(), NOW)
    assert time.monotonic() - started < HANG_S  # catches a hang, not a slow shared machine
    assert caught.value.code in {"ClientNetworkError", "QueryDeadline"}
    assert caught.value.transient
    assert sim.request_log.calls >= 2  # the timed-out call was retried


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port that refuses connections: bound (so no other test can take it), not listening."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def query_endpoint(port: int, *, deadline_s: float, timeout_s: float) -> tuple[ApiError, float]:
    settings = Settings(
        tencentcloud_secret_id="AKIDexample",
        tencentcloud_secret_key="example-key",
        recbot_css_endpoint=f"http://127.0.0.1:{port}",
        recbot_query_deadline=deadline_s,
        recbot_api_timeout=timeout_s,
    )
    source = open_source(settings, limiter=SlidingWindowLimiter(500), cache=MemoryCache())
    # With credentials the windows are planned with the machine's clock (Tencent Cloud's).
    now = datetime.now(UTC)
    started = time.monotonic()
    try:
        with pytest.raises(ApiError) as caught:
            source.fetch_tasks(days(-1, 0, now), Filters(), now)
        elapsed = time.monotonic() - started
    finally:
        source.close()
    return caught.value, elapsed


def test_a_dead_endpoint_is_a_clear_error_within_the_deadline(dead_port: int) -> None:
    error, elapsed = query_endpoint(dead_port, deadline_s=2.0, timeout_s=1.0)
    assert elapsed < HANG_S
    assert error.code == "ClientNetworkError"
    # The operator's detail; askers read a plain sentence (test_slack_css_unreachable.py).
    assert f"Could not reach Tencent Cloud at http://127.0.0.1:{dead_port}" in error.detail
    assert "RECBOT_CSS_ENDPOINT" in error.detail
    assert error.transient


def test_an_endpoint_that_never_answers_fails_at_the_deadline(black_hole: int) -> None:
    error, elapsed = query_endpoint(black_hole, deadline_s=1.0, timeout_s=0.4)
    assert elapsed < HANG_S
    assert error.code in {"ClientNetworkError", "QueryDeadline"}
    assert str(black_hole) in error.detail


def test_latency_is_waited_out_and_timed(sim: Simulator, make_source: SourceFactory) -> None:
    sim.set_faults(latency_s=0.15)
    result = make_source(sim).fetch_tasks(days(-2, 0), Filters(), NOW)
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)
    assert result.stats.retries == 0
    assert result.stats.elapsed_s >= 0.15 * result.stats.pages / 8
    assert result.stats.elapsed_s >= 0.15


def test_latency_beyond_the_call_timeout_is_a_timeout_error(
    sim: Simulator, make_source: SourceFactory
) -> None:
    sim.set_faults(latency_s=0.5)
    with pytest.raises(ApiError) as caught:
        make_source(sim, timeout_s=0.1, deadline_s=5.0).fetch_tasks(days(-2, 0), Filters(), NOW)
    assert caught.value.code == "ClientNetworkError"
    assert "timed out" in caught.value.detail.lower()
