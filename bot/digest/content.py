"""What a digest asks and shows: its window, one `answer()` over it, the sections.

Daily (docs/digests.md): yesterday's finished and stopped-early tasks and its findings, plus
today's still-scheduled tasks. Weekly: the last 7 whole days with per-stream counts.
Both read one window through the one pipeline (`bot.answer.answer`), so subscriptions
sharing a `DigestQuery` share one fetch per slot.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.answer import Answer, AnswerContext, answer
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
    """One digest, for one query and slot, cut from the `answer` over its window. `done` are
    the covered period's finished and stopped tasks (stream by stream, newest first),
    `upcoming` today's scheduled ones (daily only), `findings` those of the period."""

    query: DigestQuery
    slot: datetime
    answer: Answer
    period_start: datetime
    period_end: datetime
    done: tuple[RecordTask, ...]
    upcoming: tuple[RecordTask, ...]
    findings: Findings
    per_stream: tuple[StreamCount, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.query.tz)

    @property
    def now(self) -> datetime:
        return self.answer.now

    @property
    def filters(self) -> Filters:
        return self.answer.filters

    @property
    def stats(self) -> FetchStats:
        return self.answer.result.stats

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.answer.plan.notes + self.answer.result.notes))

    def count(self, status: Status) -> int:
        return sum(1 for t in self.done if t.status_at(self.now) is status)


def digest_request(text: str, now: datetime, zone: tzinfo) -> Request:
    """The request a digest repeats: filters only, since the digest picks its own window."""
    request = parse_request(text, now, zone) if text.strip() else Request(raw="")
    if request.subcommand is not Subcommand.ANSWER:
        raise ParseError(
            f"a digest repeats a question, not '{request.subcommand.value}'",
            ("digest daily 09:00 stream:livetest",),
        )
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
    if request.filters.task_ids:
        raise ParseError(
            "a digest follows streams, apps or domains, not one task's TaskId; name its stream",
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


def digest_answer(query: DigestQuery, slot: datetime, now: datetime, source: TaskSource) -> Answer:
    """The one pipeline over the digest's window: the repeated request's filters (narrowed to
    the channel's scope), every status. Raises ParseError, AccessDenied or ApiError."""
    zone = ZoneInfo(query.tz)
    window = digest_window(query.kind, slot, zone)
    request = replace(
        digest_request(query.request_text, now, zone), phrase=window.description, window=window
    )
    return answer(request, AnswerContext(now, zone, source, query.scope))


def compose_digest(query: DigestQuery, slot: datetime, now: datetime, source: TaskSource) -> Digest:
    """One answer, then the sections. Raises ParseError, AccessDenied or ApiError."""
    zone = ZoneInfo(query.tz)
    asked = digest_answer(query, slot, now, source)
    start, end = digest_period(query.kind, slot, zone)
    in_period = [t for t in asked.result.tasks if t.overlaps(start, end)]
    # `asked.tasks` is already stream by stream, newest first (every status was asked).
    done = tuple(
        t
        for t in asked.tasks
        if t.overlaps(start, end) and asked.status_of(t) in (Status.FINISHED, Status.STOPPED)
    )
    upcoming: list[RecordTask] = []
    if query.kind is Kind.DAILY:
        today_end = _midnight(slot, zone, 1)
        upcoming = [
            t
            for t in asked.result.tasks
            if asked.status_of(t) is Status.SCHEDULED and t.overlaps(now, today_end)
        ]
        upcoming.sort(key=lambda t: (t.start, t.stream, t.task_id))
    return Digest(
        query=query,
        slot=slot,
        answer=asked,
        period_start=start,
        period_end=end,
        done=done,
        upcoming=tuple(upcoming),
        findings=find(in_period, now),
        per_stream=per_stream(in_period, now),
    )
