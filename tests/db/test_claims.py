"""The exactly-once claim records (`bot.db.claims.ClaimTable`) on a table of their own, the
same tests on SQLite and PostgreSQL: one winner per key, takeover only after the lease ran
out, and a holder who lost its claim can neither renew nor finish it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import Engine, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bot.db.base import UTCDateTime
from bot.db.claims import CLAIMED, ClaimTable
from bot.db.database import open_engine

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
T = TypeVar("T")


class _Tables(DeclarativeBase):
    """A metadata of the tests' own, so the recbot schema (and its migrations) stay as they are."""


class JobRow(_Tables):
    __tablename__ = "claim_test_jobs"
    __table_args__ = (UniqueConstraint("owner", "item", name="uq_claim_test_job"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(10))
    claimed_by: Mapped[str] = mapped_column(String(80))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(String(32), nullable=True)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    _Tables.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def jobs(engine: Engine) -> ClaimTable[JobRow]:
    return ClaimTable(engine, JobRow, ("owner", "item"))


def job(item: str = "a", owner: str = "o1") -> dict[str, str]:
    return {"owner": owner, "item": item}


def claimed(jobs: ClaimTable[JobRow], replica: str, *items: str) -> JobRow:
    (row,) = jobs.claim([job(i) for i in items or ("a",)], replica, NOW, LEASE)
    return row


def stored(engine: Engine) -> list[tuple[int, str, str, str, str, int]]:
    """(id, item, state, claimed_by, note, attempts) of every record, as the table has it."""
    with Session(engine) as session:
        rows = session.scalars(select(JobRow).order_by(JobRow.id))
        return [(r.id, r.item, r.state, r.claimed_by, r.note or "", r.attempts) for r in rows]


def race(count: int, attempt: Callable[[int], T]) -> list[T]:
    """`attempt(i)` in `count` threads let go at once; their results in thread order."""
    barrier = threading.Barrier(count)
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = attempt(i)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return [results[i] for i in range(count)]


def test_a_claim_holds_a_lease_and_comes_back_readable(jobs: ClaimTable[JobRow]) -> None:
    row = claimed(jobs, "r1")
    # Read after its transaction ended: the returned row keeps what the INSERT wrote.
    assert (row.owner, row.item, row.state, row.claimed_by) == ("o1", "a", CLAIMED, "r1")
    assert (row.lease_until, row.attempts) == (NOW + LEASE, 1)


def test_a_key_is_claimed_once_and_others_in_the_batch_still_are(
    jobs: ClaimTable[JobRow],
) -> None:
    claimed(jobs, "r1", "a")
    got = jobs.claim([job("a"), job("b"), job("a", owner="o2")], "r2", NOW, LEASE)
    assert sorted((r.owner, r.item) for r in got) == [("o1", "b"), ("o2", "a")]
    assert jobs.claim([job("a")], "r1", NOW, LEASE) == []  # not even its own claimer again
    assert jobs.claim([], "r1", NOW, LEASE) == []


def test_claimers_racing_for_the_same_keys_each_key_has_one_winner(
    jobs: ClaimTable[JobRow],
) -> None:
    items = [f"k{i}" for i in range(12)]
    won = race(6, lambda i: jobs.claim([job(k) for k in items], f"r{i}", NOW, LEASE))
    every = sorted(r.item for rows in won for r in rows)
    assert every == sorted(items)  # each key exactly once, none lost, none doubled
    for replica, rows in enumerate(won):
        assert {r.claimed_by for r in rows} <= {f"r{replica}"}


def test_take_over_only_after_the_lease_ran_out(jobs: ClaimTable[JobRow]) -> None:
    row = claimed(jobs, "dead")
    assert jobs.take_over(row.id, "r2", NOW + LEASE / 2, LEASE) is None
    assert jobs.take_over(row.id, "r2", NOW + LEASE, LEASE) is None  # the lease's last instant
    later = NOW + LEASE + timedelta(seconds=1)
    taken = jobs.take_over(row.id, "r2", later, LEASE, note="recovered")
    assert taken is not None
    assert (taken.id, taken.claimed_by, taken.attempts) == (row.id, "r2", 2)
    assert (taken.lease_until, taken.note, taken.state) == (later + LEASE, "recovered", CLAIMED)
    assert jobs.take_over(row.id, "r3", later, LEASE) is None  # r2's lease runs now


def test_replicas_racing_to_take_over_one_claim_one_wins(jobs: ClaimTable[JobRow]) -> None:
    row = claimed(jobs, "dead")
    later = NOW + 2 * LEASE
    taken = race(5, lambda i: jobs.take_over(row.id, f"r{i}", later, LEASE))
    winners = [t for t in taken if t is not None]
    assert len(winners) == 1
    assert winners[0].attempts == 2


def test_renew_fails_after_a_takeover_and_after_the_lease_ran_out(
    jobs: ClaimTable[JobRow],
) -> None:
    row = claimed(jobs, "r1")
    assert not jobs.renew(row.id, "r2", NOW, LEASE)  # not its claim
    assert jobs.renew(row.id, "r1", NOW + LEASE, LEASE)  # at the last instant
    assert not jobs.renew(row.id, "r1", NOW + 2 * LEASE + timedelta(seconds=1), LEASE)
    later = NOW + 3 * LEASE
    assert jobs.take_over(row.id, "r2", later, LEASE) is not None
    assert not jobs.renew(row.id, "r1", later, LEASE)  # the slow holder lost it
    assert jobs.renew(row.id, "r2", later, LEASE)


def test_only_the_holder_finishes_once_and_then_nobody_takes_it(
    engine: Engine, jobs: ClaimTable[JobRow]
) -> None:
    row = claimed(jobs, "dead")
    later = NOW + 2 * LEASE
    assert jobs.take_over(row.id, "r2", later, LEASE) is not None
    assert not jobs.finish(row.id, "dead", "posted", note="1.1")  # it woke up too late
    assert jobs.finish(row.id, "r2", "posted", note="1.2")
    assert not jobs.finish(row.id, "r2", "failed")  # settled already
    assert not jobs.renew(row.id, "r2", later, LEASE)
    assert jobs.take_over(row.id, "r3", later + 10 * LEASE, LEASE) is None
    assert stored(engine) == [(row.id, "a", "posted", "r2", "1.2", 2)]


def test_expired_lists_lapsed_claims_only(jobs: ClaimTable[JobRow]) -> None:
    lapsed = claimed(jobs, "dead", "a")
    fresh = jobs.claim([job("b")], "r1", NOW + LEASE, LEASE)[0]
    done = claimed(jobs, "r1", "c")
    assert jobs.finish(done.id, "r1", "posted")
    later = NOW + LEASE + timedelta(seconds=1)
    assert [r.id for r in jobs.expired(later)] == [lapsed.id]
    assert jobs.expired(later, JobRow.owner == "o2") == []
    assert {r.id for r in jobs.expired(later + 2 * LEASE)} == {lapsed.id, fresh.id}


def test_settle_records_once_and_never_over_a_claim(
    engine: Engine, jobs: ClaimTable[JobRow]
) -> None:
    settled = {**job("a"), "state": "skipped", "claimed_by": "r1", "lease_until": NOW}
    assert jobs.settle(settled)
    assert not jobs.settle({**settled, "claimed_by": "r2"})
    assert jobs.claim([job("a")], "r3", NOW, LEASE) == []  # settled: nobody claims it
    claimed(jobs, "r1", "b")
    assert not jobs.settle({**settled, "item": "b"})
    (a, _, a_state, *_), (b, _, b_state, *_) = stored(engine)
    assert (a_state, b_state) == ("skipped", CLAIMED)
    assert jobs.take_over(a, "r4", NOW + 9 * LEASE, LEASE) is None  # settled: no lease to lapse
    assert jobs.take_over(b, "r4", NOW + 9 * LEASE, LEASE) is not None


def test_abandon_settles_a_lapsed_claim_only(engine: Engine, jobs: ClaimTable[JobRow]) -> None:
    row = claimed(jobs, "dead")
    assert not jobs.abandon(row.id, NOW + LEASE / 2, "skipped", note="too late")
    later = NOW + 2 * LEASE
    assert jobs.abandon(row.id, later, "skipped", claimed_by="r2", note="too late")
    assert not jobs.abandon(row.id, later, "skipped")
    assert jobs.take_over(row.id, "r3", later, LEASE) is None
    assert stored(engine) == [(row.id, "a", "skipped", "r2", "too late", 1)]
