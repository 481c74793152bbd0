"""Shared values for the CSS tests: the fixed clock and a brute-force expectation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import time_machine

from bot.css.query import CssSource, RetryPolicy
from bot.filters import Filters
from bot.tasks import RecordTask
from bot.timephrase.window import Grain, Window

NOW = datetime(2026, 7, 27, 12, 30, tzinfo=UTC)
FAST_RETRY = RetryPolicy(attempts=6, base_s=0.005, cap_s=0.05)

SourceFactory = Callable[..., CssSource]


@contextmanager
def machine_clock_at(moment: datetime) -> Iterator[None]:
    """Credentials pointed at a simulator stand for Tencent Cloud, whose API windows are planned
    with this machine's clock (and signed with it): move that clock to the simulator's."""
    with time_machine.travel(moment, tick=True):
        yield


def window(start: datetime | None, end: datetime | None) -> Window:
    return Window(start, end, Grain.HOUR, "test window")


def days(start: float, end: float, now: datetime = NOW) -> Window:
    return window(now + timedelta(days=start), now + timedelta(days=end))


def expected(
    tasks: tuple[RecordTask, ...], start: datetime, end: datetime, filters: Filters | None = None
) -> list[str]:
    """Brute force, independent of the engine: half-open overlap with the clipped window."""
    filters = filters or Filters()
    return sorted(
        t.task_id
        for t in tasks
        if t.start < end
        and t.end > start
        and (not filters.streams or t.stream in filters.streams)
        and (not filters.apps or t.app in filters.apps)
        and (not filters.domains or t.domain in filters.domains)
    )


def ids(tasks: tuple[RecordTask, ...]) -> list[str]:
    return sorted(t.task_id for t in tasks)
