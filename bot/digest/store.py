"""Digest subscriptions and per-slot delivery records in SQLAlchemy 2 (SQLite or PostgreSQL).

Exactly-once rests on one rule: a row in `digest_posts` is unique per (subscription, slot),
and whoever inserts it (or takes over its expired lease) is the only one allowed to post.
The claim, takeover, renewal and outcome are `bot.db.claims.ClaimTable`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db.base import Base, UTCDateTime, dialect_insert
from bot.db.claims import ClaimTable
from bot.digest.schedule import Kind, Schedule


class SubscriptionRow(Base):
    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    creator_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM" in `tz`
    tz: Mapped[str] = mapped_column(String(64))
    request_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class PostState(StrEnum):
    CLAIMED = "claimed"  # someone holds the lease and may be posting right now
    POSTED = "posted"
    SKIPPED = "skipped"  # missed by more than the late limit, or abandoned
    FAILED = "failed"  # Slack refused the post (e.g. not_in_channel); not retried


class PostRow(Base):
    __tablename__ = "digest_posts"
    __table_args__ = (UniqueConstraint("subscription_id", "slot", name="uq_digest_post_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE")
    )
    slot: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[str] = mapped_column(String(10))
    claimed_by: Mapped[str] = mapped_column(String(80))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class NewSubscription:
    team_id: str
    channel_id: str
    creator_id: str
    schedule: Schedule
    request_text: str


@dataclass(frozen=True)
class SubscriptionLimits:
    """Most active digests one channel, and one person across channels, may have."""

    per_channel: int
    per_user: int


class LimitReached(Exception):
    """`add_subscription` refused: `scope` ("channel" or "user") already has `limit`."""

    def __init__(self, scope: str, limit: int) -> None:
        super().__init__(f"{scope} limit {limit} reached")
        self.scope = scope
        self.limit = limit


# pg_advisory_xact_lock(namespace, hashtext(team)): subscriptions of one team are added one at
# a time across replicas (the migration lock uses the one-bigint key space, which is separate).
_SUBSCRIBE_LOCK_NAMESPACE = 0x7265_6362  # "recb"


@dataclass(frozen=True)
class Subscription:
    id: int
    team_id: str
    channel_id: str
    creator_id: str
    schedule: Schedule
    request_text: str
    created_at: datetime
    active: bool


@dataclass(frozen=True)
class Post:
    """One (subscription, slot) delivery record."""

    id: int
    subscription_id: int
    slot: datetime
    state: PostState
    claimed_by: str
    lease_until: datetime
    attempts: int
    late: bool
    message_ts: str | None


@dataclass(frozen=True)
class SlotClaim:
    """What the scheduler wants to claim: post this subscription's slot (late or on time)."""

    subscription_id: int
    slot: datetime
    late: bool


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        creator_id=row.creator_id,
        schedule=Schedule(
            kind=Kind(row.kind),
            at=time.fromisoformat(row.local_time),
            tz=row.tz,
            weekday=row.weekday,
        ),
        request_text=row.request_text,
        created_at=row.created_at,
        active=row.active,
    )


def _post(row: PostRow) -> Post:
    return Post(
        id=row.id,
        subscription_id=row.subscription_id,
        slot=row.slot,
        state=PostState(row.state),
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        attempts=row.attempts,
        late=row.late,
        message_ts=row.message_ts,
    )


class DigestStore:
    """Every read and write of digest state. Each method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._claims = ClaimTable(engine, PostRow, ("subscription_id", "slot"))

    # Subscriptions

    def add_subscription(
        self, new: NewSubscription, now: datetime, limits: SubscriptionLimits | None = None
    ) -> Subscription:
        """Insert a subscription; with `limits`, only if neither its channel nor its creator
        is at the limit (else LimitReached), decided atomically across replicas.

        The count and the insert are one INSERT … SELECT … WHERE count < limit. SQLite runs a
        writing statement under the database's single write lock, on the newest data; on
        PostgreSQL a transaction lock per team makes concurrent subscribes take turns (under
        READ COMMITTED each INSERT then sees the rows committed before it).
        """
        if limits is None:
            return self._add_unlimited(new, now)
        values = self._row_values(new, now)
        active = SubscriptionRow.active.is_(True)
        same_team = SubscriptionRow.team_id == new.team_id
        in_channel = (
            select(func.count())
            .select_from(SubscriptionRow)
            .where(same_team, active, SubscriptionRow.channel_id == new.channel_id)
            .scalar_subquery()
        )
        by_creator = (
            select(func.count())
            .select_from(SubscriptionRow)
            .where(same_team, active, SubscriptionRow.creator_id == new.creator_id)
            .scalar_subquery()
        )
        columns = list(values)
        table = SubscriptionRow.__table__.c
        guarded = select(*(literal(values[c], table[c].type) for c in columns)).where(
            in_channel < limits.per_channel, by_creator < limits.per_user
        )
        statement = (
            dialect_insert(self.engine)(SubscriptionRow)
            .from_select(columns, guarded)
            .returning(SubscriptionRow.id)
        )
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:team))"),
                    {"namespace": _SUBSCRIBE_LOCK_NAMESPACE, "team": new.team_id},
                )
            new_id = session.scalars(statement).first()
            if new_id is None:
                channel_count = session.scalar(select(in_channel))
                if channel_count is not None and channel_count >= limits.per_channel:
                    raise LimitReached("channel", limits.per_channel)
                raise LimitReached("user", limits.per_user)
            row = session.get(SubscriptionRow, new_id)
            assert row is not None
            return _subscription(row)

    @staticmethod
    def _row_values(new: NewSubscription, now: datetime) -> dict[str, Any]:
        return {
            "team_id": new.team_id,
            "channel_id": new.channel_id,
            "creator_id": new.creator_id,
            "kind": new.schedule.kind.value,
            "weekday": new.schedule.weekday,
            "local_time": f"{new.schedule.at:%H:%M}",
            "tz": new.schedule.tz,
            "request_text": new.request_text,
            "created_at": now,
            "active": True,
        }

    def _add_unlimited(self, new: NewSubscription, now: datetime) -> Subscription:
        row = SubscriptionRow(
            team_id=new.team_id,
            channel_id=new.channel_id,
            creator_id=new.creator_id,
            kind=new.schedule.kind.value,
            weekday=new.schedule.weekday,
            local_time=f"{new.schedule.at:%H:%M}",
            tz=new.schedule.tz,
            request_text=new.request_text,
            created_at=now,
            active=True,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return _subscription(row)

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        with Session(self.engine) as session:
            row = session.get(SubscriptionRow, subscription_id)
            return _subscription(row) if row is not None else None

    def subscriptions_of(self, team_id: str, channel_id: str | None = None) -> list[Subscription]:
        """Active subscriptions of a team (or one of its channels), oldest first."""
        query = select(SubscriptionRow).where(
            SubscriptionRow.team_id == team_id, SubscriptionRow.active.is_(True)
        )
        if channel_id is not None:
            query = query.where(SubscriptionRow.channel_id == channel_id)
        with Session(self.engine) as session:
            return [_subscription(r) for r in session.scalars(query.order_by(SubscriptionRow.id))]

    def active_subscriptions(self) -> list[Subscription]:
        query = select(SubscriptionRow).where(SubscriptionRow.active.is_(True))
        with Session(self.engine) as session:
            return [_subscription(r) for r in session.scalars(query.order_by(SubscriptionRow.id))]

    def deactivate(self, subscription_id: int, team_id: str) -> bool:
        """Turn a subscription off; False when the team has no such active subscription."""
        return self._switch(subscription_id, team_id, active=False)

    def resume(self, subscription_id: int, team_id: str) -> bool:
        """Turn a turned-off subscription back on; False when it is not off (or not the
        team's). One UPDATE, so of two people resuming at once exactly one gets True."""
        return self._switch(subscription_id, team_id, active=True)

    def _switch(self, subscription_id: int, team_id: str, *, active: bool) -> bool:
        """Set `active` where it is not yet so: True when this call changed it."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(SubscriptionRow)
                .where(
                    SubscriptionRow.id == subscription_id,
                    SubscriptionRow.team_id == team_id,
                    SubscriptionRow.active.is_(not active),
                )
                .values(active=active)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    def inactive_of(self, team_id: str, creator_id: str, limit: int = 50) -> list[Subscription]:
        """A person's turned-off subscriptions, newest first."""
        query = (
            select(SubscriptionRow)
            .where(
                SubscriptionRow.team_id == team_id,
                SubscriptionRow.creator_id == creator_id,
                SubscriptionRow.active.is_(False),
            )
            .order_by(SubscriptionRow.id.desc())
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [_subscription(r) for r in session.scalars(query)]

    def last_failure(self, subscription_id: int) -> str | None:
        """Slack's error code when the subscription's latest delivery record is a refused
        post (what a pause leaves behind), else None."""
        query = (
            select(PostRow.state, PostRow.detail)
            .where(PostRow.subscription_id == subscription_id)
            .order_by(PostRow.slot.desc(), PostRow.id.desc())
            .limit(1)
        )
        with Session(self.engine) as session:
            row = session.execute(query).first()
        if row is None or row.state != PostState.FAILED.value:
            return None
        return str(row.detail or "")

    # Delivery records

    def posts_since(self, oldest_slot: datetime) -> list[Post]:
        query = select(PostRow).where(PostRow.slot >= oldest_slot)
        with Session(self.engine) as session:
            return [_post(r) for r in session.scalars(query)]

    def claim(
        self, wanted: Sequence[SlotClaim], replica: str, now: datetime, lease: timedelta
    ) -> list[Post]:
        """Claim each wanted slot nobody has yet; return the ones we got (one INSERT: ON
        CONFLICT DO NOTHING skips slots another replica claimed first)."""
        records = [
            {"subscription_id": w.subscription_id, "slot": w.slot, "late": w.late} for w in wanted
        ]
        return [_post(r) for r in self._claims.claim(records, replica, now, lease)]

    def take_over(
        self, post_id: int, replica: str, now: datetime, lease: timedelta, *, late: bool
    ) -> Post | None:
        """Take a claimed slot whose lease expired (its claimer died); None if someone else did."""
        row = self._claims.take_over(post_id, replica, now, lease, late=late)
        return _post(row) if row is not None else None

    def renew(self, post_id: int, replica: str, now: datetime, lease: timedelta) -> bool:
        """Extend our unexpired claim just before posting; False if it ran out or was taken
        (`ClaimTable.renew`)."""
        return self._claims.renew(post_id, replica, now, lease)

    def finish(
        self,
        post_id: int,
        replica: str,
        state: PostState,
        *,
        now: datetime,
        message_ts: str | None = None,
        detail: str | None = None,
    ) -> bool:
        """Record the outcome of a claim we hold; False if we had lost it (lease taken over)."""
        return self._claims.finish(
            post_id, replica, state.value, message_ts=message_ts, finished_at=now, detail=detail
        )

    def skip(
        self, subscription_id: int, slot: datetime, replica: str, now: datetime, reason: str
    ) -> bool:
        """Mark a slot skipped unless someone already settled it; True if this call did."""
        return self._claims.settle(
            {
                "subscription_id": subscription_id,
                "slot": slot,
                "state": PostState.SKIPPED.value,
                "claimed_by": replica,
                "lease_until": now,
                "attempts": 0,
                "late": True,
                "finished_at": now,
                "detail": reason,
            }
        )

    def skip_abandoned(self, post_id: int, replica: str, now: datetime, reason: str) -> bool:
        """Give up a claimed slot whose claimer died long ago (past the late limit)."""
        return self._claims.abandon(
            post_id,
            now,
            PostState.SKIPPED.value,
            claimed_by=replica,
            finished_at=now,
            detail=reason,
        )

    def posts_of(self, subscription_id: int) -> list[Post]:
        query = select(PostRow).where(PostRow.subscription_id == subscription_id)
        with Session(self.engine) as session:
            return [_post(r) for r in session.scalars(query.order_by(PostRow.slot))]
