"""The query engine over real signed HTTP: overlap edges, paging, de-duplication, filters, cache."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from bot.css.cache import MemoryCache
from bot.css.client import open_source
from bot.css.ratelimit import SlidingWindowLimiter, process_limiter
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.plan import plan_windows
from bot.tasks import RecordTask, from_unix
from tests.support.css import NOW, SourceFactory, days, expected, ids, window

H = timedelta(hours=1)
D = timedelta(days=1)


def task(n: int, start: timedelta, length: timedelta, stream: str = "livetest") -> RecordTask:
    begin = NOW + start
    return RecordTask(
        task_id=f"task-{n:03d}",
        domain="5000.live.push.example.com",
        app="live",
        stream=stream,
        start=begin,
        end=begin + length,
        template_id=0,
        stopped=None,
    )


def test_edges_of_the_asked_window_are_half_open(
    sim: Simulator, make_source: SourceFactory
) -> None:
    start, end = NOW - 2 * D, NOW - D
    at = lambda moment: moment - NOW  # noqa: E731
    tasks = [
        task(1, at(start) + H, 2 * H),  # inside
        task(2, at(start) - H, 2 * H),  # crosses the start
        task(3, at(end) - H, 2 * H),  # crosses the end
        task(4, at(start) - 2 * H, 2 * H),  # ends exactly at the start: out
        task(5, at(end), H),  # starts exactly at the end: out
        task(6, at(start), H),  # starts exactly at the start: in
        task(7, at(start) - D + timedelta(seconds=1), D),  # 24 h, ends 1 s after the start: in
        task(8, at(start) - D, D),  # 24 h, ends exactly at the start: out
        task(9, at(start) - H, D + 2 * H - H),  # covers the whole window
        task(10, at(end) + H, D),  # after: out
    ]
    sim.replace_tasks(tasks)
    result = make_source(sim).fetch_tasks(window(start, end), Filters(), NOW)
    assert ids(result.tasks) == [
        "task-001",
        "task-002",
        "task-003",
        "task-006",
        "task-007",
        "task-009",
    ]


def test_tasks_across_every_api_window_edge_are_found_once(
    sim: Simulator, make_source: SourceFactory
) -> None:
    asked = days(-89, 7)
    plan = plan_windows(asked, NOW)
    assert len(plan.api_windows) > 10
    tasks: list[RecordTask] = []
    n = 0
    for api in plan.api_windows:
        for edge in (api.start, api.end):
            for offset, length in ((-12 * H, D), (0 * H, D), (-D, D), (-H, 2 * H), (0 * H, H)):
                begin = from_unix(edge) + offset - NOW
                candidate = task(n, begin, length)
                n += 1
                if candidate.start >= NOW - timedelta(days=89, hours=23) and candidate.end <= (
                    NOW + 7 * D
                ):
                    tasks.append(candidate)
    sim.replace_tasks(tasks)
    result = make_source(sim).fetch_tasks(asked, Filters(), NOW)
    got = ids(result.tasks)
    assert len(got) == len(set(got))  # de-duplicated by TaskId across overlapping windows
    assert got == expected(tuple(tasks), result.plan.start, result.plan.end)
    assert result.stats.pages >= len(plan.api_windows)


def test_ninety_days_back_and_seven_ahead_are_clipped_with_notes(
    sim: Simulator, make_source: SourceFactory
) -> None:
    tasks = [
        task(1, -timedelta(days=89, hours=23), 2 * H),  # just inside the retention
        task(2, timedelta(days=6, hours=20), 3 * H),  # the last schedulable hours
        task(3, -D, D),  # exactly 24 h
    ]
    sim.replace_tasks(tasks)
    result = make_source(sim).fetch_tasks(days(-120, 30), Filters(), NOW)
    assert ids(result.tasks) == ["task-001", "task-002", "task-003"]
    assert any("90 days" in note for note in result.notes)
    assert any("7 days ahead" in note for note in result.notes)


def test_paging_follows_tokens_to_the_end_including_an_empty_last_page(
    sim: Simulator, make_source: SourceFactory
) -> None:
    # 14 tasks with 7 per page: two full pages, then the empty page a full page promises.
    tasks = [task(n, -2 * D + n * H, H) for n in range(14)]
    sim.replace_tasks(tasks)
    result = make_source(sim).fetch_tasks(days(-3, 0), Filters(), NOW)
    assert len(result.tasks) == 14
    assert result.stats.pages == 3
    assert result.stats.api_calls == sim.request_log.calls == 3


def test_default_dataset_matches_brute_force(sim: Simulator, make_source: SourceFactory) -> None:
    result = make_source(sim).fetch_tasks(days(-30, 3), Filters(), NOW)
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)
    assert result.tasks == tuple(sorted(result.tasks, key=lambda t: (t.start, t.task_id)))
    assert result.stats.simulated
    assert result.stats.region == "ap-guangzhou"


def _bodies(sim: Simulator) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in sim.request_log.records()]


def test_a_single_filter_value_goes_to_the_server(
    sim: Simulator, make_source: SourceFactory
) -> None:
    filters = Filters(streams=("cam1",), domains=("b.push.example.net",))
    result = make_source(sim).fetch_tasks(days(-20, 0), filters, NOW)
    assert result.tasks
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end, filters)
    for body in _bodies(sim):
        assert body["StreamName"] == "cam1"
        assert body["DomainName"] == "b.push.example.net"


def test_several_filter_values_are_applied_by_us(
    sim: Simulator, make_source: SourceFactory
) -> None:
    filters = Filters(streams=("cam1", "news"))
    result = make_source(sim).fetch_tasks(days(-20, 0), filters, NOW)
    assert {t.stream for t in result.tasks} == {"cam1", "news"}
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end, filters)
    assert all("StreamName" not in body for body in _bodies(sim))


def test_a_window_fully_in_the_past_asks_nothing(
    sim: Simulator, make_source: SourceFactory
) -> None:
    result = make_source(sim).fetch_tasks(days(-200, -100), Filters(), NOW)
    assert result.tasks == ()
    assert result.stats.api_calls == 0
    assert sim.request_log.calls == 0
    assert result.notes


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_serves_repeats_and_keeps_settled_windows_longer(
    sim: Simulator, make_source: SourceFactory
) -> None:
    clock = FakeClock()
    source = make_source(sim, cache=MemoryCache(clock=clock))
    old, recent = days(-20, -15), days(-1, 0)
    first = source.fetch_tasks(old, Filters(), NOW)
    source.fetch_tasks(recent, Filters(), NOW)
    calls = sim.request_log.calls
    clock.now += 30
    again = source.fetch_tasks(old, Filters(), NOW)
    assert again.tasks == first.tasks
    assert again.stats.api_calls == 0
    assert again.stats.cache_hits == len(again.plan.api_windows)
    assert again.stats.cache_age_s == pytest.approx(30)
    clock.now += 120  # past the short TTL, inside the long one
    assert source.fetch_tasks(old, Filters(), NOW).stats.api_calls == 0
    assert source.fetch_tasks(recent, Filters(), NOW).stats.api_calls > 0
    assert sim.request_log.calls > calls
    # Other filters are another key.
    assert source.fetch_tasks(old, Filters(streams=("cam1",)), NOW).stats.cache_hits == 0


def test_sources_of_one_process_share_one_limiter(sim: Simulator) -> None:
    from bot.config import Settings

    first = open_source(Settings(), simulator=sim)
    second = open_source(Settings(), simulator=sim)
    try:
        assert first.limiter is second.limiter is process_limiter(20.0)
    finally:
        first.close()
        second.close()


def test_concurrent_queries_stay_under_the_shared_rate(make_source: SourceFactory) -> None:
    with Simulator(now=NOW, seed=3, page_size=2, rate_limit=40) as sim:
        limiter = SlidingWindowLimiter(40)
        sources = [make_source(sim), make_source(sim)]
        for source in sources:
            source.limiter = limiter
        results: list[object] = []
        errors: list[BaseException] = []

        def run(index: int) -> None:
            try:
                results.append(sources[index].fetch_tasks(days(-12, 0), Filters(), NOW))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors
        assert len(results) == 2
        arrivals = sorted(r.at for r in sim.request_log.records())
        assert len(arrivals) > 45
        peak = max(
            sum(1 for t in arrivals[i:] if t - arrivals[i] < 1.0) for i in range(len(arrivals))
        )
        # Two queries together, yet about the one limit (80 if each had its own), with a
        # little room for scheduling jitter on a busy machine.
        assert peak <= 44


def test_api_windows_are_clipped_with_the_servers_clock_not_the_asked_now(
    sim: Simulator, make_source: SourceFactory
) -> None:
    # A button pressed 80 days after its answer replays the answer's `now`; the 90-day rule
    # is the server's, so the first window starts 90 days before the server's clock.
    replayed = NOW - 80 * D
    asked = window(replayed - 20 * D, replayed)
    result = make_source(sim).fetch_tasks(asked, Filters(), replayed)
    floor = NOW - 90 * D
    assert floor <= result.plan.start <= floor + timedelta(minutes=10)
    assert result.notes == ("Only the last 90 days are kept: showing from Apr 28",)
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)
    assert result.tasks


def test_an_asked_now_ahead_of_the_server_still_plans_with_the_servers_clock(
    sim: Simulator, make_source: SourceFactory
) -> None:
    later = NOW + 95 * D  # `recbot ask --now` in the future, against a real account
    result = make_source(sim).fetch_tasks(window(later - D, later), Filters(), later)
    assert result.plan.empty
    assert result.stats.api_calls == 0
    assert "at most 7 days ahead" in result.notes[-1]


def test_a_long_walk_gets_the_time_the_rate_limit_needs_beyond_the_setting(
    sim: Simulator, make_source: SourceFactory
) -> None:
    # ~40 pages at 20/s take about 2 s of pacing alone; the setting says 0.5 s. The deadline
    # grows with the calls the walk turns out to need (R5) instead of cutting it off.
    sim.page_size = 2
    asked = days(-20, 2)
    result = make_source(sim, rate=20, deadline_s=0.5).fetch_tasks(asked, Filters(), NOW)
    assert result.stats.pages > 25
    assert ids(result.tasks) == expected(sim.tasks, result.plan.start, result.plan.end)


def test_a_silent_server_still_meets_a_deadline_scaled_to_its_calls(
    sim: Simulator, make_source: SourceFactory
) -> None:
    from bot.errors import ApiError

    sim.set_faults(latency_s=1.0)
    with pytest.raises(ApiError) as caught:
        make_source(sim, rate=20, deadline_s=0.3, timeout_s=5.0).fetch_tasks(
            days(-2, 0), Filters(), NOW
        )
    assert caught.value.code == "QueryDeadline"
    assert "0.3 s for 1 call" in caught.value.detail
