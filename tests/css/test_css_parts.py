"""Small parts on their own: the generated dataset, the limiter, the cache, the error table."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot.css.cache import MemoryCache
from bot.css.dataset import dump_tasks, generate, load_tasks
from bot.css.errors import RULES, api_error, is_transient
from bot.css.ratelimit import SlidingWindowLimiter
from bot.tasks import Status
from tests.support.css import NOW


def test_generated_data_is_deterministic_and_holds_the_cases_that_matter() -> None:
    tasks = generate(seed=4, now=NOW)
    assert tasks == generate(seed=4, now=NOW)
    assert tasks != generate(seed=5, now=NOW)
    assert len(tasks) == 300
    assert len({t.task_id for t in tasks}) == 300
    assert all(len(t.task_id) == 56 for t in tasks)
    assert all(NOW - timedelta(days=90) < t.start < t.end <= NOW + timedelta(days=7) for t in tasks)
    assert all(t.end - t.start <= timedelta(hours=24) for t in tasks)
    assert all(t.stopped is None or t.stopped <= NOW for t in tasks)
    statuses = {t.status_at(NOW) for t in tasks}
    assert statuses == set(Status)
    assert any(t.start.date() != t.end.date() for t in tasks)  # crosses midnight
    assert any(t.stopped is not None and t.stopped < t.start for t in tasks)
    assert any(t.stopped is not None and t.start < t.stopped < t.end for t in tasks)
    assert any(t.end - t.start == timedelta(hours=24) for t in tasks)
    assert {t.stream for t in tasks} >= {"livetest", "cam1"}
    assert "5000.live.push.example.com" in {t.domain for t in tasks}
    same_stream = sorted(
        (t for t in tasks if (t.domain, t.stream) == ("5000.live.push.example.com", "cam1")),
        key=lambda t: t.start,
    )
    assert any(a.end > b.start for a, b in itertools.pairwise(same_stream))


def test_tasks_round_trip_through_a_json_file(tmp_path: Path) -> None:
    tasks = generate(seed=1, now=NOW, count=20)
    path = tmp_path / "tasks.json"
    dump_tasks(tasks, path)
    assert load_tasks(path) == tasks
    path.write_text('{"Response": {"TaskList": ' + path.read_text() + "}}")
    assert load_tasks(path) == tasks


def test_limiter_lets_a_burst_through_then_holds_to_the_rate() -> None:
    # The clock stands still and sleeping is recorded, not done: waits are the slots.
    limiter = SlidingWindowLimiter(20, headroom=0.0, clock=lambda: 0.0, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        waited = limiter.acquire()
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=take) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Twenty at once, whichever threads got them; then twenty in each following second.
    assert sorted(waits) == pytest.approx([0.0] * 20 + [1.0] * 20 + [2.0] * 20)


def test_limiter_never_grants_more_than_the_rate_in_any_window() -> None:
    moments = iter(i * 0.013 for i in range(10_000))
    granted: list[float] = []
    clock_now = [0.0]

    def clock() -> float:
        clock_now[0] = max(clock_now[0], next(moments))
        return clock_now[0]

    def sleep(seconds: float) -> None:
        clock_now[0] += seconds

    limiter = SlidingWindowLimiter(20, clock=clock, sleep=sleep)
    for _ in range(300):
        limiter.acquire()
        granted.append(clock_now[0])
    for i, moment in enumerate(granted):
        in_window = [g for g in granted[i:] if g < moment + limiter.span]
        assert len(in_window) <= 20
    # ...and does not fall far behind it either.
    assert granted[-1] < 300 / 20 * 1.06


def test_limiter_headroom_widens_the_window() -> None:
    assert SlidingWindowLimiter(20).span == pytest.approx(1.05)
    assert SlidingWindowLimiter(0.5).capacity == 1
    with pytest.raises(ValueError, match="positive"):
        SlidingWindowLimiter(0)


def test_cache_expires_and_bounds_its_size() -> None:
    now = [0.0]
    cache = MemoryCache(max_entries=2, clock=lambda: now[0])
    cache.set("a", b"1", 10)
    now[0] = 4
    assert cache.get("a") == (b"1", 4)
    now[0] = 10
    assert cache.get("a") is None
    cache.set("a", b"1", 10)
    cache.set("b", b"2", 10)
    cache.set("c", b"3", 10)
    assert cache.get("a") is None
    assert cache.get("c") == (b"3", 0)


def test_error_rules_cover_prefixes_and_unknown_codes() -> None:
    assert is_transient("InternalError.SomethingNew")
    assert is_transient("RequestLimitExceeded.IPLimitExceeded")
    assert not is_transient("AuthFailure.Whatever")
    assert not is_transient("NeverHeardOf")
    error = api_error("NeverHeardOf", "odd", "rid-1", region="ap-guangzhou", endpoint="e")
    assert error.code == "NeverHeardOf"
    assert error.request_id == "rid-1"
    assert "does not know (NeverHeardOf: odd)" in error.user_message
    assert len({rule.code for rule in RULES}) == len(RULES)


def test_an_embedded_simulator_follows_the_clock_hour_by_hour() -> None:
    from bot.css.simulator import Simulator

    moment = [NOW]
    following = Simulator(clock=lambda: moment[0], follow_clock=True, count=30)
    fixed = Simulator(clock=lambda: moment[0], count=30)
    first = following.tasks
    assert fixed.tasks == first
    moment[0] = NOW + timedelta(minutes=20)  # same hour: same data
    assert following.tasks == first
    moment[0] = NOW + timedelta(hours=5)
    assert following.tasks == generate(seed=7, now=moment[0], count=30)
    assert fixed.tasks == first
    running = [t for t in following.tasks if t.start <= moment[0] < t.end and t.stopped is None]
    assert running  # "now" is still realistic hours later
