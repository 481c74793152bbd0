"""Test values for the answer layer: tasks built directly and an in-memory TaskSource.

The in-memory source stands in for our own TaskSource protocol (pure core), not for the SDK:
end-to-end tests go through `recbot ask` and the real simulator instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.answer import Answer, AnswerContext, answer
from bot.filters import Filters
from bot.plan import plan_windows
from bot.request import Request, StatusFilter
from bot.source import FetchResult, FetchStats
from bot.tasks import RecordTask
from bot.timephrase.window import Window

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
STATS = FetchStats(region="ap-guangzhou", api_calls=2, pages=3, elapsed_s=0.125, simulated=True)


def task(
    task_id: str,
    start: datetime,
    hours: float = 2.0,
    *,
    stream: str = "livetest",
    stopped: datetime | None = None,
    template: int = 0,
    app: str = "live",
    domain: str = "a.push.example.com",
) -> RecordTask:
    return RecordTask(
        task_id, domain, app, stream, start, start + timedelta(hours=hours), template, stopped
    )


@dataclass
class ListSource:
    """Serves a fixed task list the way the query engine promises: overlap + filters."""

    tasks: list[RecordTask]
    stats: FetchStats = STATS
    calls: list[tuple[Window, Filters]] = field(default_factory=list)

    def fetch_tasks(self, window: Window, filters: Filters, now: datetime) -> FetchResult:
        self.calls.append((window, filters))
        plan = plan_windows(window, now)
        found = tuple(
            t for t in self.tasks if filters.matches(t) and t.overlaps(plan.start, plan.end)
        )
        return FetchResult(found, self.stats, plan)


def make_answer(
    tasks: list[RecordTask],
    request: Request | None = None,
    *,
    now: datetime = NOW,
    zone: tzinfo = TOKYO,
    stats: FetchStats = STATS,
    scope: Filters | None = None,
) -> Answer:
    req = request or Request(raw="")
    return answer(req, AnswerContext(now, zone, ListSource(tasks, stats), scope))


def request(
    raw: str = "",
    *,
    streams: tuple[str, ...] = (),
    status: StatusFilter = StatusFilter.ALL,
    question: bool = False,
) -> Request:
    return Request(raw=raw, filters=Filters(streams=streams), status=status, question=question)


def spread(count: int, streams: int = 7, *, now: datetime = NOW) -> list[RecordTask]:
    """`count` tasks over now ± 20 h on `streams` streams, every status represented."""
    out = []
    for i in range(count):
        start = now - timedelta(hours=20) + timedelta(minutes=(i * 37) % 2400)
        stopped = start + timedelta(minutes=30) if i % 11 == 0 else None
        out.append(
            task(
                f"task-{i:05d}-" + "x" * 40,
                start,
                hours=1 + (i % 3),
                stream=f"cam{i % streams}",
                stopped=stopped,
                template=i % 4,
            )
        )
    return out


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


__all__ = ["NOW", "TOKYO", "UTC", "ListSource", "at", "make_answer", "request", "spread", "task"]
