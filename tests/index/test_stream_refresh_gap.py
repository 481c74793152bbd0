"""A callback storm lists each stream once per gap, not once per callback: the first callback
of a quiet stream lists it at once, the rest of the gap's callbacks one more time after it.
And a storm over many streams lists one stream per spacing, whatever the number of streams."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from bot.index.refresh import StreamRefresher
from bot.index.sync import Syncer

GAP_S = 1000.0  # in the test's clock, which only moves when told to


class Listings:
    """Stands in for the syncer: records the streams it was asked to list."""

    def __init__(self) -> None:
        self.streams: list[str] = []
        self.changed = threading.Condition()

    def refresh_stream(self, domain: str, app: str, stream: str) -> Any:
        with self.changed:
            self.streams.append(stream)
            self.changed.notify_all()

        class Run:
            calls = 1
            tasks = 0

        return Run()

    def wait_for(self, count: int) -> list[str]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.streams) >= count, timeout=10)
            return list(self.streams)


def test_a_storm_lists_each_stream_once_per_gap() -> None:
    now = [0.0]
    listings = Listings()
    refresher = StreamRefresher(
        cast(Syncer, listings), gap_s=GAP_S, spacing_s=0.0, clock=lambda: now[0]
    )
    try:
        for _ in range(200):
            refresher.refresh("d", "live", "cam1")
        assert listings.wait_for(1) == ["cam1"]  # at once, once for all 200 queued meanwhile
        for _ in range(200):  # callbacks after that listing, within the gap: one more, later
            refresher.refresh("d", "live", "cam1")
        time.sleep(0.2)  # giving a wrong early listing time to happen; none may
        assert listings.streams == ["cam1"]
        now[0] = GAP_S + 1  # the gap has passed
        refresher.refresh("d", "live", "cam2")  # any callback wakes the worker
        assert sorted(listings.wait_for(3)) == ["cam1", "cam1", "cam2"]
    finally:
        refresher.stop()
    assert len(listings.streams) == 3


def test_a_storm_over_many_streams_lists_one_stream_per_spacing() -> None:
    now = [0.0]
    listings = Listings()
    refresher = StreamRefresher(
        cast(Syncer, listings), gap_s=GAP_S, spacing_s=10.0, clock=lambda: now[0]
    )
    try:
        for n in range(50):
            refresher.refresh("d", "live", f"cam{n:02d}")
        assert listings.wait_for(1) == ["cam00"]  # the first at once
        time.sleep(0.2)  # giving a wrong early listing time to happen; none may
        assert listings.streams == ["cam00"]
        now[0] = 10.0  # one spacing later: one more stream, not the 49 waiting
        refresher.refresh("d", "live", "cam00")  # any callback wakes the worker
        assert listings.wait_for(2) == ["cam00", "cam01"]
        time.sleep(0.2)
        assert len(listings.streams) == 2
        now[0] = 35.0  # however long the wait, one stream per wake-up past the spacing
        refresher.refresh("d", "live", "cam99")  # a stream not yet waiting wakes it
        assert listings.wait_for(3)[2] == "cam02"
    finally:
        refresher.stop()
