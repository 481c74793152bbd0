"""The sync budget as a pure function: given what a listing of each part costs, the configured
periods and the budget, the periods to sync at (far first, then near, never shorter than
configured, never longer than the longest); and reading those costs from the runs log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.index.budget import (
    LONGEST_FAR,
    LONGEST_NEAR,
    Budget,
    Costs,
    Periods,
    observed_costs,
    per_hour,
    stretch,
)
from bot.index.store import Run

SERVE = Periods(timedelta(seconds=60), timedelta(seconds=600), timedelta(days=1))
# The 10,000-task account of bench/index.py: calls of a near, a far and a whole settled listing.
AT_100 = Costs(near=2, far=8, settled=113)
AT_20 = Costs(near=10, far=39, settled=545)


def test_the_cost_an_hour_is_each_listing_times_how_often_it_runs() -> None:
    assert per_hour(AT_100, SERVE) == pytest.approx(60 * 2 + 6 * 8 + 113 / 24)
    assert per_hour(Costs(), SERVE) == 0


def test_within_the_budget_the_configured_periods_stand() -> None:
    assert per_hour(AT_100, SERVE) < 300
    assert stretch(AT_100, SERVE, 300) == SERVE


def test_no_budget_never_stretches() -> None:
    assert per_hour(AT_20, SERVE) > 800
    assert stretch(AT_20, SERVE, 0) == SERVE


def test_nothing_recorded_yet_costs_nothing_and_stretches_nothing() -> None:
    assert stretch(Costs(), SERVE, 1) == SERVE


def test_the_far_period_is_stretched_first_and_only_as_far_as_needed() -> None:
    costs = Costs(near=2, far=40, settled=113)  # 120 + 240 + 4.7 an hour at the defaults
    periods = stretch(costs, SERVE, 300)
    assert periods.near == SERVE.near
    assert SERVE.far < periods.far < LONGEST_FAR
    assert per_hour(costs, periods) <= 300
    # A tenth of a second shorter would be over: no longer than needed.
    shorter = Periods(periods.near, periods.far - timedelta(seconds=0.1), periods.reconcile)
    assert per_hour(costs, shorter) > 300


def test_at_20_a_page_the_far_period_goes_to_an_hour_and_the_near_one_takes_the_rest() -> None:
    periods = stretch(AT_20, SERVE, 300)
    assert periods.far == LONGEST_FAR
    # 300 - 39 (far, hourly) - 545 / 24 (reconcile) = 238.3 an hour for near listings of 10.
    assert periods.near == timedelta(seconds=151.1)
    assert periods.reconcile == SERVE.reconcile
    assert 299 < per_hour(AT_20, periods) <= 300


def test_a_period_configured_longer_than_the_longest_is_kept() -> None:
    slow = Periods(timedelta(minutes=20), timedelta(hours=2), timedelta(days=1))
    assert stretch(AT_20, slow, 300) == slow
    # Each already longer than its longest: the budget cannot stretch them further.
    assert stretch(Costs(near=100, far=390, settled=5450), slow, 300) == slow


def test_never_shorter_than_configured() -> None:
    tight = Periods(timedelta(seconds=300), timedelta(seconds=600), timedelta(days=1))
    costs = Costs(near=1, far=200, settled=0)  # 12 + 1,200 an hour
    periods = stretch(costs, tight, 300)
    assert periods.near == tight.near  # the budget has room, but never a shorter period
    assert periods.far == timedelta(seconds=2500)  # 200 an hour


def test_an_account_too_big_for_the_budget_stops_at_the_longest_periods_and_says_so() -> None:
    huge = Costs(near=100, far=390, settled=5450)  # 100,000 tasks at 20 a page
    periods = stretch(huge, SERVE, 300)
    assert periods == Periods(LONGEST_NEAR, LONGEST_FAR, SERVE.reconcile)
    budget = Budget(300, huge, SERVE, periods)
    assert budget.over
    assert budget.projected_per_h > 300
    assert "over budget" in budget.describe()


def test_a_budget_smaller_than_the_reconcile_alone_stretches_both_to_their_longest() -> None:
    periods = stretch(AT_20, SERVE, 10)
    assert periods == Periods(LONGEST_NEAR, LONGEST_FAR, SERVE.reconcile)


@pytest.mark.parametrize("scale", [1, 2, 3, 5, 8])
def test_a_bigger_account_never_gets_shorter_periods(scale: int) -> None:
    small = stretch(AT_20, SERVE, 300)
    bigger = Costs(AT_20.near * scale, AT_20.far * scale, AT_20.settled * scale)
    periods = stretch(bigger, SERVE, 300)
    assert periods.near >= small.near
    assert periods.far >= small.far


def test_describe_says_the_budget_the_projection_and_the_periods() -> None:
    budget = Budget(300, AT_20, SERVE, stretch(AT_20, SERVE, 300))
    text = budget.describe()
    assert text.startswith("sync budget 300 calls/h, projected 300 at ")
    assert "near every 2.52 min (set 60 s)" in text
    assert "far every 1 h (set 10 min)" in text
    assert budget.stretched
    assert not budget.over
    calm = Budget(300, AT_100, SERVE, SERVE)
    assert calm.describe() == (
        "sync budget 300 calls/h, projected 173 at near every 60 s, far every 10 min"
    )
    assert Budget(0, AT_20, SERVE, SERVE).describe().startswith("no sync budget, projected 857")


class FakeLog:
    """Runs as the store would give them."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs

    def last_run(self, account: str, kind: str) -> Run | None:
        mine = [r for r in self.runs if r.kind == kind and r.ok]
        return max(mine, key=lambda r: r.finished_at) if mine else None

    def calls_since(self, account: str, kind: str, since: datetime) -> int:
        return sum(r.calls for r in self.runs if r.kind == kind and r.finished_at >= since)


NOW = datetime(2026, 7, 27, 12, 0, tzinfo=UTC)


def run(kind: str, ago: timedelta, calls: int) -> Run:
    at = NOW - ago
    return Run(kind, at, at, calls, calls * 20, True)


def test_costs_are_the_last_near_and_far_listings_and_a_reconcile_periods_worth() -> None:
    log = FakeLog(
        [
            run("hot", timedelta(minutes=2), 9),
            run("hot", timedelta(minutes=1), 10),
            run("far", timedelta(minutes=5), 39),
            run("reconcile", timedelta(hours=30), 500),  # before the last reconcile period
            run("reconcile", timedelta(hours=20), 400),
            run("reconcile", timedelta(hours=20), 145),
            run("backfill", timedelta(hours=23), 700),
            run("now", timedelta(seconds=10), 50),  # questions' refreshes are not budgeted
        ]
    )
    assert observed_costs(log, "a", NOW, timedelta(days=1)) == Costs(10, 39, 545)


def test_before_the_first_reconcile_the_backfill_stands_in_for_it() -> None:
    log = FakeLog([run("backfill", timedelta(hours=1), 300), run("backfill", timedelta(0), 260)])
    assert observed_costs(log, "a", NOW, timedelta(days=1)) == Costs(0, 0, 560)
    assert observed_costs(FakeLog([]), "a", NOW, timedelta(days=1)) == Costs()
