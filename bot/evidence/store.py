"""Recording callbacks kept in the recbot database (SQLite or PostgreSQL), 90 days.

Idempotent across replicas by one rule: `dedup_key` is unique, and the INSERT that wins
(ON CONFLICT DO NOTHING ... RETURNING) is the only one that counts the event as new.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Dialect,
    Engine,
    Index,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    delete,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect

from bot.db.base import Base, UTCDateTime
from bot.evidence.events import (
    FILE_EVENT_TYPE,
    STATUS_EVENT_TYPE,
    RecordedFile,
    RecordEvent,
    RecordingEvent,
)
from bot.evidence.state import FileGroup, FileTotals
from bot.findings import StreamKey
from bot.tasks import RecordTask

# DescribeRecordTask's own horizon: older evidence belongs to tasks no answer can show.
RETENTION = timedelta(days=90)
# Rows per INSERT statement (16 parameters each; SQLite allows 32,766, PostgreSQL 65,535).
INSERT_ROWS = 500
# Longest idempotency key kept (the column's width); longer keys are cut to it.
KEY_LENGTH = 255
# Evidence about a task may arrive a little before its start or after its end (CSS's clocks).
SLACK_AROUND = timedelta(minutes=30)


class EventRow(Base):
    __tablename__ = "recording_events"
    __table_args__ = (
        # Covering indexes (migration 0006): an answer's totals read no table row.
        Index(
            "ix_recording_events_task_cover",
            "task_id",
            "event_type",
            "event_time",
            "duration_s",
            "size_bytes",
        ),
        Index(
            "ix_recording_events_stream_cover",
            "domain",
            "app",
            "stream",
            "event_type",
            "event_time",
            "task_id",
            "duration_s",
            "size_bytes",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    task_id: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(255))
    app: Mapped[str] = mapped_column(String(255))
    stream: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    file_format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    file_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class StoredEvent:
    """An event as stored: its row id (the order events arrived in) and when it arrived."""

    id: int
    received_at: datetime
    event: RecordingEvent


_COLUMNS = (
    EventRow.dedup_key,
    EventRow.event_type,
    EventRow.event,
    EventRow.event_time,
    EventRow.task_id,
    EventRow.domain,
    EventRow.app,
    EventRow.stream,
    EventRow.detail,
    EventRow.file_id,
    EventRow.file_format,
    EventRow.file_start,
    EventRow.duration_s,
    EventRow.size_bytes,
    EventRow.url,
)
_EVENTS = {e.value: e for e in RecordEvent}


def _event(row: Any) -> RecordingEvent:
    """An event from a row of `_COLUMNS` (plain rows: answers may read thousands at once)."""
    (key, kind, event, at, task_id, domain, app, stream, detail) = row[:9]
    file_id, file_format, file_start, duration_s, size_bytes, url = row[9:]
    recorded = None
    if file_id is not None and file_start is not None:
        recorded = RecordedFile(
            file_id,
            file_format or "",
            file_start,
            at,
            int(duration_s or 0),
            int(size_bytes or 0),
            url or "",
        )
    return RecordingEvent(
        key, kind, _EVENTS[event], at, task_id, domain, app, stream, detail, recorded
    )


def stored_key(event: RecordingEvent) -> str:
    """The event's idempotency key as the `dedup_key` column keeps it."""
    return event.key[:KEY_LENGTH]


def _row(event: RecordingEvent, received: datetime) -> tuple[Any, ...]:
    """The event's values in `_INSERTED` order."""
    f = event.file
    return (
        stored_key(event),
        event.event_type,
        event.event.value,
        event.time,
        received,
        event.task_id[:255],
        event.domain[:255],
        event.app[:255],
        event.stream[:255],
        event.detail,
        f.file_id[:255] if f else None,
        f.format[:16] if f else None,
        f.start if f else None,
        f.duration_s if f else None,
        f.size_bytes if f else None,
        f.url if f else None,
    )


_INSERTED = tuple(c for c in EventRow.__table__.columns if c.name != "id")


class _BatchInsert:
    """`INSERT … VALUES (…), (…) ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key`
    for n rows, its text made once per n and its values converted with the columns' own bind
    processors: SQLAlchemy's per-row parameter handling cost more than SQLite's insert."""

    def __init__(self, dialect: Dialect) -> None:
        self._mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        self._head = (  # names from the table definition only; every value is a parameter
            f"INSERT INTO {quote(EventRow.__tablename__)} "  # noqa: S608
            f"({', '.join(quote(c.name) for c in _INSERTED)}) VALUES "
        )
        self._tail = f" ON CONFLICT ({quote('dedup_key')}) DO NOTHING RETURNING id, dedup_key"
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in _INSERTED]
        self._convert = [(i, p) for i, p in enumerate(processors) if p is not None]
        self._texts: dict[int, str] = {}

    def text(self, rows: int) -> str:
        found = self._texts.get(rows)
        if found is None:
            one = f"({', '.join([self._mark] * len(_INSERTED))})"
            found = self._texts[rows] = self._head + ", ".join([one] * rows) + self._tail
        return found

    def parameters(self, rows: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
        flat: list[Any] = []
        for row in rows:
            values = list(row)
            for i, process in self._convert:
                if values[i] is not None:
                    values[i] = process(values[i])
            flat.extend(values)
        return tuple(flat)


# What answers read, built once: the lists and the window are parameters (`_parameters`), so
# no answer builds, coerces or caches a statement of its own.
# The rows of the listed tasks, by TaskId (whatever their time).
_BY_TASK = EventRow.task_id.in_(bindparam("task_ids", expanding=True))
# The rows of the streams in the window. Each column of the stream key has its own IN, which
# SQLite seeks the stream index with (it does not with a row-value IN). Across several domains
# or apps that also selects streams not asked about (domain A's app with domain B's stream):
# callers keep only the streams asked about (`_wanted`), which costs less than SQLite checking
# a row-value IN on every row.
_BY_STREAM = and_(
    EventRow.domain.in_(bindparam("domains", expanding=True)),
    EventRow.app.in_(bindparam("apps", expanding=True)),
    EventRow.stream.in_(bindparam("streams", expanding=True)),
    EventRow.event_time >= bindparam("since"),
    EventRow.event_time <= bindparam("until"),
)
# ... of no listed task: disjoint from `_BY_TASK`.
_BY_STREAM_UNTASKED = and_(
    _BY_STREAM, EventRow.task_id.not_in(bindparam("task_ids", expanding=True))
)
_STATUS = union_all(
    select(*_COLUMNS).where(_BY_TASK, EventRow.event_type == STATUS_EVENT_TYPE),
    select(*_COLUMNS).where(_BY_STREAM_UNTASKED, EventRow.event_type == STATUS_EVENT_TYPE),
)
_TOTALS = (
    func.count(),
    func.coalesce(func.sum(EventRow.duration_s), 0),
    func.coalesce(func.sum(EventRow.size_bytes), 0),
    func.max(EventRow.event_time),
)
_FILE_TOTALS: CompoundSelect[Any] = union_all(
    # A listed task's files count for the task whatever stream they name.
    select(EventRow.task_id, null(), null(), null(), *_TOTALS)
    .where(_BY_TASK, EventRow.event_type == FILE_EVENT_TYPE)
    .group_by(EventRow.task_id),
    select(EventRow.task_id, EventRow.domain, EventRow.app, EventRow.stream, *_TOTALS)
    .where(_BY_STREAM_UNTASKED, EventRow.event_type == FILE_EVENT_TYPE)
    .group_by(EventRow.task_id, EventRow.domain, EventRow.app, EventRow.stream),
)


def _parameters(
    task_ids: Collection[str], streams: Collection[StreamKey], start: datetime, end: datetime
) -> dict[str, Any]:
    return {
        "task_ids": sorted(task_ids),
        "domains": sorted({s.domain for s in streams}),
        "apps": sorted({s.app for s in streams}),
        "streams": sorted({s.stream for s in streams}),
        "since": start - SLACK_AROUND,
        "until": end + SLACK_AROUND,
    }


class EvidenceStore:
    """Every read and write of recording evidence; each method is one short transaction.

    Reads are SQLAlchemy Core selects of the columns they need (plain rows, no ORM objects):
    an answer may read thousands of events."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = _BatchInsert(engine.dialect)
        # SQLite has one writer at a time and makes the others sleep-and-retry (in steps of
        # up to 100 ms); queueing this process's writers on a lock instead keeps each short.
        self._write_lock: threading.Lock | nullcontext[None] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def add(self, event: RecordingEvent, received: datetime) -> int | None:
        """Store a new event; its row id, or None when it was already stored (a CSS retry)."""
        return self.insert_new([event], [received]).get(stored_key(event))

    def insert_new(
        self, events: Sequence[RecordingEvent], received: Sequence[datetime]
    ) -> dict[str, int]:
        """Store these events (`received[i]` is when event i arrived) in one transaction:
        {stored key: row id} of those that were new; an event already stored (by any
        replica), or twice in `events`, is left out (`bot.evidence.group_commit`).

        Rows go in key order, so two replicas inserting overlapping batches on PostgreSQL
        take the unique index's locks in the same order and never deadlock."""
        rows = sorted(
            (_row(e, at) for e, at in zip(events, received, strict=True)), key=lambda r: r[0]
        )
        new: dict[str, int] = {}
        with self._write_lock, self.engine.begin() as connection:
            for start in range(0, len(rows), INSERT_ROWS):
                part = rows[start : start + INSERT_ROWS]
                found = connection.exec_driver_sql(
                    self._insert.text(len(part)), self._insert.parameters(part)
                )
                new.update((key, int(row_id)) for row_id, key in found)
        return new

    def events_for(
        self, tasks: Sequence[RecordTask], start: datetime, end: datetime
    ) -> list[RecordingEvent]:
        """Events of these tasks, and events of their streams from `start` to `end` (with a
        margin either side), oldest first. (`bot.evidence.state.EvidenceSource`)"""
        return self.events_of(
            {t.task_id for t in tasks}, {StreamKey.of(t) for t in tasks}, start, end
        )

    def summary_for(
        self, tasks: Sequence[RecordTask], start: datetime, end: datetime
    ) -> tuple[list[RecordingEvent], list[FileGroup]]:
        """What `events_for` selects, with files totalled in SQL (count, duration, size, last
        end) per TaskId, and per TaskId and stream for files of no listed task; status events
        as rows. Two statements, each answered from the covering indexes of migration 0006.
        (`bot.evidence.state.SummarySource`)"""
        if not tasks:
            return [], []
        by_id = {t.task_id: StreamKey.of(t) for t in tasks}
        streams = set(by_id.values())
        parameters = _parameters(by_id.keys(), streams, start, end)
        with self.engine.connect() as connection:
            found = (_event(r) for r in connection.execute(_STATUS, parameters))
            events = _oldest_first(e for e in found if _wanted(e, by_id, streams))
            groups = [
                FileGroup(
                    task_id,
                    by_id[task_id] if domain is None else StreamKey(stream, app, domain),
                    FileTotals(int(count), int(duration or 0), int(size or 0), last),
                )
                for task_id, domain, app, stream, count, duration, size, last in (
                    connection.execute(_FILE_TOTALS, parameters)
                )
                if domain is None or StreamKey(stream, app, domain) in streams
            ]
        return events, groups

    def events_of(
        self,
        task_ids: Collection[str],
        streams: Collection[StreamKey],
        start: datetime,
        end: datetime,
    ) -> list[RecordingEvent]:
        parts: list[ColumnElement[bool]] = []
        if task_ids:
            parts.append(_BY_TASK)
        if streams:
            parts.append(_BY_STREAM_UNTASKED if task_ids else _BY_STREAM)
        if not parts:
            return []
        query = union_all(*(select(*_COLUMNS).where(p) for p in parts))
        wanted = set(streams)
        parameters = _parameters(task_ids, wanted, start, end)
        with self.engine.connect() as connection:
            found = (_event(r) for r in connection.execute(query, parameters))
            return _oldest_first(e for e in found if _wanted(e, task_ids, wanted))

    def received_after(self, last_id: int, limit: int = 500) -> list[StoredEvent]:
        """Events stored after row `last_id`, in arrival order (the alert loop's feed)."""
        query = (
            select(EventRow.id, EventRow.received_at, *_COLUMNS)
            .where(EventRow.id > last_id)
            .order_by(EventRow.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [StoredEvent(r[0], r[1], _event(r[2:])) for r in connection.execute(query)]

    def received_since(
        self,
        since: datetime,
        kinds: Collection[RecordEvent] | None = None,
        *,
        after_id: int = 0,
        unsure_since: datetime | None = None,
    ) -> list[StoredEvent]:
        """Events received since `since` (of these kinds only), in arrival order.

        With `after_id`, only rows after it, except those received since `unsure_since`: a
        reader that saw up to row N reads only what is new, while rows of the last moments
        are read again in case a transaction that took a lower id committed after row N.
        """
        query = select(EventRow.id, EventRow.received_at, *_COLUMNS).where(
            EventRow.received_at >= since
        )
        if after_id:
            newer = EventRow.id > after_id
            query = query.where(
                newer if unsure_since is None else or_(newer, EventRow.received_at >= unsure_since)
            )
        if kinds is not None:
            query = query.where(EventRow.event.in_(sorted(k.value for k in kinds)))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(EventRow.id))
            return [StoredEvent(r[0], r[1], _event(r[2:])) for r in rows]

    def event(self, key: str) -> RecordingEvent | None:
        with self.engine.connect() as connection:
            query = select(*_COLUMNS).where(EventRow.dedup_key == key)
            row = connection.execute(query).first()
            return _event(row) if row is not None else None

    def last_received(self) -> datetime | None:
        with self.engine.connect() as connection:
            found: datetime | None = connection.scalar(select(func.max(EventRow.received_at)))
            return found

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(EventRow)) or 0)

    def prune(self, now: datetime) -> int:
        """Drop events older than the retention; how many went."""
        with self._write_lock, self.engine.begin() as connection:
            result = connection.execute(
                delete(EventRow).where(EventRow.event_time < now - RETENTION)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def add_many(self, events: Sequence[RecordingEvent], received: datetime) -> int:
        """Store several events at once (the embedded simulator, benches); how many were new."""
        return len(self.insert_new(events, [received] * len(events)))


def _wanted(event: RecordingEvent, task_ids: Collection[str], streams: set[StreamKey]) -> bool:
    """A row of the tasks asked about, or of a stream asked about (`_BY_STREAM`)."""
    return event.task_id in task_ids or StreamKey(event.stream, event.app, event.domain) in streams


def _oldest_first(events: Iterable[RecordingEvent]) -> list[RecordingEvent]:
    return sorted(events, key=lambda e: (e.time, e.key))
