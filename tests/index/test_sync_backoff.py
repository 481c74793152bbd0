"""The serve sync loop on a failing account (a wrong key): it backs off, records failed runs,
and never makes a question's answer fail or change."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.css.simulator import Simulator
from bot.index.store import IndexStore
from bot.index.sync import BACKOFF_MAX_S, Syncer, SyncLoop, backoff_s
from bot.plan import oldest_allowed


def wait_for(condition: Callable[[], bool], deadline_s: float = 20.0) -> None:
    until = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < until, "condition not met before the deadline"
        time.sleep(0.01)


def test_backoff_doubles_after_each_failure_up_to_a_ceiling() -> None:
    assert backoff_s(2.0, 0) == 2.0
    assert backoff_s(2.0, 1) == 2.0
    assert backoff_s(2.0, 2) == 4.0
    assert backoff_s(2.0, 5) == 32.0
    assert backoff_s(2.0, 40) == BACKOFF_MAX_S


def test_a_failing_account_backs_the_loop_off_and_records_failed_runs(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    sim.set_faults(error_rate=1.0, error_code="AuthFailure.SignatureFailure")
    loop = SyncLoop(syncer, tick_s=0.05).start()
    try:
        wait_for(lambda: loop.failures >= 3)
    finally:
        loop.stop()
    failures = loop.failures
    assert failures >= 3
    assert backoff_s(loop.tick_s, failures) > loop.tick_s
    runs = store.runs_since(syncer.account, oldest_allowed(syncer.lister.server_clock()))
    assert runs
    assert all(not r.ok and r.detail == "AuthFailure.SignatureFailure" for r in runs)


def test_the_loop_recovers_once_the_account_answers_again(
    sim: Simulator, store: IndexStore, syncer: Syncer
) -> None:
    sim.set_faults(error_rate=1.0, error_code="AuthFailure.SignatureFailure")
    loop = SyncLoop(syncer, tick_s=0.05).start()
    try:
        wait_for(lambda: loop.failures >= 2)
        sim.set_faults(error_rate=0.0)
        wait_for(lambda: loop.failures == 0 and not syncer.missing(syncer.lister.server_clock()))
    finally:
        loop.stop()
    assert store.pieces(syncer.account)
