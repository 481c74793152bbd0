"""What doctor and /metrics show of the index after a backfill and a hot refresh, and of
the sync budget."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.doctor import check_index
from bot.config import Settings
from bot.css.simulator import Simulator
from bot.index.status import index_status
from bot.index.store import IndexStore
from bot.index.sync import Kind, Syncer, horizon, hot_start
from bot.obs.metrics import INDEX_GAUGES, render_metrics, set_index_gauges
from bot.wiring import sync_policy


def test_status_after_backfill_and_hot_refresh(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    before = index_status(store, syncer.account, sim.clock(), datetime.now(UTC))
    assert before.coverage == 0.0
    assert before.last_hot is None
    syncer.backfill()
    now = sim.clock()
    syncer.sync_range(Kind.HOT, hot_start(now), horizon(now))
    assert syncer.take_lease()
    status = index_status(store, syncer.account, sim.clock(), datetime.now(UTC))
    assert status.coverage == 1.0
    assert status.tasks == store.task_count(syncer.account) > 500
    assert status.last_hot is not None
    assert status.last_reconcile is not None
    assert status.sync_calls_hour == sim.request_log.calls
    assert status.syncer == "test-replica"
    assert status.lag_s is not None
    assert status.lag_s < 60
    assert "100% of the 90 days and 7 ahead synced" in status.describe(sim.clock())
    gauges = status.gauges()
    assert set(gauges) == set(INDEX_GAUGES)
    set_index_gauges(gauges)
    body = render_metrics()[0].decode()
    assert f"recbot_index_tasks {float(status.tasks)}" in body
    assert "recbot_index_coverage_ratio 1.0" in body


def test_doctor_and_metrics_show_the_sync_budget_and_the_periods_it_set(
    sim: Simulator, store: IndexStore, syncer: Syncer, database_url: str
) -> None:
    sim.page_size = 2  # 600 tasks at 2 a page: more than 300 calls an hour at 60 s and 10 min
    syncer.backfill()
    now = sim.clock()
    syncer.near_refresh(now)
    syncer.far_refresh(now)
    settings = Settings(recbot_database_url=database_url)
    policy = sync_policy(settings)
    assert policy.budget_per_h == 300
    status = index_status(store, syncer.account, sim.clock(), datetime.now(UTC), policy=policy)
    budget = status.budget
    assert budget is not None
    assert budget.stretched
    assert not budget.over
    gauges = status.gauges()
    assert gauges["sync_budget_calls_per_hour"] == 300
    assert gauges["sync_projected_calls_per_hour"] == budget.projected_per_h <= 300
    assert gauges["far_period_seconds"] == 3600  # far first, up to an hour
    assert 60 < gauges["near_period_seconds"] == budget.effective.near.total_seconds()
    set_index_gauges(gauges)
    assert "recbot_index_far_period_seconds 3600.0" in render_metrics()[0].decode()
    shown = check_index(settings, sim.clock())
    assert shown.status == "ok"
    assert "sync budget 300 calls/h, projected " in shown.detail
    assert "far every 1 h (set 10 min)" in shown.detail
    # A budget the account cannot keep even at the longest periods: doctor warns.
    tight = check_index(
        Settings(recbot_database_url=database_url, recbot_index_sync_budget_per_h=5),
        sim.clock(),
    )
    assert tight.status == "warn"
    assert "over budget at the longest periods" in tight.detail
    assert "RECBOT_INDEX_SYNC_BUDGET_PER_H" in tight.fix
