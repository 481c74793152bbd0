"""The digest store, the same tests on SQLite and PostgreSQL: subscriptions, claims, leases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import inspect

from bot.db.database import driver_url, migrate, open_engine
from bot.digest.schedule import Kind, Schedule
from bot.digest.store import DigestStore, NewSubscription, PostState, SlotClaim
from bot.errors import ConfigError

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
SLOT = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def new(channel: str = "C1", team: str = "T1", kind: Kind = Kind.DAILY) -> NewSubscription:
    weekday = 0 if kind is Kind.WEEKLY else None
    return NewSubscription(
        team_id=team,
        channel_id=channel,
        creator_id="U1",
        schedule=Schedule(kind, time(9, 0), "Europe/Berlin", weekday),
        request_text="stream:livetest",
    )


@pytest.mark.parametrize(
    ("operator", "driver"),
    [
        ("postgresql://root@127.0.0.1:5432/test", "postgresql+psycopg://root@127.0.0.1:5432/test"),
        ("postgres://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:///var/lib/recbot.sqlite3", "sqlite+pysqlite:///var/lib/recbot.sqlite3"),
    ],
)
def test_operator_urls_get_our_drivers(operator: str, driver: str) -> None:
    assert driver_url(operator).render_as_string(hide_password=False) == driver


@pytest.mark.parametrize("bad", ["mysql://x@y/z", "not a url"])
def test_unsupported_urls_are_config_errors(bad: str) -> None:
    with pytest.raises(ConfigError, match="RECBOT_DATABASE_URL"):
        driver_url(bad)


def test_subscriptions_round_trip_with_zone_and_time(store: DigestStore) -> None:
    made = store.add_subscription(new(kind=Kind.WEEKLY), NOW)
    got = store.get_subscription(made.id)
    assert got == made
    assert got.schedule == Schedule(Kind.WEEKLY, time(9, 0), "Europe/Berlin", 0)
    assert got.created_at == NOW
    assert got.created_at.tzinfo is not None


def test_list_and_off_are_per_team(store: DigestStore) -> None:
    a = store.add_subscription(new("C1"), NOW)
    b = store.add_subscription(new("C2"), NOW)
    store.add_subscription(new("C9", team="T2"), NOW)
    assert [s.id for s in store.subscriptions_of("T1")] == [a.id, b.id]
    assert [s.id for s in store.subscriptions_of("T1", "C2")] == [b.id]
    assert not store.deactivate(a.id, "T2")  # another team cannot switch it off
    assert store.deactivate(a.id, "T1")
    assert not store.deactivate(a.id, "T1")  # already off
    assert [s.id for s in store.active_subscriptions()] == [b.id, b.id + 1]


def test_a_slot_is_claimed_once(store: DigestStore) -> None:
    sub = store.add_subscription(new(), NOW)
    wanted = [SlotClaim(sub.id, SLOT, late=False)]
    first = store.claim(wanted, "r1", NOW, LEASE)
    assert [(p.subscription_id, p.slot, p.state) for p in first] == [
        (sub.id, SLOT, PostState.CLAIMED)
    ]
    assert store.claim(wanted, "r2", NOW, LEASE) == []
    assert store.claim(wanted, "r1", NOW, LEASE) == []


def test_concurrent_claims_hand_each_slot_to_exactly_one_claimer(store: DigestStore) -> None:
    subs = [store.add_subscription(new(f"C{i}"), NOW) for i in range(30)]
    wanted = [SlotClaim(s.id, SLOT, late=False) for s in subs]
    won: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        barrier.wait()
        got: list[int] = []
        for start in range(0, 30, 5):
            got += [
                p.subscription_id for p in store.claim(wanted[start : start + 5], name, NOW, LEASE)
            ]
        won[name] = got

    threads = [threading.Thread(target=claimer, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [sid for got in won.values() for sid in got]
    assert sorted(every) == sorted(s.id for s in subs)


def test_expired_lease_can_be_taken_over_once(store: DigestStore) -> None:
    sub = store.add_subscription(new(), NOW)
    (post,) = store.claim([SlotClaim(sub.id, SLOT, late=False)], "dead", NOW, LEASE)
    assert store.take_over(post.id, "r2", NOW + LEASE / 2, LEASE, late=False) is None
    later = NOW + LEASE * 2
    taken = store.take_over(post.id, "r2", later, LEASE, late=True)
    assert taken is not None
    assert (taken.claimed_by, taken.attempts, taken.late) == ("r2", 2, True)
    assert store.take_over(post.id, "r3", later, LEASE, late=True) is None
    # The dead claimer wakes up: its record is refused, it lost the slot.
    assert not store.finish(post.id, "dead", PostState.POSTED, now=later, message_ts="1.1")
    assert store.finish(post.id, "r2", PostState.POSTED, now=later, message_ts="1.2")
    (final,) = store.posts_of(sub.id)
    assert (final.state, final.message_ts) == (PostState.POSTED, "1.2")
    assert store.take_over(post.id, "r3", later + LEASE * 9, LEASE, late=True) is None


def test_skip_is_recorded_once_and_never_over_a_claim(store: DigestStore) -> None:
    sub = store.add_subscription(new(), NOW)
    assert store.skip(sub.id, SLOT, "r1", NOW, "missed by 7 h")
    assert not store.skip(sub.id, SLOT, "r2", NOW, "missed by 7 h")
    other = SLOT - timedelta(days=1)
    store.claim([SlotClaim(sub.id, other, late=False)], "r1", NOW, LEASE)
    assert not store.skip(sub.id, other, "r2", NOW, "x")
    states = {p.slot: p.state for p in store.posts_of(sub.id)}
    assert states == {SLOT: PostState.SKIPPED, other: PostState.CLAIMED}


def test_posts_since_returns_aware_slots(store: DigestStore) -> None:
    sub = store.add_subscription(new(), NOW)
    store.claim([SlotClaim(sub.id, SLOT, late=True)], "r1", NOW, LEASE)
    (post,) = store.posts_since(SLOT - timedelta(hours=1))
    assert post.slot == SLOT
    assert post.late
    assert store.posts_since(SLOT + timedelta(seconds=1)) == []


def test_data_survives_a_restart(database_url: str) -> None:
    first = open_engine(database_url)
    migrate(first)
    made = DigestStore(first).add_subscription(new(), NOW)
    first.dispose()
    second = open_engine(database_url)
    migrate(second)  # a second start migrates nothing and loses nothing
    assert DigestStore(second).get_subscription(made.id) == made
    second.dispose()


def test_replicas_migrating_at_once_do_not_race(database_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        engine = open_engine(database_url)
        try:
            barrier.wait()
            migrate(engine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = open_engine(database_url)
    assert {"digest_subscriptions", "digest_posts"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_a_claim_is_renewed_only_by_its_holder_before_it_runs_out(store: DigestStore) -> None:
    sub = store.add_subscription(new(), NOW)
    (post,) = store.claim([SlotClaim(sub.id, SLOT, late=False)], "r1", NOW, LEASE)
    assert not store.renew(post.id, "r2", NOW, LEASE)
    assert store.renew(post.id, "r1", NOW + LEASE, LEASE)  # at the last instant
    (renewed,) = store.posts_of(sub.id)
    assert renewed.lease_until == NOW + 2 * LEASE
    assert not store.renew(post.id, "r1", NOW + 2 * LEASE + timedelta(seconds=1), LEASE)
