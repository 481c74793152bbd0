"""The audit trail's table: append in batches, read with filters, prune by age."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Float, Integer, String, Text, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db.base import Base, UTCDateTime
from bot.memory.audit_record import AuditEvent


class AuditRow(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    surface: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    text: Mapped[str] = mapped_column(Text)
    understood: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    api_request_id: Mapped[str] = mapped_column(String(64))
    api_calls: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float)
    request_id: Mapped[str] = mapped_column(String(64))


_FIELDS = tuple(AuditEvent.__dataclass_fields__)


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    user_id: str | None = None
    channel_id: str | None = None
    limit: int = 1000


def _event(row: AuditRow) -> AuditEvent:
    return AuditEvent(**{name: getattr(row, name) for name in _FIELDS})


class AuditStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, events: Sequence[AuditEvent]) -> None:
        """One transaction for the batch: all rows or none."""
        if not events:
            return
        rows = [{name: getattr(e, name) for name in _FIELDS} for e in events]
        with Session(self.engine) as session, session.begin():
            session.execute(insert(AuditRow), rows)

    def read(self, where: AuditFilter) -> list[AuditEvent]:
        """Newest first."""
        query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc())
        if where.since is not None:
            query = query.where(AuditRow.at >= where.since)
        if where.user_id:
            query = query.where(AuditRow.user_id == where.user_id)
        if where.channel_id:
            query = query.where(AuditRow.channel_id == where.channel_id)
        with Session(self.engine) as session:
            return [_event(r) for r in session.scalars(query.limit(where.limit)).all()]

    def count(self) -> int:
        from sqlalchemy import func

        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)

    def prune(self, before: datetime) -> int:
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(AuditRow).where(AuditRow.at < before))
        return int(getattr(result, "rowcount", 0) or 0)
