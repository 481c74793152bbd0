"""Alert subscriptions and per-(subscription, event) post records, in the recbot database.

Exactly once rests on the digest rule: an `alert_posts` row is unique per (subscription,
event key), and only the replica whose INSERT made it (or who took over its expired lease)
may post. The claim, takeover, renewal and outcome are `bot.db.claims.ClaimTable`'s.

A pause is such a row too, with the key `paused` (state `paused`, Slack's error code in
`message_ts`): made when Slack will not let recbot post in the channel, by one replica only,
the one that then tells the creator; `alert on N` deletes it. A paused subscription is listed
but not posted.
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
    and_,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from bot.alerts.rules import Level
from bot.db.base import Base, UTCDateTime
from bot.db.claims import ClaimTable


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
    paused_at: datetime | None = None  # Slack refused posts in the channel (`alert on N`)
    paused_why: str = ""  # Slack's error code, e.g. not_in_channel


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


PAUSED = "paused"  # the event key and state of a pause record


def _subscription(
    row: AlertSubscriptionRow, pause: AlertPostRow | None = None
) -> AlertSubscription:
    return AlertSubscription(
        row.id,
        row.team_id,
        row.channel_id,
        row.creator_id,
        row.request_text,
        Level(row.level),
        row.tz,
        row.created_at,
        pause.created_at if pause is not None else None,
        (pause.message_ts or "") if pause is not None else "",
    )


_IS_PAUSED = exists().where(
    AlertPostRow.subscription_id == AlertSubscriptionRow.id, AlertPostRow.event_key == PAUSED
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
        self._claims = ClaimTable(engine, AlertPostRow, ("subscription_id", "event_key"))

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
        """This channel's alerts that are on, paused ones too (with when and why)."""
        return self._active_where(team_id, AlertSubscriptionRow.channel_id == channel_id)

    def of_creator(self, team_id: str, creator_id: str) -> list[AlertSubscription]:
        """A person's alerts that are on, every channel, paused ones too (App Home lists them)."""
        return self._active_where(team_id, AlertSubscriptionRow.creator_id == creator_id)

    def _active_where(self, team_id: str, condition: Any) -> list[AlertSubscription]:
        pause = aliased(AlertPostRow)
        query = (
            select(AlertSubscriptionRow, pause)
            .outerjoin(
                pause,
                and_(pause.subscription_id == AlertSubscriptionRow.id, pause.event_key == PAUSED),
            )
            .where(
                AlertSubscriptionRow.team_id == team_id,
                condition,
                AlertSubscriptionRow.active.is_(True),
            )
            .order_by(AlertSubscriptionRow.id)
        )
        with Session(self.engine) as session:
            return [_subscription(sub, paused) for sub, paused in session.execute(query)]

    def get(self, subscription_id: int) -> AlertSubscription | None:
        """An active alert by number."""
        with Session(self.engine) as session:
            row = session.get(AlertSubscriptionRow, subscription_id)
            return _subscription(row) if row is not None and row.active else None

    def active(self) -> list[AlertSubscription]:
        """The alerts to post: on and not paused."""
        query = select(AlertSubscriptionRow).where(
            AlertSubscriptionRow.active.is_(True), ~_IS_PAUSED
        )
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

    def pause(self, subscription_id: int, replica: str, now: datetime, why: str) -> bool:
        """Pause an alert Slack will not let us post; True only for the one replica whose
        record made the pause (it tells the creator), False when it was paused already."""
        return self._claims.settle(
            {
                "subscription_id": subscription_id,
                "event_key": PAUSED,
                "state": PAUSED,
                "claimed_by": replica,
                "lease_until": now,
                "attempts": 1,
                "created_at": now,
                "message_ts": why[:32],
            }
        )

    def resume(self, subscription_id: int, team_id: str, channel_id: str) -> bool | None:
        """Resume a paused alert, only from its channel: True when it was paused, False when it
        was not, None when there is no such alert (on) in this channel."""
        with Session(self.engine) as session, session.begin():
            found = session.scalar(
                select(AlertSubscriptionRow.id).where(
                    AlertSubscriptionRow.id == subscription_id,
                    AlertSubscriptionRow.team_id == team_id,
                    AlertSubscriptionRow.channel_id == channel_id,
                    AlertSubscriptionRow.active.is_(True),
                )
            )
            if found is None:
                return None
            result = session.execute(
                delete(AlertPostRow).where(
                    AlertPostRow.subscription_id == subscription_id,
                    AlertPostRow.event_key == PAUSED,
                )
            )
            return bool(getattr(result, "rowcount", 0))

    # Post records

    def claim(
        self, wanted: Sequence[tuple[int, str]], replica: str, now: datetime, lease: timedelta
    ) -> list[AlertPost]:
        """Claim (subscription, event key) pairs nobody has; return the ones we got."""
        records = [
            {"subscription_id": sub, "event_key": key, "created_at": now} for sub, key in wanted
        ]
        return [_post(r) for r in self._claims.claim(records, replica, now, lease)]

    def expired(self, now: datetime, since: datetime) -> list[AlertPost]:
        return [_post(r) for r in self._claims.expired(now, AlertPostRow.created_at >= since)]

    def take_over(
        self, post_id: int, replica: str, now: datetime, lease: timedelta
    ) -> AlertPost | None:
        row = self._claims.take_over(post_id, replica, now, lease)
        return _post(row) if row is not None else None

    def renew(self, post_id: int, replica: str, now: datetime, lease: timedelta) -> bool:
        """Extend our unexpired claim right before posting; False if it ran out or was taken,
        so a survivor can take an alert over only after its claimer was silent a whole lease."""
        return self._claims.renew(post_id, replica, now, lease)

    def finish(self, post_id: int, replica: str, state: str, message_ts: str | None = None) -> bool:
        return self._claims.finish(post_id, replica, state, message_ts=message_ts)

    def posts(self) -> list[AlertPost]:
        with Session(self.engine) as session:
            return [
                _post(r)
                for r in session.scalars(
                    select(AlertPostRow)
                    .where(AlertPostRow.event_key != PAUSED)
                    .order_by(AlertPostRow.id)
                )
            ]
