"""What doctor and /metrics show of the index after a backfill and a hot refresh."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.css.simulator import Simulator
from bot.index.status import index_status
from bot.index.store import IndexStore
from bot.index.sync import Kind, Syncer, horizon, hot_start
from bot.obs.metrics import INDEX_GAUGES, render_metrics, set_index_gauges


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
