"""What the index looks like now, for `recbot doctor`, `/metrics` and the bench."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.index.budget import Budget
from bot.index.ranges import gaps
from bot.index.store import IndexStore
from bot.index.sync import (
    Kind,
    SyncPolicy,
    horizon,
    hot_start,
    lease_name,
    near_end,
    sync_budget,
)
from bot.plan import oldest_allowed


@dataclass(frozen=True)
class IndexStatus:
    account: str
    tasks: int
    coverage: float  # share of [now - 90 d, now + 7 d] synced, 0..1
    last_hot: datetime | None  # the newest listing of the near part
    last_reconcile: datetime | None  # every older range was listed at or after this
    sync_calls_hour: int  # API calls spent on sync in the last hour, every replica
    lag_s: float | None  # age of the oldest listing of the near part
    syncer: str | None  # the replica holding the sync lease
    far_lag_s: float | None = None  # age of the oldest listing of the far part
    budget: Budget | None = None  # the sync budget and the periods it runs at

    def gauges(self) -> dict[str, float]:
        budget = self.budget
        return self._index_gauges() | (_budget_gauges(budget) if budget is not None else {})

    def _index_gauges(self) -> dict[str, float]:
        return {
            "tasks": float(self.tasks),
            "coverage_ratio": self.coverage,
            "last_hot_refresh_timestamp_seconds": _stamp(self.last_hot),
            "last_reconcile_timestamp_seconds": _stamp(self.last_reconcile),
            "sync_calls_last_hour": float(self.sync_calls_hour),
            "lag_seconds": self.lag_s if self.lag_s is not None else 0.0,
            "far_lag_seconds": self.far_lag_s if self.far_lag_s is not None else 0.0,
        }

    def describe(self, now: datetime) -> str:
        hot = "never" if self.last_hot is None else f"{_ago(now, self.last_hot)} ago"
        far = "never" if self.far_lag_s is None else f"{_duration(self.far_lag_s)} ago"
        reconciled = (
            "never" if self.last_reconcile is None else f"{_ago(now, self.last_reconcile)} ago"
        )
        return (
            f"{self.tasks} tasks, {self.coverage:.0%} of the 90 days and 7 ahead synced; "
            f"near part refreshed {hot}, far part {far}, older ranges listed {reconciled}; "
            f"{self.sync_calls_hour} sync calls in the last hour"
            + (f" ({self.budget.describe()})" if self.budget is not None else "")
            + f"; syncer {self.syncer or 'none'}"
        )


def _budget_gauges(budget: Budget) -> dict[str, float]:
    return {
        "sync_budget_calls_per_hour": budget.budget_per_h,
        "sync_projected_calls_per_hour": budget.projected_per_h,
        "near_period_seconds": budget.effective.near.total_seconds(),
        "far_period_seconds": budget.effective.far.total_seconds(),
    }


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


def _ago(now: datetime, then: datetime) -> str:
    return _duration((now - then).total_seconds())


def _duration(span_s: float) -> str:
    seconds = max(0, int(span_s))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def index_status(
    store: IndexStore,
    account: str,
    now: datetime,
    wall: datetime,
    *,
    policy: SyncPolicy | None = None,
    budget: Budget | None = None,
) -> IndexStatus:
    """The index of `account` now. The sync budget shown is `budget` (what a running syncer
    applies), else what `policy` comes to with the recorded runs, as a syncer would."""
    floor, top, low, near = oldest_allowed(now), horizon(now), hot_start(now), near_end(now)
    pieces = store.pieces(account)
    total = (top - floor).total_seconds()
    missing = sum((b - a).total_seconds() for a, b in gaps(pieces, floor, top))
    hot = [p.at for p in pieces if p.end > low and p.start < near]
    far = [p.at for p in pieces if p.end > near and p.start < top]
    settled = [p.at for p in pieces if p.start < low and p.end > floor]
    runs = store.runs_since(account, now - timedelta(hours=1))
    last = store.last_run(account, Kind.HOT.value)
    if budget is None:
        budget = sync_budget(store, account, policy or SyncPolicy(), now)
    return IndexStatus(
        account=account,
        tasks=store.task_count(account),
        coverage=max(0.0, (total - missing) / total),
        last_hot=last.started_at if last is not None else None,
        last_reconcile=min(settled) if settled and not missing else None,
        sync_calls_hour=sum(r.calls for r in runs),
        lag_s=(now - min(hot)).total_seconds() if hot else None,
        syncer=store.lease_holder(lease_name(account), wall),
        far_lag_s=(now - min(far)).total_seconds() if far else None,
        budget=budget,
    )
