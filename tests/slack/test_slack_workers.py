"""The answer pool: acks come first, every accepted job finishes on drain.

No test waits a fixed time for something not to happen: the pool reports the jobs it holds back
(`wait_held`, `held_back`), and the order of what happened is recorded. With the ack priority
broken (`_after_acks` returning at once) every test here but the no-ack one fails.
"""

from __future__ import annotations

import threading

from bot.slack.workers import WorkPool


class Order:
    """What happened, in order, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[str] = []
        self.job_ran = threading.Event()

    def add(self, what: str) -> None:
        with self._lock:
            self.events.append(what)

    def job(self) -> None:
        self.add("job")
        self.job_ran.set()


def test_a_job_waits_while_a_request_is_being_acknowledged() -> None:
    pool = WorkPool(workers=2, ack_priority_s=30, ack_quiet_s=0)
    order = Order()
    try:
        with pool.acking():
            pool.submit(order.job)
            assert pool.wait_held(1, 10)  # the job reached the pool and is held back
            order.add("acked")
        assert order.job_ran.wait(10)
        assert order.events == ["acked", "job"]
        assert pool.held_back() == (0, 1)
    finally:
        assert pool.drain(10)


def test_a_long_ack_holds_a_job_back_only_so_long() -> None:
    pool = WorkPool(workers=1, ack_priority_s=0.05)
    order = Order()
    try:
        with pool.acking():
            pool.submit(order.job)
            assert order.job_ran.wait(10)  # started although the ack is still in progress
            order.add("acked")
        assert order.events == ["job", "acked"]
        assert pool.held_back() == (0, 1)  # it was held back first
    finally:
        assert pool.drain(10)


def test_jobs_start_at_once_when_nothing_is_being_acknowledged() -> None:
    pool = WorkPool(workers=2, ack_priority_s=30, ack_quiet_s=0)
    order = Order()
    try:
        pool.submit(order.job)
        assert order.job_ran.wait(10)
        assert pool.held_back() == (0, 0)
    finally:
        assert pool.drain(10)


def test_overlapping_acks_release_jobs_only_when_the_last_is_answered() -> None:
    pool = WorkPool(workers=2, ack_priority_s=30, ack_quiet_s=0)
    order = Order()
    first, second = pool.acking(), pool.acking()
    try:
        first.__enter__()
        second.__enter__()
        pool.submit(order.job)
        assert pool.wait_held(1, 10)
        first.__exit__(None, None, None)
        assert pool.held_back() == (1, 1)  # the first answer released nothing
        order.add("last acked")
        second.__exit__(None, None, None)
        assert order.job_ran.wait(10)
        assert order.events == ["last acked", "job"]
    finally:
        assert pool.drain(10)


def test_a_job_waits_for_a_quiet_moment_after_the_last_ack() -> None:
    # A burst's next request usually arrives just after an ack: answers wait for the lull.
    pool = WorkPool(workers=1, ack_priority_s=1.0, ack_quiet_s=30)
    order = Order()
    try:
        with pool.acking():
            pass
        pool.submit(order.job)
        assert order.job_ran.wait(10)  # the priority cap ends the wait
        assert pool.held_back() == (0, 1)  # no ack in progress, yet it was held for the lull
    finally:
        assert pool.drain(10)
