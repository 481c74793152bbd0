"""Every read and write of the index (SQLite or PostgreSQL). Each method is one transaction.

A sync's writes are safe against a slower, older sync landing later: a task row is only
overwritten by a listing that began no earlier than the one that wrote it, and a row leaves
only when a listing covering its start began after it was last seen and did not return it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from bot.db.base import dialect_insert
from bot.index.ranges import Synced, overlay
from bot.index.tables import IndexLeaseRow, IndexRangeRow, IndexRunRow, IndexTaskRow
from bot.tasks import RecordTask, from_unix, to_unix

_BATCH = 500  # rows per INSERT: well under SQLite's 32,766 bound parameters


@dataclass(frozen=True)
class StreamKey:
    """One stream, as a recording callback names it: refresh only its tasks."""

    domain: str
    app: str
    stream: str


@dataclass(frozen=True)
class Run:
    """One sync step as recorded: what it was, when, and what it cost."""

    kind: str
    started_at: datetime
    finished_at: datetime
    calls: int
    tasks: int
    ok: bool
    detail: str | None = None
    pages: int = 0  # not stored: the runs log keeps calls, what the budget counts


def _lock_key(account: str) -> int:
    return int.from_bytes(hashlib.sha256(account.encode()).digest()[:7], "big")


class IndexStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- tasks ------------------------------------------------------------------------------

    def apply(
        self,
        account: str,
        start: datetime,
        end: datetime,
        tasks: Iterable[RecordTask],
        read_at: datetime,
        *,
        stream: StreamKey | None = None,
    ) -> int:
        """Make the index say what a listing begun at `read_at` said about tasks starting in
        `[start, end)` (of one `stream` only, when given). Returns the rows removed."""
        listed = [t for t in tasks if start <= t.start < end]
        if stream is not None:
            listed = [t for t in listed if (t.domain, t.app, t.stream) == _triple(stream)]
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(account)}
                )
            self._upsert(session, account, listed, read_at)
            gone = delete(IndexTaskRow).where(
                IndexTaskRow.account == account,
                IndexTaskRow.start_s >= _ceil_s(start),
                IndexTaskRow.start_s < _ceil_s(end),
                IndexTaskRow.last_seen < read_at,
            )
            if stream is not None:
                gone = gone.where(
                    IndexTaskRow.domain == stream.domain,
                    IndexTaskRow.app == stream.app,
                    IndexTaskRow.stream == stream.stream,
                )
            removed = int(getattr(session.execute(gone), "rowcount", 0) or 0)
            if stream is None:
                self._mark_synced(session, account, Synced(start, end, read_at))
            return removed

    def _upsert(
        self, session: Session, account: str, tasks: Sequence[RecordTask], read_at: datetime
    ) -> None:
        if not tasks:
            return
        statement = dialect_insert(self.engine)(IndexTaskRow)
        fresh = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["account", "task_id"],
            set_={
                "domain": fresh.domain,
                "app": fresh.app,
                "stream": fresh.stream,
                "start_s": fresh.start_s,
                "end_s": fresh.end_s,
                "template_id": fresh.template_id,
                "stopped_s": fresh.stopped_s,
                "last_seen": fresh.last_seen,
            },
            where=IndexTaskRow.last_seen <= fresh.last_seen,
        )
        rows = [
            {
                "account": account,
                "task_id": t.task_id,
                "domain": t.domain,
                "app": t.app,
                "stream": t.stream,
                "start_s": to_unix(t.start),
                "end_s": to_unix(t.end),
                "template_id": t.template_id,
                "stopped_s": to_unix(t.stopped) if t.stopped is not None else 0,
                "first_seen": read_at,
                "last_seen": read_at,
            }
            for t in tasks
        ]
        # One statement, many parameter sets (executemany): compiled once.
        for offset in range(0, len(rows), _BATCH):
            session.connection().execute(statement, rows[offset : offset + _BATCH])

    def tasks_starting(self, account: str, start: datetime, end: datetime) -> list[RecordTask]:
        """Every indexed task starting in `[start, end)`, by start."""
        query = (
            select(
                IndexTaskRow.task_id,
                IndexTaskRow.domain,
                IndexTaskRow.app,
                IndexTaskRow.stream,
                IndexTaskRow.start_s,
                IndexTaskRow.end_s,
                IndexTaskRow.template_id,
                IndexTaskRow.stopped_s,
            )
            .where(
                IndexTaskRow.account == account,
                IndexTaskRow.start_s >= _ceil_s(start),
                IndexTaskRow.start_s < _ceil_s(end),
            )
            .order_by(IndexTaskRow.start_s, IndexTaskRow.task_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            RecordTask(
                task_id,
                domain,
                app,
                stream,
                from_unix(start_s),
                from_unix(end_s),
                template_id,
                from_unix(stopped_s) if stopped_s else None,
            )
            for task_id, domain, app, stream, start_s, end_s, template_id, stopped_s in rows
        ]

    def version(self, account: str) -> tuple[int, datetime | None]:
        """Changes whenever a sync writes (every listing stamps what it saw; a removal changes
        the count): a reader may keep what it decoded for as long as this stays the same."""
        query = select(func.count(), func.max(IndexTaskRow.last_seen)).where(
            IndexTaskRow.account == account
        )
        with self.engine.connect() as connection:
            count, newest = connection.execute(query).one()
        return int(count), newest

    def task_count(self, account: str) -> int:
        query = select(func.count()).where(IndexTaskRow.account == account)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def prune(self, account: str, floor: datetime) -> int:
        """Forget what lies before the 90-day floor: the API has forgotten it too."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(IndexTaskRow).where(
                    IndexTaskRow.account == account, IndexTaskRow.start_s < _ceil_s(floor)
                )
            )
            session.execute(
                delete(IndexRangeRow).where(
                    IndexRangeRow.account == account, IndexRangeRow.end_at <= floor
                )
            )
            session.execute(
                update(IndexRangeRow)
                .where(IndexRangeRow.account == account, IndexRangeRow.start_at < floor)
                .values(start_at=floor)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- synced ranges ----------------------------------------------------------------------

    def pieces(self, account: str) -> list[Synced]:
        query = (
            select(IndexRangeRow.start_at, IndexRangeRow.end_at, IndexRangeRow.synced_at)
            .where(IndexRangeRow.account == account)
            .order_by(IndexRangeRow.start_at)
        )
        with self.engine.connect() as connection:
            return [Synced(*row) for row in connection.execute(query)]

    def _mark_synced(self, session: Session, account: str, new: Synced) -> None:
        rows = session.execute(
            select(IndexRangeRow.start_at, IndexRangeRow.end_at, IndexRangeRow.synced_at).where(
                IndexRangeRow.account == account
            )
        )
        merged = overlay((Synced(*row) for row in rows), new)
        session.execute(delete(IndexRangeRow).where(IndexRangeRow.account == account))
        session.add_all(
            IndexRangeRow(account=account, start_at=p.start, end_at=p.end, synced_at=p.at)
            for p in merged
        )

    # -- the lease --------------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
        """Take or extend the lease: ours if free, expired, or already ours."""
        with Session(self.engine) as session, session.begin():
            inserted = session.execute(
                dialect_insert(self.engine)(IndexLeaseRow)
                .values(name=name, holder=holder, lease_until=now + lease)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            if getattr(inserted, "rowcount", 0) == 1:
                return True
            taken = session.execute(
                update(IndexLeaseRow)
                .where(
                    IndexLeaseRow.name == name,
                    (IndexLeaseRow.holder == holder) | (IndexLeaseRow.lease_until < now),
                )
                .values(holder=holder, lease_until=now + lease)
            )
            return bool(getattr(taken, "rowcount", 0) == 1)

    def release_lease(self, name: str, holder: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(IndexLeaseRow).where(
                    IndexLeaseRow.name == name, IndexLeaseRow.holder == holder
                )
            )

    def lease_holder(self, name: str, now: datetime) -> str | None:
        query = select(IndexLeaseRow.holder).where(
            IndexLeaseRow.name == name, IndexLeaseRow.lease_until >= now
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    # -- sync runs --------------------------------------------------------------------------

    def record_run(self, account: str, run: Run) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(
                IndexRunRow(
                    account=account,
                    kind=run.kind,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    calls=run.calls,
                    tasks=run.tasks,
                    ok=run.ok,
                    detail=run.detail,
                )
            )

    def runs_since(self, account: str, since: datetime) -> list[Run]:
        query = (
            select(IndexRunRow)
            .where(IndexRunRow.account == account, IndexRunRow.finished_at >= since)
            .order_by(IndexRunRow.finished_at)
        )
        with Session(self.engine) as session:
            return [_run(r) for r in session.scalars(query)]

    def last_run(self, account: str, kind: str) -> Run | None:
        query = (
            select(IndexRunRow)
            .where(IndexRunRow.account == account, IndexRunRow.kind == kind, IndexRunRow.ok)
            .order_by(IndexRunRow.finished_at.desc())
            .limit(1)
        )
        with Session(self.engine) as session:
            row = session.scalars(query).first()
            return _run(row) if row is not None else None

    def calls_since(self, account: str, kind: str, since: datetime) -> int:
        """API calls the runs of this kind that finished at or after `since` spent."""
        query = select(func.coalesce(func.sum(IndexRunRow.calls), 0)).where(
            IndexRunRow.account == account,
            IndexRunRow.kind == kind,
            IndexRunRow.finished_at >= since,
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def forget_runs(self, account: str, before: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(IndexRunRow).where(
                    IndexRunRow.account == account, IndexRunRow.finished_at < before
                )
            )

    def accounts(self) -> list[str]:
        query = select(IndexRangeRow.account).distinct()
        with self.engine.connect() as connection:
            return [str(a) for a in connection.execute(query).scalars()]


def _ceil_s(moment: datetime) -> int:
    """Unix seconds at or after `moment`: `start_s >= _ceil_s(t)` is `start >= t`."""
    whole = to_unix(moment)
    return whole + 1 if moment.microsecond else whole


def _triple(stream: StreamKey) -> tuple[str, str, str]:
    return (stream.domain, stream.app, stream.stream)


def _run(row: IndexRunRow) -> Run:
    return Run(row.kind, row.started_at, row.finished_at, row.calls, row.tasks, row.ok, row.detail)
