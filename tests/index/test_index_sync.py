"""Backfill, hot refresh, reconcile, one-stream refresh and the lease, over real wire to the
simulator and on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.css.simulator import Simulator
from bot.index.ranges import CHUNK
from bot.index.store import IndexStore
from bot.index.sync import WINDOWS_PER_STEP, Kind, Syncer, SyncPolicy, horizon, hot_start
from bot.plan import oldest_allowed
from bot.tasks import RecordTask
from tests.index.conftest import MovingClock


def indexed(store: IndexStore, syncer: Syncer, now: datetime) -> dict[str, dict[str, Any]]:
    tasks = store.tasks_starting(syncer.account, oldest_allowed(now), horizon(now))
    return {t.task_id: t.to_api() for t in tasks}


def listed(sim: Simulator, now: datetime) -> dict[str, dict[str, Any]]:
    """What the API says (Unix seconds), for the range the index keeps."""
    low, high = oldest_allowed(now), horizon(now)
    return {t.task_id: t.to_api() for t in sim.tasks if low <= t.start < high}


def test_backfill_indexes_every_task_of_the_90_days_and_7_ahead(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    calls = syncer.backfill()
    now = sim.clock()
    assert not syncer.missing(now)
    assert indexed(store, syncer, now) == listed(sim, now)
    assert calls == sim.request_log.calls


def test_backfill_resumes_where_it_stopped(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    first = syncer.backfill_step(sim.clock())
    assert first is not None
    spent = sim.request_log.calls
    again = Syncer(store, syncer.lister, holder="another")
    again.backfill()
    # The second one listed only what the first had not: no window is asked twice.
    total = spent + (sim.request_log.calls - spent)
    fresh = Syncer(store, syncer.lister)
    assert fresh.backfill() == 0
    assert total == sim.request_log.calls
    assert indexed(store, syncer, sim.clock()) == listed(sim, sim.clock())


def test_hot_refresh_picks_up_created_and_stopped_tasks(
    sim: Simulator, store: IndexStore, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    now = sim.clock()
    running = next(t for t in sim.tasks if t.start < now < t.end and t.stopped is None)
    new = RecordTask(
        "created-" + "x" * 48,
        "d.example.com",
        "live",
        "new",
        now,
        now + timedelta(hours=2),
        0,
        None,
    )
    sim.add_task(new)
    stopped = sim.stop_task(running.task_id, now)
    clock.skip(timedelta(seconds=61))
    assert syncer.step() is not None  # the hot part is due
    after = indexed(store, syncer, sim.clock())
    assert after[new.task_id] == new.to_api()
    assert after[running.task_id] == stopped.to_api()


def test_reconcile_drops_a_deleted_old_task_and_prunes_below_the_floor(
    sim: Simulator, store: IndexStore, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    now = sim.clock()
    old = next(t for t in sim.tasks if t.end < now - timedelta(days=30))
    sim.delete_task(old.task_id)
    clock.skip(timedelta(minutes=5))
    syncer.step()  # hot refresh: an old task is not its business
    assert old.task_id in indexed(store, syncer, sim.clock())
    clock.skip(timedelta(days=1))
    while syncer.step() is not None:
        pass
    now = sim.clock()
    assert old.task_id not in indexed(store, syncer, now)
    assert indexed(store, syncer, now) == listed(sim, now)
    floor = oldest_allowed(now)
    assert all(
        t.start >= floor
        for t in store.tasks_starting(
            syncer.account, floor - timedelta(days=3), floor + timedelta(days=400)
        )
    )
    assert not store.tasks_starting(syncer.account, floor - timedelta(days=30), floor)


def test_reconcile_lists_the_ranges_the_near_part_left_behind_with_their_neighbours(
    sim: Simulator, store: IndexStore, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    for _ in range(6):  # half an hour of near refreshes: each 5 minutes leaves a range behind
        clock.skip(timedelta(minutes=5))
        while syncer.step() is not None:
            pass
    clock.skip(timedelta(days=1))
    began = sim.clock()
    while syncer.step() is not None:
        pass
    now = sim.clock()
    reconciles = [r for r in store.runs_since(syncer.account, began) if r.kind == "reconcile"]
    # The settled past in steps of WINDOWS_PER_STEP windows, the left-behind ranges with the
    # last one: not one listing (a window reaching a day past it) each, every day.
    settled = hot_start(now) - oldest_allowed(now)
    assert len(reconciles) == math.ceil(settled / (CHUNK * WINDOWS_PER_STEP))
    assert len([p for p in store.pieces(syncer.account) if p.start < hot_start(now)]) <= len(
        reconciles
    )
    assert indexed(store, syncer, now) == listed(sim, now)


def test_a_stream_refresh_touches_only_that_stream(
    sim: Simulator, store: IndexStore, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    now = sim.clock()
    upcoming = [t for t in sim.tasks if t.start > now and t.stopped is None]
    mine, other = upcoming[0], next(t for t in upcoming if t.stream != upcoming[0].stream)
    sim.stop_task(mine.task_id, now)
    sim.stop_task(other.task_id, now)
    clock.skip(timedelta(seconds=1))
    run = syncer.refresh_stream(mine.domain, mine.app, mine.stream)
    assert run.kind == Kind.STREAM.value
    after = indexed(store, syncer, sim.clock())
    assert after[mine.task_id]["Stopped"] == int(now.timestamp())
    assert after[other.task_id]["Stopped"] == 0  # its stream was not refreshed


def test_an_older_listing_landing_late_does_not_undo_a_newer_one(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    syncer.backfill()
    now = sim.clock()
    task = next(t for t in sim.tasks if t.start > now)
    low, high = hot_start(now), horizon(now)
    store.apply(syncer.account, low, high, [replace(task, stopped=now)], now + timedelta(hours=1))
    # A listing begun earlier (it did not see the stop, nor other tasks) lands afterwards.
    store.apply(syncer.account, low, high, [task], now + timedelta(minutes=30))
    after = indexed(store, syncer, now)
    assert after[task.task_id]["Stopped"] == int(now.timestamp())


def test_one_syncer_holds_the_lease_until_it_lapses(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    wall = [datetime(2026, 7, 27, 12, 0, tzinfo=UTC)]
    policy = SyncPolicy(lease=timedelta(seconds=30))
    first = Syncer(store, syncer.lister, policy, holder="a", wall_clock=lambda: wall[0])
    second = Syncer(store, syncer.lister, policy, holder="b", wall_clock=lambda: wall[0])
    assert first.step() is not None
    assert second.step() is None  # standing by: "a" holds the lease
    wall[0] += timedelta(seconds=20)
    assert first.step() is not None  # renewed
    wall[0] += timedelta(seconds=29)
    assert second.step() is None
    wall[0] += timedelta(seconds=2)  # "a" went silent for a whole lease
    assert second.step() is not None
    assert store.lease_holder(f"index-sync:{syncer.account}", wall[0]) == "b"
