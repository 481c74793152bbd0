"""A question about now whose refresh fails is answered by the live path, exactly as without
the index: a sync error never decides an answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from bot.answer import AnswerContext, answer
from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.errors import ApiError
from bot.index.source import Freshness, IndexSource
from bot.index.store import IndexStore
from bot.index.sync import Syncer, SyncPolicy
from bot.plan import ApiWindow
from bot.request import parse_request
from bot.source import FetchStats
from bot.tasks import RecordTask
from tests.index.conftest import MovingClock


class RefusingLister:
    """The syncer's side of an account that refuses every listing (the question's own live
    source still answers)."""

    def __init__(self, live: CssSource) -> None:
        self.cache_scope = live.cache_scope
        self._live = live

    def server_clock(self) -> datetime:
        return self._live.server_clock()

    def list_windows(
        self, windows: Sequence[ApiWindow], server: Mapping[str, str]
    ) -> tuple[list[RecordTask], FetchStats]:
        raise ApiError("RequestLimitExceeded", "Tencent Cloud is busy; try again shortly.")


def test_a_failed_refresh_sends_the_question_about_now_live(
    sim: Simulator, store: IndexStore, live: CssSource, syncer: Syncer, clock: MovingClock
) -> None:
    syncer.backfill()
    clock.skip(timedelta(seconds=20))  # too old for a question about now: it refreshes first
    refusing = Syncer(store, RefusingLister(live), SyncPolicy(), holder="refusing")
    index = IndexSource(store, live, Freshness(), syncer=refusing)
    now = sim.clock()
    result = answer(parse_request("running", now, UTC), AnswerContext(now, UTC, index))
    stats = result.result.stats
    assert stats.api_calls > 0  # the live path answered
    assert stats.index_age_s is None
    running = {t.task_id for t in sim.tasks if t.start <= now < t.end and t.stopped is None}
    assert running <= {t.task_id for t in result.tasks}
