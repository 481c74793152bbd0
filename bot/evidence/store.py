"""Recording callbacks kept in the recbot database (SQLite or PostgreSQL), 90 days.

Idempotent across replicas by one rule: `dedup_key` is unique, and the INSERT that wins
(ON CONFLICT DO NOTHING ... RETURNING) is the only one that counts the event as new.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Engine,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from bot.db.base import Base, UTCDateTime
from bot.evidence.events import RecordedFile, RecordEvent, RecordingEvent
from bot.evidence.state import FileGroup, FileTotals
from bot.findings import StreamKey
from bot.tasks import RecordTask

# DescribeRecordTask's own horizon: older evidence belongs to tasks no answer can show.
RETENTION = timedelta(days=90)
# Evidence about a task may arrive a little before its start or after its end (CSS's clocks).
SLACK_AROUND = timedelta(minutes=30)


class EventRow(Base):
    __tablename__ = "recording_events"
    __table_args__ = (
        Index("ix_recording_events_stream_time", "domain", "app", "stream", "event_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    task_id: Mapped[str] = mapped_column(String(255), index=True)
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


def _values(event: RecordingEvent, received: datetime) -> dict[str, Any]:
    f = event.file
    return {
        "dedup_key": event.key[:255],
        "event_type": event.event_type,
        "event": event.event.value,
        "event_time": event.time,
        "received_at": received,
        "task_id": event.task_id[:255],
        "domain": event.domain[:255],
        "app": event.app[:255],
        "stream": event.stream[:255],
        "detail": event.detail,
        "file_id": f.file_id[:255] if f else None,
        "file_format": f.format[:16] if f else None,
        "file_start": f.start if f else None,
        "duration_s": f.duration_s if f else None,
        "size_bytes": f.size_bytes if f else None,
        "url": f.url if f else None,
    }


class EvidenceStore:
    """Every read and write of recording evidence; each method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )
        self._add = (
            self._insert(EventRow)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(EventRow.id)
        )
        # SQLite has one writer at a time and makes the others sleep-and-retry (in steps of
        # up to 100 ms); queueing this process's writers on a lock instead keeps each short.
        self._write_lock: threading.Lock | nullcontext[None] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def add(self, event: RecordingEvent, received: datetime) -> int | None:
        """Store a new event; its row id, or None when it was already stored (a CSS retry)."""
        # One statement built once, given parameters per call: building it per callback
        # cost more than the insert itself.
        with self._write_lock, self.engine.begin() as connection:
            found = connection.execute(self._add, _values(event, received)).first()
            return int(found[0]) if found is not None else None

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
        """What `events_for` selects, with files totalled in SQL per TaskId and stream
        (count, duration, size, last end) instead of read one by one; status events as rows.
        (`bot.evidence.state.SummarySource`)"""
        where = self._selecting(
            {t.task_id for t in tasks}, {StreamKey.of(t) for t in tasks}, start, end
        )
        if where is None:
            return [], []
        is_file = and_(EventRow.file_id.is_not(None), EventRow.file_start.is_not(None))
        status = select(*_COLUMNS).where(where, ~is_file).order_by(EventRow.event_time, EventRow.id)
        totals = (
            select(
                EventRow.task_id,
                EventRow.domain,
                EventRow.app,
                EventRow.stream,
                func.count(),
                func.coalesce(func.sum(EventRow.duration_s), 0),
                func.coalesce(func.sum(EventRow.size_bytes), 0),
                func.max(EventRow.event_time),
            )
            .where(where, is_file)
            .group_by(EventRow.task_id, EventRow.domain, EventRow.app, EventRow.stream)
        )
        with Session(self.engine) as session:
            events = [_event(r) for r in session.execute(status)]
            groups = [
                FileGroup(
                    task_id,
                    StreamKey(stream, app, domain),
                    FileTotals(int(count), int(duration or 0), int(size or 0), last),
                )
                for task_id, domain, app, stream, count, duration, size, last in session.execute(
                    totals
                )
            ]
        return events, groups

    def _selecting(
        self,
        task_ids: Collection[str],
        streams: Collection[StreamKey],
        start: datetime,
        end: datetime,
    ) -> ColumnElement[bool] | None:
        """The rows an answer about these tasks and streams reads; None for none."""
        if not task_ids and not streams:
            return None
        conditions: list[ColumnElement[bool]] = []
        if task_ids:
            conditions.append(EventRow.task_id.in_(sorted(task_ids)))
        if streams:
            keys = sorted((s.domain, s.app, s.stream) for s in streams)
            conditions.append(
                and_(
                    tuple_(EventRow.domain, EventRow.app, EventRow.stream).in_(keys),
                    EventRow.event_time >= start - SLACK_AROUND,
                    EventRow.event_time <= end + SLACK_AROUND,
                )
            )
        return or_(*conditions)

    def events_of(
        self,
        task_ids: Collection[str],
        streams: Collection[StreamKey],
        start: datetime,
        end: datetime,
    ) -> list[RecordingEvent]:
        where = self._selecting(task_ids, streams, start, end)
        if where is None:
            return []
        query = select(*_COLUMNS).where(where).order_by(EventRow.event_time, EventRow.id)
        with Session(self.engine) as session:
            return [_event(r) for r in session.execute(query)]

    def received_after(self, last_id: int, limit: int = 500) -> list[StoredEvent]:
        """Events stored after row `last_id`, in arrival order (the alert loop's feed)."""
        query = (
            select(EventRow.id, EventRow.received_at, *_COLUMNS)
            .where(EventRow.id > last_id)
            .order_by(EventRow.id)
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [StoredEvent(r[0], r[1], _event(r[2:])) for r in session.execute(query)]

    def received_since(
        self, since: datetime, kinds: Collection[RecordEvent] | None = None
    ) -> list[StoredEvent]:
        """Events received since `since` (of these kinds only), in arrival order."""
        query = select(EventRow.id, EventRow.received_at, *_COLUMNS).where(
            EventRow.received_at >= since
        )
        if kinds is not None:
            query = query.where(EventRow.event.in_(sorted(k.value for k in kinds)))
        with Session(self.engine) as session:
            rows = session.execute(query.order_by(EventRow.id))
            return [StoredEvent(r[0], r[1], _event(r[2:])) for r in rows]

    def event(self, key: str) -> RecordingEvent | None:
        with Session(self.engine) as session:
            row = session.execute(select(*_COLUMNS).where(EventRow.dedup_key == key)).first()
            return _event(row) if row is not None else None

    def last_received(self) -> datetime | None:
        with Session(self.engine) as session:
            found: datetime | None = session.scalar(select(func.max(EventRow.received_at)))
            return found

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(EventRow)) or 0)

    def prune(self, now: datetime) -> int:
        """Drop events older than the retention; how many went."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(EventRow).where(EventRow.event_time < now - RETENTION))
            return int(getattr(result, "rowcount", 0) or 0)

    def add_many(self, events: Sequence[RecordingEvent], received: datetime) -> int:
        """Store several events at once (the embedded simulator, benches); how many were new."""
        if not events:
            return 0
        statement = (
            self._insert(EventRow)
            .values([_values(e, received) for e in events])
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(EventRow.id)
        )
        with Session(self.engine) as session, session.begin():
            return len(list(session.scalars(statement)))
