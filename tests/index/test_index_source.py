"""Answers from the index: when it is trusted (no API call, the footer says so), when it is
not (the live path, exactly as before), questions about now (refreshed first), and the same
tasks through both paths while the account changes under the syncer."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.answer import Answer, AnswerContext, answer
from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.index.source import Freshness, IndexSource
from bot.index.store import IndexStore
from bot.index.sync import Syncer, SyncLoop, SyncPolicy, hot_start, near_end
from bot.render.format import footer_parts
from bot.request import parse_request
from bot.tasks import RecordTask
from tests.index.conftest import MovingClock
from tests.support.css import FAST_RETRY, window


def ask(text: str, source: Any, now: datetime) -> Answer:
    return answer(parse_request(text, now, UTC), AnswerContext(now, UTC, source))


def api_view(result: Answer) -> list[dict[str, Any]]:
    return [t.to_api() for t in result.tasks]


@pytest.fixture
def fresh_live(sim: Simulator) -> Iterator[CssSource]:
    """A live source with an empty cache of its own: what the API says right now."""
    source = open_source(
        Settings(),
        simulator=sim,
        limiter=SlidingWindowLimiter(500.0),
        cache=MemoryCache(),
        retry=FAST_RETRY,
    )
    yield source
    source.close()


@pytest.fixture
def index(store: IndexStore, live: CssSource, syncer: Syncer) -> IndexSource:
    return IndexSource(store, live, Freshness(), syncer=syncer)


def test_a_90_day_question_is_answered_from_the_index_without_a_call(
    sim: Simulator, index: IndexSource, syncer: Syncer, fresh_live: CssSource
) -> None:
    syncer.backfill()
    before = sim.request_log.calls
    now = sim.clock()
    from_index = ask("last 90 days", index, now)
    assert sim.request_log.calls == before
    stats = from_index.result.stats
    assert stats.api_calls == 0
    assert stats.index_age_s is not None
    assert any(part.startswith("index, synced ") for part in footer_parts(stats))
    assert api_view(from_index) == api_view(ask("last 90 days", fresh_live, now))
    assert len(from_index.tasks) > 300


def test_a_task_id_question_is_answered_from_the_index_without_a_call(
    sim: Simulator, index: IndexSource, syncer: Syncer, fresh_live: CssSource
) -> None:
    """No time with a TaskId means 90 days back to 7 ahead: the synced index answers it with
    no call, where the live path would list the whole account (docs/requests.md)."""
    syncer.backfill()
    now = sim.clock()
    oldest = min(sim.tasks, key=lambda t: t.start)
    before = sim.request_log.calls
    from_index = ask(f"did {oldest.task_id} record?", index, now)
    assert sim.request_log.calls == before
    assert from_index.result.stats.index_age_s is not None
    assert [t.task_id for t in from_index.tasks] == [oldest.task_id]
    assert api_view(from_index) == api_view(ask(f"task:{oldest.task_id}", fresh_live, now))


def test_without_coverage_the_live_path_answers(sim: Simulator, index: IndexSource) -> None:
    now = sim.clock()
    result = ask("yesterday", index, now)
    assert result.result.stats.api_calls > 0
    assert result.result.stats.index_age_s is None


def test_a_stale_hot_part_sends_an_ordinary_question_live(
    sim: Simulator, index: IndexSource, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    clock.skip(timedelta(minutes=3))  # the hot part is now 3 minutes old; limit 2
    now = sim.clock()
    stats = ask("yesterday", index, now).result.stats
    assert stats.api_calls > 0
    assert stats.index_age_s is None
    # The settled past alone is trusted for a day: 10 days ago needs no call.
    settled = index.fetch_tasks(
        window(now - timedelta(days=12), now - timedelta(days=10)), Filters(), now
    )
    assert settled.stats.api_calls == 0
    assert settled.stats.index_age_s is not None


def test_a_question_about_now_refreshes_the_hot_part_first(
    sim: Simulator, index: IndexSource, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    clock.skip(timedelta(seconds=20))  # fresh enough for most questions, not for "now"
    now = sim.clock()
    started = RecordTask(
        "now-" + "n" * 52,
        "d.example.com",
        "live",
        "fresh",
        now - timedelta(seconds=5),
        now + timedelta(hours=1),
        0,
        None,
    )
    sim.add_task(started)
    result = ask("running", index, now)
    assert started.task_id in {t.task_id for t in result.tasks}
    stats = result.result.stats
    assert 0 < stats.api_calls <= 4
    assert stats.index_age_s is not None  # the oldest part it read: the far part, 20 s old
    # What it read of the near part was listed just now; the far part (fresh enough) was not.
    pieces = index.store.pieces(index.account)
    low = hot_start(now) + timedelta(minutes=5)  # the edge may move on while it asks
    near = [p.at for p in pieces if p.start < near_end(now) and p.end > low]
    assert min(near) >= now
    assert any(p.at < now for p in pieces if p.start >= near_end(now))


class Churn:
    """Creates, stops and deletes tasks on the simulator until stopped, as operators would."""

    def __init__(self, sim: Simulator, seed: int = 3) -> None:
        self.sim = sim
        self.rng = random.Random(seed)
        self.done = threading.Event()
        self.changes = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Churn:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self.done.wait(0.01):
            now = self.sim.clock()
            roll = self.rng.random()
            tasks = self.sim.tasks
            if roll < 0.4:
                start = now + timedelta(minutes=self.rng.randint(0, 6 * 24 * 60))
                task_id = f"churn-{self.changes:04d}-" + "c" * 40
                length = timedelta(minutes=self.rng.choice((30, 120, 600, 1440)))
                self.sim.add_task(
                    RecordTask(
                        task_id, "d.example.com", "live", "churn", start, start + length, 0, None
                    )
                )
            elif roll < 0.7:
                open_ = [t for t in tasks if t.stopped is None and t.end > now]
                self.sim.stop_task(self.rng.choice(open_).task_id, now)
            else:
                self.sim.delete_task(self.rng.choice(tasks).task_id)
            self.changes += 1


QUESTIONS = (
    "last 90 days",
    "yesterday",
    "today",
    "running",
    "scheduled",
    "last week",
    "stopped this month",
)


def test_index_and_live_give_the_same_tasks_after_churn_while_syncing(
    sim: Simulator, store: IndexStore, live: CssSource, fresh_live: CssSource, clock: MovingClock
) -> None:
    policy = SyncPolicy(
        hot_every=timedelta(seconds=0.2),
        far_every=timedelta(seconds=0.5),
        reconcile_every=timedelta(seconds=1),
    )
    syncer = Syncer(store, live, policy, holder="churn-test")
    index = IndexSource(store, live, Freshness(), syncer=syncer)
    loop = SyncLoop(syncer, tick_s=0.02).start()
    try:
        with Churn(sim) as churn:
            deadline = threading.Event()
            # Churn for as long as the first backfill and a few refreshes take.
            while syncer.missing(sim.clock()) and not deadline.wait(0.05):
                pass
            deadline.wait(1.0)
        assert churn.changes > 50
        quiet = sim.clock()
        # Wait (with a deadline) until every range was listed after the churn stopped.
        waited = threading.Event()
        for _ in range(600):
            pieces = store.pieces(syncer.account)
            if pieces and min(p.at for p in pieces) > quiet:
                break
            waited.wait(0.05)
        else:
            pytest.fail("the index was not fully re-listed within 30 s of the churn ending")
    finally:
        loop.stop()
    now = sim.clock()
    for question in QUESTIONS:
        from_index = ask(question, index, now)
        from_api = ask(question, fresh_live, now)
        assert from_index.result.stats.index_age_s is not None, question
        assert api_view(from_index) == api_view(from_api), question


def test_an_unreadable_index_sends_the_question_live(
    sim: Simulator, store: IndexStore, index: IndexSource, syncer: Syncer
) -> None:
    syncer.backfill()
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE index_ranges")
    result = ask("yesterday", index, sim.clock())
    assert result.result.stats.api_calls > 0
    assert result.result.stats.index_age_s is None
