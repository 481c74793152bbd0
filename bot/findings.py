"""What deserves a human's eye in a list of tasks, and the counts behind `stats`; pure.

Findings (docs/requests.md): tasks stopped early, overlapping tasks of one stream (double
recording), short gaps between consecutive tasks of one stream, tasks ending within the hour.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.tasks import RecordTask, Status

# A hole shorter than this between two tasks of a stream looks like a back-to-back schedule
# that missed; longer pauses (a daily show) are normal and not called out.
GAP_LIMIT = timedelta(hours=1)
ENDING_SOON = timedelta(hours=1)


class FindingKind(StrEnum):
    STOPPED_EARLY = "stopped_early"
    OVERLAP = "overlap"
    GAP = "gap"
    ENDING_SOON = "ending_soon"


@dataclass(frozen=True, order=True)
class StreamKey:
    """A stream is only the same stream on the same domain and app."""

    stream: str
    app: str
    domain: str

    @classmethod
    def of(cls, task: RecordTask) -> StreamKey:
        return cls(task.stream, task.app, task.domain)


@dataclass(frozen=True)
class Finding:
    """One thing worth a look. `start`/`end` is the interval concerned: the part cut off by an
    early stop, the doubly recorded part, the hole, or the task's remaining time. `at` is when
    StopRecordTask was called, for an early stop (it may be before the task began)."""

    kind: FindingKind
    stream: StreamKey
    task_ids: tuple[str, ...]
    start: datetime
    end: datetime
    at: datetime | None = None


@dataclass(frozen=True)
class Findings:
    stopped_early: tuple[Finding, ...] = ()
    overlaps: tuple[Finding, ...] = ()
    gaps: tuple[Finding, ...] = ()
    ending_soon: tuple[Finding, ...] = ()

    def all(self) -> tuple[Finding, ...]:
        return self.stopped_early + self.overlaps + self.gaps + self.ending_soon

    def __len__(self) -> int:
        return len(self.stopped_early) + len(self.overlaps) + len(self.gaps) + len(self.ending_soon)

    def involving(self, task_ids: Collection[str]) -> Findings:
        """Only the findings about at least one of `task_ids` (the tasks an answer lists):
        an overlap with an unlisted task still shows, one between two unlisted tasks does not."""

        def keep(found: tuple[Finding, ...]) -> tuple[Finding, ...]:
            return tuple(f for f in found if any(t in task_ids for t in f.task_ids))

        return Findings(
            keep(self.stopped_early), keep(self.overlaps), keep(self.gaps), keep(self.ending_soon)
        )


def was_armed(task: RecordTask, now: datetime) -> bool:
    """Recording was on at some point by `now`: it began, and no stop cancelled it first."""
    return task.start <= now and (task.stopped is None or task.stopped > task.start)


def recorded_end(task: RecordTask) -> datetime:
    """When recording stops being armed: the scheduled end, or the stop if it came first."""
    if task.stopped is not None and task.stopped < task.end:
        return max(task.stopped, task.start)
    return task.end


def stopped_early(tasks: Iterable[RecordTask]) -> tuple[Finding, ...]:
    """Tasks stopped before their scheduled end (a stop before the start cancels it all)."""
    found = [
        Finding(
            FindingKind.STOPPED_EARLY,
            StreamKey.of(t),
            (t.task_id,),
            max(t.stopped, t.start),
            t.end,
            t.stopped,
        )
        for t in tasks
        if t.stopped is not None and t.stopped < t.end
    ]
    return tuple(sorted(found, key=lambda f: (f.start, f.task_ids)))


def _by_stream(tasks: Iterable[RecordTask]) -> dict[StreamKey, list[RecordTask]]:
    groups: dict[StreamKey, list[RecordTask]] = defaultdict(list)
    for task in tasks:
        if recorded_end(task) > task.start:  # cancelled before it began: never records
            groups[StreamKey.of(task)].append(task)
    for group in groups.values():
        group.sort(key=lambda t: (t.start, t.task_id))
    return groups


def overlaps(tasks: Iterable[RecordTask]) -> tuple[Finding, ...]:
    """Pairs of tasks of one stream whose armed windows overlap: the stream is recorded twice."""
    found: list[Finding] = []
    for key, group in sorted(_by_stream(tasks).items()):
        active: list[tuple[datetime, str, RecordTask]] = []  # heap by armed end
        for task in group:
            while active and active[0][0] <= task.start:
                heapq.heappop(active)
            for end, _, other in sorted(active, key=lambda a: (a[2].start, a[1])):
                found.append(
                    Finding(
                        FindingKind.OVERLAP,
                        key,
                        (other.task_id, task.task_id),
                        task.start,
                        min(end, recorded_end(task)),
                    )
                )
            heapq.heappush(active, (recorded_end(task), task.task_id, task))
    return tuple(found)


def gaps(tasks: Iterable[RecordTask], limit: timedelta = GAP_LIMIT) -> tuple[Finding, ...]:
    """Holes shorter than `limit` between consecutive tasks of one stream."""
    found: list[Finding] = []
    for key, group in sorted(_by_stream(tasks).items()):
        covered_until = recorded_end(group[0])
        last = group[0]
        for task in group[1:]:
            hole = task.start - covered_until
            if timedelta(0) < hole < limit:
                found.append(
                    Finding(
                        FindingKind.GAP,
                        key,
                        (last.task_id, task.task_id),
                        covered_until,
                        task.start,
                    )
                )
            if recorded_end(task) >= covered_until:
                covered_until, last = recorded_end(task), task
    return tuple(found)


def ending_soon(
    tasks: Iterable[RecordTask], now: datetime, within: timedelta = ENDING_SOON
) -> tuple[Finding, ...]:
    """Tasks recording now whose window closes within `within`."""
    found = [
        Finding(FindingKind.ENDING_SOON, StreamKey.of(t), (t.task_id,), now, t.end)
        for t in tasks
        if t.status_at(now) is Status.RUNNING and t.end <= now + within
    ]
    return tuple(sorted(found, key=lambda f: (f.end, f.task_ids)))


def find(tasks: Sequence[RecordTask], now: datetime) -> Findings:
    return Findings(
        stopped_early=stopped_early(tasks),
        overlaps=overlaps(tasks),
        gaps=gaps(tasks),
        ending_soon=ending_soon(tasks, now),
    )


@dataclass(frozen=True)
class Stats:
    """Counts for `stats`: largest first, then by key; days are the asker's local start days."""

    total: int
    by_status: tuple[tuple[Status, int], ...]
    by_stream: tuple[tuple[str, int], ...]
    by_template: tuple[tuple[int, int], ...]
    by_day: tuple[tuple[date, int], ...]


def stats(tasks: Sequence[RecordTask], now: datetime, zone: tzinfo) -> Stats:
    statuses = Counter(t.status_at(now) for t in tasks)
    streams = Counter(t.stream for t in tasks)
    templates = Counter(t.template_id for t in tasks)
    days = Counter(t.start.astimezone(zone).date() for t in tasks)
    return Stats(
        total=len(tasks),
        by_status=tuple((s, statuses[s]) for s in Status if statuses[s]),
        by_stream=tuple(sorted(streams.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_template=tuple(sorted(templates.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_day=tuple(sorted(days.items())),
    )
