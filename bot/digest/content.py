"""What a digest asks and shows: its window, one fetch through the task source, the sections.

Daily (product.md §5): yesterday's finished and stopped-early tasks and its findings, plus
today's still-scheduled tasks. Weekly: the last 7 whole days with per-stream counts.
Both read one window, so subscriptions sharing a `DigestQuery` share one fetch per slot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.digest.schedule import Kind
from bot.errors import ParseError
from bot.filters import Filters, narrow_to_scope
from bot.findings import Findings, StreamKey, find
from bot.request import Request, StatusFilter, Subcommand, parse_request
from bot.source import FetchStats, TaskSource
from bot.tasks import RecordTask, Status
from bot.timephrase.window import Grain, Window

WEEK_DAYS = 7


@dataclass(frozen=True)
class DigestQuery:
    """What decides a digest's content; subscriptions with equal queries share one fetch."""

    kind: Kind
    request_text: str
    tz: str
    scope: Filters | None = None


@dataclass(frozen=True)
class StreamCount:
    stream: StreamKey
    finished: int
    stopped: int
    other: int  # running or scheduled at the time of the digest

    @property
    def total(self) -> int:
        return self.finished + self.stopped + self.other


@dataclass(frozen=True)
class Digest:
    """One digest, for one query and slot. `done` are the covered period's finished and
    stopped tasks (newest first), `upcoming` today's scheduled ones (daily only)."""

    query: DigestQuery
    slot: datetime
    now: datetime
    filters: Filters
    period_start: datetime
    period_end: datetime
    done: tuple[RecordTask, ...]
    upcoming: tuple[RecordTask, ...]
    findings: Findings
    per_stream: tuple[StreamCount, ...]
    stats: FetchStats
    notes: tuple[str, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.query.tz)

    def count(self, status: Status) -> int:
        return sum(1 for t in self.done if t.status_at(self.now) is status)


def digest_request(text: str, now: datetime, zone: tzinfo) -> Request:
    """The request a digest repeats: filters only, since the digest picks its own window."""
    request = parse_request(text, now, zone) if text.strip() else Request(raw="")
    if request.subcommand is not Subcommand.ANSWER:
        raise ParseError(f"a digest repeats a question, not '{request.subcommand.value}'",
                         ("digest daily 09:00 stream:livetest",))
    if request.phrase is not None:
        raise ParseError(
            "a digest chooses its own window (yesterday and today, or the last 7 days); "
            "leave the time phrase out",
            ("digest daily 09:00 livetest", "digest weekly mon 09:00 domain:a.push.example"),
        )
    if request.status is not StatusFilter.ALL:
        raise ParseError(
            "a digest shows every status (finished, stopped, scheduled); leave the status out",
            ("digest daily 09:00 livetest",),
        )
    return request


def digest_filters(query: DigestQuery, now: datetime) -> Filters:
    """The filters to fetch with; raises ParseError or AccessDenied (outside the scope)."""
    request = digest_request(query.request_text, now, ZoneInfo(query.tz))
    return narrow_to_scope(request.filters, query.scope)


def _midnight(day_of: datetime, zone: ZoneInfo, days: int = 0) -> datetime:
    local_day = day_of.astimezone(zone).date() + timedelta(days=days)
    # In UTC: subtracting two datetimes of one zone would ignore a DST change between them.
    # (Where 00:00 falls into a gap, zoneinfo's fold=0 reading lands just after it.)
    return datetime.combine(local_day, time(0), tzinfo=zone).astimezone(UTC)


def digest_period(kind: Kind, slot: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The reported period: yesterday (daily) or the 7 whole days before the slot's day."""
    days = 1 if kind is Kind.DAILY else WEEK_DAYS
    return _midnight(slot, zone, -days), _midnight(slot, zone)


def digest_window(kind: Kind, slot: datetime, zone: ZoneInfo) -> Window:
    """What is fetched: the period, plus the rest of today for a daily digest's schedule."""
    start, end = digest_period(kind, slot, zone)
    if kind is Kind.DAILY:
        end = _midnight(slot, zone, 1)
    label = "yesterday and today" if kind is Kind.DAILY else "last 7 days"
    start, end = start.astimezone(zone), end.astimezone(zone)
    return Window(start, end, Grain.DAY, f"{label}, {start:%b} {start.day} → {end:%b} {end.day}")


def _newest_first(tasks: list[RecordTask]) -> tuple[RecordTask, ...]:
    tasks.sort(key=lambda t: (t.start, t.task_id), reverse=True)
    tasks.sort(key=lambda t: (t.stream, t.app, t.domain))
    return tuple(tasks)


def per_stream(tasks: list[RecordTask], now: datetime) -> tuple[StreamCount, ...]:
    counts: dict[StreamKey, Counter[Status]] = {}
    for task in tasks:
        counts.setdefault(StreamKey.of(task), Counter())[task.status_at(now)] += 1
    rows = [
        StreamCount(
            key,
            c[Status.FINISHED],
            c[Status.STOPPED],
            c[Status.RUNNING] + c[Status.SCHEDULED],
        )
        for key, c in counts.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.total, r.stream)))


def compose_digest(
    query: DigestQuery, slot: datetime, now: datetime, source: TaskSource
) -> Digest:
    """One fetch, then the sections. Raises ParseError, AccessDenied or ApiError."""
    zone = ZoneInfo(query.tz)
    filters = digest_filters(query, now)
    result = source.fetch_tasks(digest_window(query.kind, slot, zone), filters, now)
    start, end = digest_period(query.kind, slot, zone)
    fetched = [t for t in result.tasks if filters.matches(t)]
    in_period = [t for t in fetched if t.overlaps(start, end)]
    done = [t for t in in_period if t.status_at(now) in (Status.FINISHED, Status.STOPPED)]
    upcoming: list[RecordTask] = []
    if query.kind is Kind.DAILY:
        today_end = _midnight(slot, zone, 1)
        upcoming = [
            t for t in fetched
            if t.status_at(now) is Status.SCHEDULED and t.overlaps(now, today_end)
        ]
        upcoming.sort(key=lambda t: (t.start, t.stream, t.task_id))
    return Digest(
        query=query,
        slot=slot,
        now=now,
        filters=filters,
        period_start=start,
        period_end=end,
        done=_newest_first(done),
        upcoming=tuple(upcoming),
        findings=find(in_period, now),
        per_stream=per_stream(in_period, now),
        stats=result.stats,
        notes=result.notes,
    )
