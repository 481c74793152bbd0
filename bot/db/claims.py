"""Exactly-once records under a lease: the one rule digests and alerts post by.

A record is unique per key (a subscription and its slot, or its event). Whoever inserts it
(claim: INSERT … ON CONFLICT DO NOTHING RETURNING) holds it until its lease runs out; only
the holder may renew or finish it, and anyone may take over a claim whose lease ran out (its
claimer died). Each is one statement in one short transaction, on SQLite or PostgreSQL, so of
two replicas racing for a key or for a takeover exactly one wins.

The table is the caller's (it has `id`, `state`, `claimed_by`, `lease_until` and `attempts`
columns and a unique constraint over the key); rows come back loaded and detached, for the
caller's own record type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Engine, select, update
from sqlalchemy.orm import DeclarativeBase, Session

from bot.db.base import dialect_insert

CLAIMED = "claimed"  # the state of a record someone holds the lease of

Row = TypeVar("Row", bound=DeclarativeBase)


class ClaimTable(Generic[Row]):
    """Claims, takeovers, renewals and outcomes of the records in one table."""

    def __init__(self, engine: Engine, row: type[Row], key: Sequence[str]) -> None:
        self.engine = engine
        self.row = row
        self.key = list(key)  # the columns of the table's unique constraint
        self._insert = dialect_insert(engine)
        self._c = row.__table__.c

    def claim(
        self, records: Sequence[Mapping[str, Any]], replica: str, now: datetime, lease: timedelta
    ) -> list[Row]:
        """Insert a claimed record for each of `records` (its key columns and any others)
        that nobody has yet; return the ones we got."""
        if not records:
            return []
        held = {"state": CLAIMED, "claimed_by": replica, "lease_until": now + lease, "attempts": 1}
        return list(self._first_wins([{**r, **held} for r in records], self.row))

    def settle(self, values: Mapping[str, Any]) -> bool:
        """Insert a record that holds no lease (already settled) unless its key has one;
        True only for the one caller whose record it is."""
        return bool(self._first_wins([values], self._c.id))

    def _first_wins(self, values: Sequence[Mapping[str, Any]], returning: Any) -> Any:
        """INSERT these records; only the ones nobody made before come back."""
        statement = (
            self._insert(self.row)
            .values(values)
            .on_conflict_do_nothing(index_elements=self.key)
            .returning(returning)
        )
        with self._session() as session, session.begin():
            return session.scalars(statement).all()

    def expired(self, now: datetime, *where: ColumnElement[bool]) -> list[Row]:
        """Claims whose lease ran out (and that meet `where`)."""
        query = select(self.row).where(*self._lapsed(now), *where)
        with self._session() as session:
            return list(session.scalars(query))

    def take_over(
        self, record_id: int, replica: str, now: datetime, lease: timedelta, **values: Any
    ) -> Row | None:
        """Take a claim whose lease ran out (setting `values` too); None if someone else did."""
        with self._session() as session, session.begin():
            return session.scalars(
                update(self.row)
                .where(self._c.id == record_id, *self._lapsed(now))
                .values(
                    claimed_by=replica,
                    lease_until=now + lease,
                    attempts=self._c.attempts + 1,
                    **values,
                )
                .returning(self.row)
            ).one_or_none()

    def abandon(self, record_id: int, now: datetime, state: str, **values: Any) -> bool:
        """Settle a claim whose lease ran out without taking it (its claimer died long ago);
        False if someone else took or settled it first."""
        return self._update((self._c.id == record_id, *self._lapsed(now)), state=state, **values)

    def renew(self, record_id: int, replica: str, now: datetime, lease: timedelta) -> bool:
        """Extend our unexpired claim right before posting; False if it ran out or was taken.

        Posting only after a successful renewal means a survivor can take a record over only
        when its claimer has been silent for a whole lease, not merely slow to get its turn.
        """
        held = (*self._held(record_id, replica), self._c.lease_until >= now)
        return self._update(held, lease_until=now + lease)

    def finish(self, record_id: int, replica: str, state: str, **values: Any) -> bool:
        """Record the outcome of a claim we hold; False if we had lost it (taken over)."""
        return self._update(self._held(record_id, replica), state=state, **values)

    def _held(self, record_id: int, replica: str) -> tuple[ColumnElement[bool], ...]:
        c = self._c
        return (c.id == record_id, c.claimed_by == replica, c.state == CLAIMED)

    def _lapsed(self, now: datetime) -> tuple[ColumnElement[bool], ...]:
        return (self._c.state == CLAIMED, self._c.lease_until < now)

    def _update(self, where: Sequence[ColumnElement[bool]], **values: Any) -> bool:
        """One UPDATE of the record `where` picks: True when this call changed it."""
        with self._session() as session, session.begin():
            result = session.execute(update(self.row).where(*where).values(**values))
            return bool(getattr(result, "rowcount", 0) == 1)

    def _session(self) -> Session:
        # Rows read here are handed out after the transaction: keep their loaded values.
        return Session(self.engine, expire_on_commit=False)
