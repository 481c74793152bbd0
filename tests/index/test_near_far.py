"""The hot part in two: the near part (tasks starting from 24 h ago to an hour ahead) listed
every minute, the far part (the rest of the 7 days ahead) every 10 minutes; what each
refresh picks up, what it costs, and which answers each part's age allows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.index.source import Freshness, IndexSource
from bot.index.store import IndexStore
from bot.index.sync import Kind, Syncer, SyncPolicy, horizon, hot_start, near_end
from bot.tasks import RecordTask
from tests.index.conftest import MovingClock
from tests.support.css import window


def made(name: str, start: datetime, length: timedelta) -> RecordTask:
    return RecordTask(
        f"{name}-" + "z" * (52 - len(name)),
        "d.example.com",
        "live",
        name,
        start,
        start + length,
        0,
        None,
    )


@pytest.fixture
def index(store: IndexStore, live: CssSource, syncer: Syncer) -> IndexSource:
    """The index after its first backfill, and the source answering from it."""
    syncer.backfill()
    return IndexSource(store, live, Freshness(), syncer=syncer)


def ids(result_tasks: tuple[RecordTask, ...]) -> dict[str, RecordTask]:
    return {t.task_id: t for t in result_tasks}


def test_one_near_refresh_shows_a_created_a_stopped_and_a_deleted_task(
    sim: Simulator, store: IndexStore, syncer: Syncer, live: CssSource, clock: MovingClock
) -> None:
    syncer.backfill()
    now = sim.clock()
    running = [t for t in sim.tasks if t.start < now < t.end and t.stopped is None]
    created = made("created", now - timedelta(seconds=30), timedelta(hours=2))
    sim.add_task(created)
    stopped = sim.stop_task(running[0].task_id, now)
    sim.delete_task(running[1].task_id)
    clock.skip(timedelta(seconds=61))
    before = sim.request_log.calls
    run = syncer.step()
    assert run is not None
    assert run.kind == Kind.HOT.value
    # One API window: the near part's starts and one task length after them.
    assert run.calls == sim.request_log.calls - before
    assert run.calls <= run.tasks // sim.page_size + 1
    # The next question (not about now, so it refreshes nothing) sees all three.
    asked = sim.clock()
    index = IndexSource(store, live, Freshness(), syncer=syncer)
    result = index.fetch_tasks(window(asked - timedelta(hours=3), asked), Filters(), asked)
    assert result.stats.api_calls == 0
    assert result.stats.index_age_s is not None
    seen = ids(result.tasks)
    assert seen[created.task_id].to_api() == created.to_api()
    assert seen[stopped.task_id].to_api() == stopped.to_api()
    assert running[1].task_id not in seen


def test_the_near_refresh_leaves_the_far_part_to_its_own_period(
    sim: Simulator, syncer: Syncer, store: IndexStore, clock: MovingClock
) -> None:
    syncer.backfill()
    now = sim.clock()
    ahead = made("ahead", now + timedelta(days=3), timedelta(hours=1))
    sim.add_task(ahead)
    clock.skip(timedelta(seconds=61))
    near = syncer.step()
    assert near is not None
    assert near.kind == Kind.HOT.value
    assert syncer.step() is None  # nothing else is due yet: the far part is a minute old
    assert ahead.task_id not in {
        t.task_id for t in store.tasks_starting(syncer.account, now, horizon(now))
    }
    clock.skip(timedelta(minutes=10))
    kinds = [run.kind for run in iter(syncer.step, None)]
    assert kinds[:2] == [Kind.HOT.value, Kind.FAR.value]
    later = sim.clock()
    found = store.tasks_starting(syncer.account, near_end(later), horizon(later))
    assert ahead.task_id in {t.task_id for t in found}


def test_the_creeping_horizon_needs_no_listing_between_far_refreshes(
    sim: Simulator, syncer: Syncer, clock: MovingClock
) -> None:
    policy = SyncPolicy(far_every=timedelta(minutes=10))
    syncer = Syncer(syncer.store, syncer.lister, policy, holder="creeping")
    syncer.backfill()
    for _ in range(9):  # 9 minutes: the horizon moves past at least one 5-minute step
        clock.skip(timedelta(minutes=1))
        assert not syncer.missing(sim.clock())
        run = syncer.step()
        assert run is not None
        assert run.kind == Kind.HOT.value


def test_each_part_is_trusted_for_its_own_period(
    sim: Simulator, index: IndexSource, clock: MovingClock
) -> None:
    clock.skip(timedelta(minutes=5))
    now = sim.clock()
    # 3 to 4 days ahead reads only the far part, 5 minutes old: within its 15 minutes.
    ahead = window(now + timedelta(days=3), now + timedelta(days=4))
    far = index.fetch_tasks(ahead, Filters(), now)
    assert far.stats.api_calls == 0
    assert far.stats.index_age_s is not None
    # The last 3 hours read the near part, 5 minutes old: older than its 2 minutes.
    recent = index.fetch_tasks(window(now - timedelta(hours=3), now), Filters(), now)
    assert recent.stats.index_age_s is None
    assert recent.stats.api_calls > 0
    clock.skip(timedelta(minutes=11))
    later = sim.clock()
    stale = index.fetch_tasks(ahead, Filters(), later)
    assert stale.stats.index_age_s is None
    assert stale.stats.api_calls > 0


def test_a_question_about_now_refreshes_a_stale_far_part_it_reads(
    sim: Simulator, store: IndexStore, syncer: Syncer, index: IndexSource, clock: MovingClock
) -> None:
    clock.skip(timedelta(minutes=16))
    now = sim.clock()
    tomorrow = made("tomorrow", now + timedelta(hours=20), timedelta(hours=2))
    sim.add_task(tomorrow)
    # Now until 30 hours ahead: about now, reading the near part and the far part.
    result = index.fetch_tasks(window(now, now + timedelta(hours=30)), Filters(), now)
    assert result.stats.api_calls > 0
    assert result.stats.index_age_s is not None
    assert result.stats.index_age_s < 15
    assert tomorrow.task_id in ids(result.tasks)
    # The settled past was not listed again: only what the question read of the hot part.
    settled = [p for p in store.pieces(syncer.account) if p.end <= hot_start(now)]
    assert settled
    assert all(p.at < now for p in settled)


def test_a_question_reads_what_the_replica_read_last_while_it_is_fresh_enough(
    sim: Simulator, store: IndexStore, index: IndexSource
) -> None:
    index.warm()  # what every replica's sync loop does after each step
    with store.engine.begin() as connection:  # the database goes away
        connection.exec_driver_sql("DROP TABLE index_ranges")
    now = sim.clock()
    before = sim.request_log.calls
    result = index.fetch_tasks(window(now - timedelta(hours=3), now), Filters(), now)
    assert result.stats.index_age_s is not None
    assert sim.request_log.calls == before
