"""The sync budget: how often the near and far parts may be listed so that the steady-state
sync (near refresh, far refresh, reconcile) spends at most so many API calls an hour.

A listing costs what the account's size and the API's page size make it cost, and the page
size is not documented: so the costs are what the recorded runs say, not a formula. Given
those costs, the configured periods and the budget, `stretch` says the periods to run at:

- within the budget at the configured periods: those periods;
- else the far period is lengthened first (what it lists is scheduled in advance: creations
  and cancellations days ahead), just enough, up to `longest_far` (an hour);
- then the near period, just enough, up to `longest_near` (15 minutes);
- never shorter than configured; the reconcile period is left as configured.

If the budget is still exceeded with both at their longest (a very large account, or a budget
smaller than the reconcile alone), the periods stay at their longest and `Budget.over` says
so (`recbot doctor` warns). Not counted: the backfill (once), and the listings questions about
now and recording callbacks ask for (on demand, each bounded on its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.index.store import Run

LONGEST_NEAR = timedelta(minutes=15)
LONGEST_FAR = timedelta(hours=1)
HOUR_S = 3600.0


@dataclass(frozen=True)
class Costs:
    """API calls of one listing of each part, as last recorded."""

    near: int = 0  # one near refresh
    far: int = 0  # one far refresh
    settled: int = 0  # listing the whole settled past once: one reconcile period's worth


@dataclass(frozen=True)
class Periods:
    near: timedelta
    far: timedelta
    reconcile: timedelta


def per_hour(costs: Costs, periods: Periods) -> float:
    """API calls an hour the steady-state sync spends at these periods."""
    return HOUR_S * (
        costs.near / periods.near.total_seconds()
        + costs.far / periods.far.total_seconds()
        + costs.settled / periods.reconcile.total_seconds()
    )


def _period_for(calls: int, left_per_h: float) -> float:
    """The shortest period (s) at which `calls` a listing fit `left_per_h` calls an hour,
    rounded up to a tenth of a second; infinite when nothing is left."""
    if calls <= 0:
        return 0.0
    if left_per_h <= 0:
        return math.inf
    return math.ceil(calls * HOUR_S / left_per_h * 10 - 1e-9) / 10


def stretch(
    costs: Costs,
    configured: Periods,
    budget_per_h: float,
    *,
    longest_near: timedelta = LONGEST_NEAR,
    longest_far: timedelta = LONGEST_FAR,
) -> Periods:
    """The periods to sync at so that `per_hour(costs, ...)` is within `budget_per_h` (0: no
    budget): far first, then near, each never shorter than configured nor longer than its
    longest (or than configured, if that is longer still)."""
    if budget_per_h <= 0 or per_hour(costs, configured) <= budget_per_h:
        return configured
    settled_h = HOUR_S * costs.settled / configured.reconcile.total_seconds()
    near_h = HOUR_S * costs.near / configured.near.total_seconds()
    far_s = _period_for(costs.far, budget_per_h - near_h - settled_h)
    far = _between(far_s, configured.far, longest_far)
    far_h = HOUR_S * costs.far / far.total_seconds()
    if near_h + far_h + settled_h <= budget_per_h:
        return Periods(configured.near, far, configured.reconcile)
    near_s = _period_for(costs.near, budget_per_h - far_h - settled_h)
    near = _between(near_s, configured.near, longest_near)
    return Periods(near, far, configured.reconcile)


def _between(seconds: float, configured: timedelta, longest: timedelta) -> timedelta:
    ceiling = max(configured, longest)
    if math.isinf(seconds):
        return ceiling
    return min(ceiling, max(configured, timedelta(seconds=seconds)))


@dataclass(frozen=True)
class Budget:
    """The budget as the syncer applies it: what it read, what it runs at, what that costs."""

    budget_per_h: float  # 0: no budget
    costs: Costs
    configured: Periods
    effective: Periods

    @property
    def projected_per_h(self) -> float:
        """API calls an hour at the effective periods."""
        return per_hour(self.costs, self.effective)

    @property
    def stretched(self) -> bool:
        return self.effective != self.configured

    @property
    def over(self) -> bool:
        """Over budget even at the longest periods."""
        return self.budget_per_h > 0 and self.projected_per_h > self.budget_per_h

    def describe(self) -> str:
        """`sync budget 300 calls/h, projected 238 (near every 2.5 min instead of 60 s, ...)`."""
        if self.budget_per_h <= 0:
            head = f"no sync budget, projected {self.projected_per_h:.0f} calls/h"
        else:
            head = (
                f"sync budget {self.budget_per_h:.0f} calls/h, projected {self.projected_per_h:.0f}"
            )
        parts = [
            _every("near", self.effective.near, self.configured.near),
            _every("far", self.effective.far, self.configured.far),
        ]
        tail = " (over budget at the longest periods)" if self.over else ""
        return f"{head} at {', '.join(parts)}{tail}"


def _every(part: str, effective: timedelta, configured: timedelta) -> str:
    if effective == configured:
        return f"{part} every {period_text(effective)}"
    return f"{part} every {period_text(effective)} (set {period_text(configured)})"


def period_text(span: timedelta) -> str:
    """`45 s`, `2.5 min`, `1 h`: a period as doctor shows it."""
    seconds = span.total_seconds()
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


class RunLog(Protocol):
    """What the budget reads of `bot.index.store.IndexStore`."""

    def last_run(self, account: str, kind: str) -> Run | None: ...

    def calls_since(self, account: str, kind: str, since: datetime) -> int: ...


def observed_costs(log: RunLog, account: str, now: datetime, reconcile: timedelta) -> Costs:
    """What the recorded runs say a listing costs: the last near and far refreshes, and the
    reconcile runs of the last reconcile period (one pass over the settled past). Before the
    first reconcile, the backfill of that period stands in for it (it listed the settled past,
    and a little more). A part never listed yet counts 0."""
    near = log.last_run(account, "hot")
    far = log.last_run(account, "far")
    since = now - reconcile
    settled = log.calls_since(account, "reconcile", since) or log.calls_since(
        account, "backfill", since
    )
    return Costs(
        near=near.calls if near is not None else 0,
        far=far.calls if far is not None else 0,
        settled=settled,
    )


def plan(
    log: RunLog,
    account: str,
    now: datetime,
    configured: Periods,
    budget_per_h: float,
    *,
    longest_near: timedelta = LONGEST_NEAR,
    longest_far: timedelta = LONGEST_FAR,
) -> Budget:
    """The budget for this account now: its recorded costs, and the periods to run at."""
    costs = observed_costs(log, account, now, configured.reconcile)
    effective = stretch(
        costs, configured, budget_per_h, longest_near=longest_near, longest_far=longest_far
    )
    return Budget(budget_per_h, costs, configured, effective)
