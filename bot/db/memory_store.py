"""Names and saved questions in the recbot database (SQLAlchemy; SQLite or PostgreSQL).

Every read goes to the database, so a name saved through one replica is seen by all at once.
Rows are keyed by owner: a channel id, or `user:U…` for what someone made in a DM.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Engine, Integer, String, Text, UniqueConstraint, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db.base import Base, UTCDateTime
from bot.db.direct_memory import NAME_COLUMNS, split_values, visible_from_rows
from bot.filters import Filters
from bot.memory.names import NamedFilters, SavedQuestion


class NameRow(Base):
    __tablename__ = "team_names"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_team_names_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(40))
    streams: Mapped[str] = mapped_column(Text, default="")
    apps: Mapped[str] = mapped_column(Text, default="")
    domains: Mapped[str] = mapped_column(Text, default="")
    everywhere: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SavedRow(Base):
    __tablename__ = "saved_questions"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_saved_questions_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(40))
    request_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NameTaken(Exception):
    """Another name with this spelling was saved first (a race between two replicas)."""


class MemoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- names ----------------------------------------------------------------------------

    def visible_names(self, owner: str) -> dict[str, NamedFilters]:
        """Names usable by `owner`: its own, then workspace-wide ones it has no own name for."""
        # Core, not ORM objects: this read runs on every request. (`recbot ask` on SQLite reads
        # the same rows through `bot.db.direct_memory`, which this shares the reading with.)
        table = NameRow.__table__
        query = select(*(table.c[name] for name in NAME_COLUMNS)).where(
            or_(table.c.owner == owner, table.c.everywhere.is_(True))
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return visible_from_rows(rows, owner)

    def names_made_by(self, creator_id: str, limit: int = 50) -> list[NamedFilters]:
        """The names a person made, every place, by name (App Home lists them)."""
        query = (
            select(NameRow)
            .where(NameRow.created_by == creator_id)
            .order_by(NameRow.name, NameRow.owner)
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [
                NamedFilters(
                    r.name,
                    Filters(split_values(r.streams), split_values(r.apps), split_values(r.domains)),
                    r.owner,
                    r.everywhere,
                    r.created_by,
                )
                for r in session.scalars(query)
            ]

    def save_name(self, named: NamedFilters, now: datetime) -> None:
        """Insert or replace `owner`'s name. Raises NameTaken on a concurrent insert."""
        f = named.filters
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(NameRow).where(NameRow.owner == named.owner, NameRow.name == named.name)
            )
            session.add(
                NameRow(
                    owner=named.owner,
                    name=named.name,
                    streams=",".join(f.streams),
                    apps=",".join(f.apps),
                    domains=",".join(f.domains),
                    everywhere=named.everywhere,
                    created_by=named.created_by,
                    created_at=now,
                )
            )
            try:
                session.flush()
            except IntegrityError as exc:
                raise NameTaken(named.name) from exc

    def forget_name(self, owner: str, name: str) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(NameRow).where(NameRow.owner == owner, NameRow.name == name)
            )
        return bool(getattr(result, "rowcount", 0))

    # --- saved questions ------------------------------------------------------------------

    def saved_questions(self, owner: str) -> dict[str, SavedQuestion]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(SavedRow).where(SavedRow.owner == owner).order_by(SavedRow.name)
            ).all()
        return {r.name: SavedQuestion(r.name, r.request_text, r.owner, r.created_by) for r in rows}

    def save_question(self, saved: SavedQuestion, now: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(SavedRow).where(SavedRow.owner == saved.owner, SavedRow.name == saved.name)
            )
            session.add(
                SavedRow(
                    owner=saved.owner,
                    name=saved.name,
                    request_text=saved.request_text,
                    created_by=saved.created_by,
                    created_at=now,
                )
            )
            try:
                session.flush()
            except IntegrityError as exc:
                raise NameTaken(saved.name) from exc

    def forget_question(self, owner: str, name: str) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(SavedRow).where(SavedRow.owner == owner, SavedRow.name == name)
            )
        return bool(getattr(result, "rowcount", 0))
