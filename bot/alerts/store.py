"""Alert subscriptions and per-(subscription, event) post records, in the recbot database.

Exactly once rests on the digest rule: an `alert_posts` row is unique per (subscription,
event key), and only the replica whose INSERT made it (or who took over its expired lease)
may post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.alerts.rules import Level
from bot.db.base import Base, UTCDateTime


class AlertSubscriptionRow(Base):
    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    creator_id: Mapped[str] = mapped_column(String(32))
    request_text: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(8))
    tz: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class AlertPostRow(Base):
    __tablename__ = "alert_posts"
    __table_args__ = (UniqueConstraint("subscription_id", "event_key", name="uq_alert_post_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE")
    )
    event_key: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(10))  # claimed | posted | failed
    claimed_by: Mapped[str] = mapped_column(String(80))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)


@dataclass(frozen=True)
class AlertSubscription:
    id: int
    team_id: str
    channel_id: str
    creator_id: str
    request_text: str
    level: Level
    tz: str
    created_at: datetime


@dataclass(frozen=True)
class AlertPost:
    id: int
    subscription_id: int
    event_key: str
    state: str
    claimed_by: str
    lease_until: datetime
    attempts: int
    message_ts: str | None


def _subscription(row: AlertSubscriptionRow) -> AlertSubscription:
    return AlertSubscription(
        row.id,
        row.team_id,
        row.channel_id,
        row.creator_id,
        row.request_text,
        Level(row.level),
        row.tz,
        row.created_at,
    )


def _post(row: AlertPostRow) -> AlertPost:
    return AlertPost(
        row.id,
        row.subscription_id,
        row.event_key,
        row.state,
        row.claimed_by,
        row.lease_until,
        row.attempts,
        row.message_ts,
    )


class AlertStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    # Subscriptions

    def add(
        self,
        team_id: str,
        channel_id: str,
        *,
        creator_id: str,
        request_text: str,
        level: Level,
        tz: str,
        now: datetime,
    ) -> AlertSubscription:
        row = AlertSubscriptionRow(
            team_id=team_id,
            channel_id=channel_id,
            creator_id=creator_id,
            request_text=request_text,
            level=level.value,
            tz=tz,
            created_at=now,
            active=True,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return _subscription(row)

    def of_channel(self, team_id: str, channel_id: str) -> list[AlertSubscription]:
        return self._active_where(team_id, AlertSubscriptionRow.channel_id == channel_id)

    def of_creator(self, team_id: str, creator_id: str) -> list[AlertSubscription]:
        """A person's active alerts, every channel (App Home lists them)."""
        return self._active_where(team_id, AlertSubscriptionRow.creator_id == creator_id)

    def _active_where(self, team_id: str, condition: Any) -> list[AlertSubscription]:
        query = (
            select(AlertSubscriptionRow)
            .where(
                AlertSubscriptionRow.team_id == team_id,
                condition,
                AlertSubscriptionRow.active.is_(True),
            )
            .order_by(AlertSubscriptionRow.id)
        )
        with Session(self.engine) as session:
            return [_subscription(r) for r in session.scalars(query)]

    def get(self, subscription_id: int) -> AlertSubscription | None:
        """An active alert by number."""
        with Session(self.engine) as session:
            row = session.get(AlertSubscriptionRow, subscription_id)
            return _subscription(row) if row is not None and row.active else None

    def active(self) -> list[AlertSubscription]:
        query = select(AlertSubscriptionRow).where(AlertSubscriptionRow.active.is_(True))
        with Session(self.engine) as session:
            return [
                _subscription(r) for r in session.scalars(query.order_by(AlertSubscriptionRow.id))
            ]

    def deactivate(self, subscription_id: int, team_id: str, channel_id: str) -> bool:
        """Off, only from the channel it belongs to; False when there is no such alert there."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AlertSubscriptionRow)
                .where(
                    AlertSubscriptionRow.id == subscription_id,
                    AlertSubscriptionRow.team_id == team_id,
                    AlertSubscriptionRow.channel_id == channel_id,
                    AlertSubscriptionRow.active.is_(True),
                )
                .values(active=False)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    # Post records

    def claim(
        self, wanted: Sequence[tuple[int, str]], replica: str, now: datetime, lease: timedelta
    ) -> list[AlertPost]:
        """Claim (subscription, event key) pairs nobody has; return the ones we got."""
        if not wanted:
            return []
        values = [
            {
                "subscription_id": sub,
                "event_key": key,
                "state": "claimed",
                "claimed_by": replica,
                "lease_until": now + lease,
                "attempts": 1,
                "created_at": now,
            }
            for sub, key in wanted
        ]
        statement = (
            self._insert(AlertPostRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["subscription_id", "event_key"])
            .returning(AlertPostRow)
        )
        with Session(self.engine) as session, session.begin():
            return [_post(r) for r in session.scalars(statement)]

    def expired(self, now: datetime, since: datetime) -> list[AlertPost]:
        query = select(AlertPostRow).where(
            AlertPostRow.state == "claimed",
            AlertPostRow.lease_until < now,
            AlertPostRow.created_at >= since,
        )
        with Session(self.engine) as session:
            return [_post(r) for r in session.scalars(query)]

    def take_over(
        self, post_id: int, replica: str, now: datetime, lease: timedelta
    ) -> AlertPost | None:
        with Session(self.engine) as session, session.begin():
            row = session.scalars(
                update(AlertPostRow)
                .where(
                    AlertPostRow.id == post_id,
                    AlertPostRow.state == "claimed",
                    AlertPostRow.lease_until < now,
                )
                .values(
                    claimed_by=replica,
                    lease_until=now + lease,
                    attempts=AlertPostRow.attempts + 1,
                )
                .returning(AlertPostRow)
            ).one_or_none()
            return _post(row) if row is not None else None

    def renew(self, post_id: int, replica: str, now: datetime, lease: timedelta) -> bool:
        """Extend our unexpired claim right before posting; False if it ran out or was taken,
        so a survivor can take an alert over only after its claimer was silent a whole lease."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AlertPostRow)
                .where(
                    AlertPostRow.id == post_id,
                    AlertPostRow.claimed_by == replica,
                    AlertPostRow.state == "claimed",
                    AlertPostRow.lease_until >= now,
                )
                .values(lease_until=now + lease)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    def finish(self, post_id: int, replica: str, state: str, message_ts: str | None = None) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AlertPostRow)
                .where(
                    AlertPostRow.id == post_id,
                    AlertPostRow.claimed_by == replica,
                    AlertPostRow.state == "claimed",
                )
                .values(state=state, message_ts=message_ts)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    def posts(self) -> list[AlertPost]:
        with Session(self.engine) as session:
            return [
                _post(r) for r in session.scalars(select(AlertPostRow).order_by(AlertPostRow.id))
            ]
