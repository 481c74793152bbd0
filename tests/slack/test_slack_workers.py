"""The answer pool: acks come first, every accepted job finishes on drain."""

from __future__ import annotations

import threading

from bot.slack.workers import WorkPool


def test_a_job_waits_while_a_request_is_being_acknowledged() -> None:
    pool = WorkPool(workers=2, ack_priority_s=30, ack_quiet_s=0)
    started = threading.Event()
    try:
        with pool.acking():
            pool.submit(started.set)
            # Bounded look for something that must not happen while the ack is in progress.
            assert not started.wait(0.2)
        assert started.wait(10)
    finally:
        assert pool.drain(10)


def test_a_long_ack_holds_a_job_back_only_so_long() -> None:
    pool = WorkPool(workers=1, ack_priority_s=0.05)
    started = threading.Event()
    try:
        with pool.acking():
            pool.submit(started.set)
            assert started.wait(10)  # started although the ack is still in progress
    finally:
        assert pool.drain(10)


def test_jobs_start_at_once_when_nothing_is_being_acknowledged() -> None:
    pool = WorkPool(workers=2, ack_priority_s=30, ack_quiet_s=0)
    done = threading.Event()
    try:
        pool.submit(done.set)
        assert done.wait(10)
    finally:
        assert pool.drain(10)


def test_overlapping_acks_release_jobs_only_when_the_last_is_answered() -> None:
    pool = WorkPool(workers=2, ack_priority_s=30, ack_quiet_s=0)
    started = threading.Event()
    first, second = pool.acking(), pool.acking()
    try:
        first.__enter__()
        second.__enter__()
        pool.submit(started.set)
        first.__exit__(None, None, None)
        assert not started.wait(0.2)
        second.__exit__(None, None, None)
        assert started.wait(10)
    finally:
        assert pool.drain(10)


def test_a_job_waits_for_a_quiet_moment_after_the_last_ack() -> None:
    # A burst's next request usually arrives just after an ack: answers wait for the lull.
    pool = WorkPool(workers=1, ack_priority_s=1.0, ack_quiet_s=30)
    started = threading.Event()
    try:
        with pool.acking():
            pass
        pool.submit(started.set)
        assert not started.wait(0.2)
        assert started.wait(10)  # the priority cap ends the wait
    finally:
        assert pool.drain(10)
