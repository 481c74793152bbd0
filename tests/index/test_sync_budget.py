"""The sync budget on the wire: an account too big for the configured periods at the page size
the simulator serves makes the running sync loop stretch them (far first, then near), and
answers follow the stretched periods honestly (the footer says so; questions about now still
refresh first)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.index.budget import Costs, per_hour
from bot.index.source import Freshness, IndexSource
from bot.index.store import IndexStore, Run
from bot.index.sync import Kind, Syncer, SyncLoop, SyncPolicy
from bot.render.format import footer_parts
from tests.index.conftest import MovingClock
from tests.support.css import window

SMALL_PAGE = 2  # 600 tasks at 2 a page: a near listing takes a few calls, a far one ~25


def wait_for(condition: Callable[[], bool], deadline_s: float = 30.0) -> None:
    until = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < until, "condition not met before the deadline"
        time.sleep(0.02)


def runs(store: IndexStore, account: str, kind: Kind, since: datetime) -> list[Run]:
    return [r for r in store.runs_since(account, since) if r.kind == kind.value and r.ok]


def gaps_s(listed: list[Run]) -> list[float]:
    starts = sorted(r.started_at for r in listed)
    return [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]


def probed(store: IndexStore, live: CssSource, policy: SyncPolicy) -> tuple[int, int, int]:
    """Backfill, then one near and one far refresh: (near calls, far calls, backfill calls)."""
    probe = Syncer(store, live, policy, holder="probe")
    backfill = probe.backfill()
    now = live.server_clock()
    near, far = probe.near_refresh(now), probe.far_refresh(now)
    probe.release()
    return near.calls, far.calls, backfill


def test_a_big_account_at_a_small_page_size_makes_the_loop_stretch_its_periods(
    sim: Simulator, store: IndexStore, live: CssSource
) -> None:
    sim.page_size = SMALL_PAGE
    configured = SyncPolicy(
        hot_every=timedelta(seconds=0.15),
        far_every=timedelta(seconds=0.3),
        longest_near=timedelta(seconds=5),
        longest_far=timedelta(seconds=1),
    )
    near, far, settled = probed(store, live, configured)
    assert near >= 2
    assert far > near
    costs = Costs(near, far, settled)  # the backfill stands in for the reconcile's cost
    # A budget the far part fits only at its longest (1 s), the near part at about 3 times
    # its configured period (0.45 s).
    budget = 3600 * (near / 0.45 + far / 1.0 + settled / 86400)
    policy = replace(configured, budget_per_h=budget)
    assert per_hour(costs, policy.periods()) > budget
    syncer = Syncer(store, live, policy, holder="loop")
    began = sim.clock()
    loop = SyncLoop(syncer, tick_s=0.02).start()
    try:
        wait_for(lambda: len(runs(store, syncer.account, Kind.FAR, began)) >= 3)
    finally:
        loop.stop()
    applied = syncer.budget
    assert applied.costs == costs
    assert applied.effective.far == timedelta(seconds=1)  # far first, to its longest
    assert timedelta(seconds=0.3) < applied.effective.near < timedelta(seconds=5)
    assert applied.projected_per_h <= budget
    assert not applied.over
    # The loop ran at those periods: listings of each part at least that far apart (at the
    # configured periods they would be 0.15 s and 0.3 s apart).
    near_gaps = gaps_s(runs(store, syncer.account, Kind.HOT, began))
    far_gaps = gaps_s(runs(store, syncer.account, Kind.FAR, began))
    assert near_gaps
    assert far_gaps
    assert min(near_gaps) >= 0.3
    assert min(far_gaps) >= 1.0


def stretched_syncer(store: IndexStore, live: CssSource, near_every_s: float) -> Syncer:
    """A syncer after its backfill and first refreshes, its budget set so that the near part
    is listed every `near_every_s` instead of 60 s (the far part hourly)."""
    near, far, settled = probed(store, live, SyncPolicy())
    budget = 3600 * (near / near_every_s + far / 3600 + settled / 86400)
    syncer = Syncer(store, live, SyncPolicy(budget_per_h=budget), holder="test-replica")
    syncer.govern(live.server_clock())
    return syncer


def test_an_answer_may_read_the_near_part_as_old_as_the_stretched_period_and_says_so(
    sim: Simulator, store: IndexStore, live: CssSource, clock: MovingClock
) -> None:
    sim.page_size = SMALL_PAGE
    syncer = stretched_syncer(store, live, 240.0)
    near = syncer.budget.effective.near
    assert timedelta(seconds=239) < near <= timedelta(seconds=241)
    stretched = IndexSource(store, live, Freshness(), syncer=syncer)
    unbudgeted = IndexSource(store, live, Freshness(), syncer=Syncer(store, live))
    clock.skip(timedelta(seconds=200))  # older than the 120 s configured, within 120 + 180
    now = sim.clock()
    earlier = window(now - timedelta(hours=3), now - timedelta(hours=1))  # not about now
    result = stretched.fetch_tasks(earlier, Filters(), now)
    assert result.stats.api_calls == 0
    assert result.stats.index_age_s is not None
    assert result.stats.index_age_s >= 200
    assert result.stats.index_every_s == near.total_seconds()
    assert "index, synced 3 min ago (every 4 min, within the sync budget)" in footer_parts(
        result.stats
    )
    # Without the budget's stretch the same question would have gone live.
    assert unbudgeted.fetch_tasks(earlier, Filters(), now).stats.index_age_s is None
    clock.skip(timedelta(seconds=120))  # 320 s: older than the stretched limit too
    later = sim.clock()
    gone_live = stretched.fetch_tasks(
        window(later - timedelta(hours=3), later - timedelta(hours=1)), Filters(), later
    )
    assert gone_live.stats.index_age_s is None
    assert gone_live.stats.api_calls > 0


def test_a_question_about_now_still_refreshes_first_under_a_stretched_budget(
    sim: Simulator, store: IndexStore, live: CssSource, clock: MovingClock
) -> None:
    sim.page_size = SMALL_PAGE
    syncer = stretched_syncer(store, live, 240.0)
    index = IndexSource(store, live, Freshness(), syncer=syncer)
    clock.skip(timedelta(seconds=100))
    now = sim.clock()
    result = index.fetch_tasks(
        window(now - timedelta(hours=1), now + timedelta(hours=1)), Filters(), now
    )
    assert result.stats.api_calls > 0  # the near part it reads was listed first
    assert result.stats.index_age_s is not None
    assert result.stats.index_age_s < 15
    assert result.stats.index_every_s is None
