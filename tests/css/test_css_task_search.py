"""A TaskId question over real signed HTTP: DescribeRecordTask cannot filter by TaskId, so the
engine lists the windows nearest now first, a few at a time, and stops once every asked
TaskId was seen; a walk it cut short is never cached; a TaskId nobody has costs a full walk."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.css.cache import MemoryCache
from bot.css.query import TASK_SEARCH_WIDTH
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.plan import ApiWindow, plan_windows
from bot.tasks import RecordTask, to_unix
from tests.support.css import NOW, SourceFactory, expected, ids, window

EVERYTHING = window(None, None)  # what a TaskId question without a time phrase asks


def _windows_asked(sim: Simulator) -> list[ApiWindow]:
    bodies = [json.loads(r.body) for r in sim.request_log.records()]
    return [ApiWindow(int(b["StartTime"]), int(b["EndTime"])) for b in bodies]


def _nearest(sim: Simulator) -> RecordTask:
    return min(sim.tasks, key=lambda t: abs(t.start - NOW))


def _full_walk_calls(sim: Simulator, make_source: SourceFactory) -> int:
    make_source(sim).fetch_tasks(EVERYTHING, Filters(), NOW)
    calls = sim.request_log.calls
    sim.request_log.clear()
    return calls


def test_a_task_near_now_is_found_without_walking_the_whole_account(
    sim: Simulator, make_source: SourceFactory
) -> None:
    everything = _full_walk_calls(sim, make_source)
    target = _nearest(sim)
    result = make_source(sim).fetch_tasks(EVERYTHING, Filters(task_ids=(target.task_id,)), NOW)
    assert result.tasks == (target,)
    assert 0 < result.stats.api_calls < everything / 2
    # The windows nearest now go first (no other starts before one of them was answered),
    # and the farthest is never asked.
    plan = plan_windows(EVERYTHING, NOW)
    by_distance = sorted(
        plan.api_windows,
        key=lambda w: max(w.start - to_unix(NOW), to_unix(NOW) - w.end, 0),
    )
    asked = _windows_asked(sim)
    assert asked[0] in by_distance[:TASK_SEARCH_WIDTH]
    assert by_distance[-1] not in asked


def test_an_unknown_task_id_walks_every_window_and_finds_nothing(
    sim: Simulator, make_source: SourceFactory
) -> None:
    everything = _full_walk_calls(sim, make_source)
    result = make_source(sim).fetch_tasks(EVERYTHING, Filters(task_ids=("x" * 20 + "1" * 36,)), NOW)
    assert result.tasks == ()
    assert result.stats.api_calls == everything
    assert set(_windows_asked(sim)) == set(plan_windows(EVERYTHING, NOW).api_windows)


def test_several_task_ids_stop_only_when_all_were_seen(
    sim: Simulator, make_source: SourceFactory
) -> None:
    oldest, near = sim.tasks[0], _nearest(sim)
    result = make_source(sim).fetch_tasks(
        EVERYTHING, Filters(task_ids=(near.task_id, oldest.task_id)), NOW
    )
    assert ids(result.tasks) == sorted([near.task_id, oldest.task_id])


def test_a_search_cut_short_leaves_no_partial_window_in_the_cache(
    sim: Simulator, make_source: SourceFactory
) -> None:
    source = make_source(sim, cache=MemoryCache())
    source.fetch_tasks(EVERYTHING, Filters(task_ids=(_nearest(sim).task_id,)), NOW)
    whole = source.fetch_tasks(EVERYTHING, Filters(), NOW)
    assert ids(whole.tasks) == expected(sim.tasks, whole.plan.start, whole.plan.end)


def test_a_task_id_in_cached_windows_costs_no_call(
    sim: Simulator, make_source: SourceFactory
) -> None:
    source = make_source(sim, cache=MemoryCache())
    source.fetch_tasks(EVERYTHING, Filters(), NOW)
    calls = sim.request_log.calls
    target = sim.tasks[len(sim.tasks) // 3]
    result = source.fetch_tasks(EVERYTHING, Filters(task_ids=(target.task_id,)), NOW)
    assert result.tasks == (target,)
    assert result.stats.api_calls == 0
    assert sim.request_log.calls == calls


def test_a_stream_asked_with_the_task_id_still_goes_to_the_server(
    sim: Simulator, make_source: SourceFactory
) -> None:
    target = _nearest(sim)
    filters = Filters(streams=(target.stream,), task_ids=(target.task_id,))
    result = make_source(sim).fetch_tasks(EVERYTHING, filters, NOW)
    assert result.tasks == (target,)
    bodies = [json.loads(r.body) for r in sim.request_log.records()]
    assert bodies
    assert all(b["StreamName"] == target.stream for b in bodies)
    assert all("TaskId" not in b for b in bodies)


def test_a_time_phrase_still_bounds_a_task_id_question(
    sim: Simulator, make_source: SourceFactory
) -> None:
    target = _nearest(sim)
    before = window(target.start - timedelta(days=5), target.start - timedelta(days=3))
    result = make_source(sim).fetch_tasks(before, Filters(task_ids=(target.task_id,)), NOW)
    assert result.tasks == ()
