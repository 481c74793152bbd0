"""The answer pool on shutdown: a job not delivered in time is told as interrupted exactly
once, its late answer is then not delivered, and a job delivered in time is never told."""

from __future__ import annotations

import threading

from bot.slack.workers import WorkPool, may_deliver


def test_a_job_still_running_at_the_drain_deadline_is_told_once_and_delivers_nothing() -> None:
    pool = WorkPool(workers=1, ack_quiet_s=0)
    release, running = threading.Event(), threading.Event()
    told: list[str] = []
    delivered: list[bool] = []
    finished = threading.Event()

    def slow_answer() -> None:
        running.set()
        release.wait(30)
        delivered.append(may_deliver())
        finished.set()

    pool.submit(slow_answer, on_interrupt=lambda: told.append("running"))
    pool.submit(lambda: delivered.append(may_deliver()), on_interrupt=lambda: told.append("queued"))
    assert running.wait(10)
    assert not pool.drain(0.05)
    release.set()
    assert finished.wait(10)
    assert sorted(told) == ["queued", "running"]
    assert delivered == [False]  # the running one may not deliver; the queued one never ran


def test_a_job_finished_in_time_is_never_told() -> None:
    pool = WorkPool(workers=1, ack_quiet_s=0)
    told: list[str] = []
    delivered: list[bool] = []
    pool.submit(lambda: delivered.append(may_deliver()), on_interrupt=lambda: told.append("x"))
    assert pool.drain(10)
    assert (delivered, told) == ([True], [])


def test_the_interruption_note_runs_with_the_askers_request_id() -> None:
    from bot.obs.log import current_request_id, request_context

    pool = WorkPool(workers=1, ack_quiet_s=0)
    release = threading.Event()
    seen: list[str] = []
    with request_context("asker-rid"):
        pool.submit(release.wait, 30, on_interrupt=lambda: seen.append(current_request_id()))
    assert not pool.drain(0.05)
    release.set()
    assert seen == ["asker-rid"]
