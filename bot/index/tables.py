"""The index's tables on the shared `Base` (migration 0004): tasks, synced ranges, the sync
lease and a log of sync runs. Every row carries the account it belongs to, so a second
account (or the embedded simulator) never reads another's tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class IndexTaskRow(Base):
    """One task as DescribeRecordTask last listed it, with when we first and last saw it."""

    __tablename__ = "index_tasks"
    __table_args__ = (Index("ix_index_tasks_account_start", "account", "start_s"),)

    account: Mapped[str] = mapped_column(String(160), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    domain: Mapped[str] = mapped_column(String(255))
    app: Mapped[str] = mapped_column(String(255))
    stream: Mapped[str] = mapped_column(String(255))
    # Unix seconds, as the API gives them: reading 10,000 rows must take milliseconds, and
    # integers need no parsing (SQLite keeps datetimes as text).
    start_s: Mapped[int] = mapped_column(BigInteger)
    end_s: Mapped[int] = mapped_column(BigInteger)
    template_id: Mapped[int] = mapped_column(Integer)
    stopped_s: Mapped[int] = mapped_column(BigInteger)  # 0: StopRecordTask never called
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class IndexRangeRow(Base):
    """Tasks starting in `[start_at, end_at)` were all listed by reads begun at `synced_at`."""

    __tablename__ = "index_ranges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(160), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IndexLeaseRow(Base):
    """Who syncs an account now; another replica takes over once `lease_until` passed."""

    __tablename__ = "index_leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)


class IndexRunRow(Base):
    """One sync step (backfill chunk, hot refresh, reconcile, stream refresh) and its cost."""

    __tablename__ = "index_runs"
    __table_args__ = (Index("ix_index_runs_account_finished", "account", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    calls: Mapped[int] = mapped_column(Integer)
    tasks: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
