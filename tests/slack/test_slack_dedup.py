"""Event de-dup: an event id is answered once within its TTL, and forgotten after."""

from __future__ import annotations

from bot.replicas.seen_events import InMemorySeenEvents


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_same_event_id_is_first_only_once() -> None:
    seen = InMemorySeenEvents()
    assert [seen.first_time("Ev1"), seen.first_time("Ev1"), seen.first_time("Ev2")] == [
        True,
        False,
        True,
    ]


def test_an_event_id_is_forgotten_after_its_ttl() -> None:
    clock = FakeClock()
    seen = InMemorySeenEvents(ttl_s=10, clock=clock)
    seen.first_time("Ev1")
    clock.now = 11
    assert seen.first_time("Ev1")


def test_the_set_stays_bounded_by_forgetting_the_oldest() -> None:
    seen = InMemorySeenEvents(max_size=2)
    for event_id in ("a", "b", "c"):
        seen.first_time(event_id)
    assert (seen.first_time("c"), seen.first_time("a")) == (False, True)
