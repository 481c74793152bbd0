"""The `digest now` throttle: one per channel a minute, five per person in ten minutes; a
refusal counts nothing. And its queue refuses work beyond its bound instead of piling up."""

from __future__ import annotations

import threading

import pytest

from bot.digest.now import DigestNowQueue, DigestNowThrottle, Throttled


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_per_channel_a_minute() -> None:
    clock = Clock()
    throttle = DigestNowThrottle(clock=clock)
    throttle.admit("C1", "UA")
    clock.now = 59
    with pytest.raises(Throttled, match="try again in 1 s"):
        throttle.admit("C1", "UB")
    throttle.admit("C2", "UB")  # another channel is not held back
    clock.now = 60
    throttle.admit("C1", "UB")


def test_five_per_person_in_ten_minutes_across_channels() -> None:
    clock = Clock()
    throttle = DigestNowThrottle(clock=clock)
    for n in range(5):
        throttle.admit(f"C{n}", "UA")
    with pytest.raises(Throttled, match="You asked for 5 digests in the last 10 minutes"):
        throttle.admit("C9", "UA")
    throttle.admit("C9", "UB")
    clock.now = 600
    throttle.admit("C8", "UA")


def test_a_refusal_counts_nothing() -> None:
    clock = Clock()
    throttle = DigestNowThrottle(clock=clock)
    for n in range(5):
        throttle.admit(f"C{n}", "UA")
    with pytest.raises(Throttled):
        throttle.admit("CFREE", "UA")
    throttle.admit("CFREE", "UB")  # the channel's minute was not taken by the refusal


def test_the_queue_refuses_beyond_its_bound_and_drains() -> None:
    release = threading.Event()
    queue = DigestNowQueue(workers=1, max_waiting=2)
    done: list[int] = []

    def job(n: int) -> None:
        release.wait(10)
        done.append(n)

    assert queue.submit(lambda: job(1))
    assert queue.submit(lambda: job(2))
    assert not queue.submit(lambda: job(3))
    release.set()
    assert queue.drain(10)
    assert sorted(done) == [1, 2]
