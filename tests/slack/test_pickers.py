"""The pickers' recent names: typeahead in any case, newest first, within the channel's
scope; a stale cache answers at once and refreshes in the background."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.filters import Filters
from bot.plan import plan_windows
from bot.slack.pickers import RecentNames
from bot.source import FetchResult, FetchStats
from bot.tasks import RecordTask
from bot.timephrase import Window

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def task(stream: str, hours_ago: int, domain: str = "a.example", app: str = "live") -> RecordTask:
    start = NOW - timedelta(hours=hours_ago)
    return RecordTask(
        f"t-{stream}", domain, app, stream, start, start + timedelta(hours=1), 0, None
    )


class ListSource:
    """A TaskSource over a list (the core's protocol; no SDK, nothing patched)."""

    def __init__(self, tasks: list[RecordTask]) -> None:
        self.tasks = tasks
        self.fetches = 0

    def fetch_tasks(self, window: Window, filters: Filters, now: datetime) -> FetchResult:
        self.fetches += 1
        return FetchResult(tuple(self.tasks), FetchStats("test"), plan_windows(window, now))


class Later:
    """Runs submitted jobs only when told (the worker pool, made visible)."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def __call__(self, job: Callable[[], None]) -> None:
        self.jobs.append(job)

    def run(self) -> None:
        while self.jobs:
            self.jobs.pop(0)()


def test_typeahead_is_any_case_newest_first_and_distinct() -> None:
    source = ListSource([task("cam1", 5), task("CAM2", 1), task("cam1", 2), task("other", 3)])
    names = RecentNames(source, lambda: NOW, Later())
    assert names.names("stream", "cam", None) == ["CAM2", "cam1"]
    assert names.names("domain", "", None) == ["a.example"]
    assert names.names("bogus", "", None) == []


def test_scope_limits_the_names() -> None:
    source = ListSource([task("cam1", 1), task("secret", 2, domain="b.example")])
    names = RecentNames(source, lambda: NOW, Later())
    assert names.names("stream", "", Filters(domains=("a.example",))) == ["cam1"]


def test_a_stale_cache_answers_at_once_and_refreshes_in_the_background() -> None:
    source = ListSource([task("cam1", 1)])
    later = Later()
    names = RecentNames(source, lambda: NOW, later, fresh_s=0.0)
    assert names.names("stream", "", None) == ["cam1"]  # the first fill waits for one query
    source.tasks = [task("cam9", 1)]
    assert names.names("stream", "", None) == ["cam1"]  # stale: the old names, at once
    assert source.fetches == 1
    later.run()
    assert source.fetches == 2
    assert names.names("stream", "", None) == ["cam9"]


def test_warm_if_cold_fills_once_and_streams_named_in_reads_the_cache_only() -> None:
    source = ListSource([task("cam1", 1), task("cam2", 2)])
    later = Later()
    names = RecentNames(source, lambda: NOW, later)
    assert names.streams_named_in("is cam1 up?", None) == []  # never filled: no guess
    names.warm_if_cold()
    names.warm_if_cold()
    assert len(later.jobs) == 1
    later.run()
    names.warm_if_cold()
    assert not later.jobs
    assert names.streams_named_in("is cam1 up? (not cam12)", None) == ["cam1"]
