"""The per-channel (20) and per-user digest limits hold under concurrency and across replicas:
40 `digest daily …` at once, through two stores on separate engines (as two replicas would
have), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.db.database import open_engine
from bot.digest.commands import MAX_PER_CHANNEL, MAX_PER_USER, SlackDigests
from bot.digest.store import DigestStore
from bot.errors import ParseError

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
TEAM = "T0LIMITS"
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def replicas(engine: Engine, database_url: str) -> Iterator[tuple[SlackDigests, SlackDigests]]:
    other = open_engine(database_url)  # a second pool on the same database: another replica
    first = SlackDigests(DigestStore(engine), TEAM, clock=lambda: NOW)
    second = SlackDigests(DigestStore(other), TEAM, clock=lambda: NOW)
    yield first, second
    other.dispose()


def subscribe_at_once(
    replicas: tuple[SlackDigests, SlackDigests], commands: list[tuple[str, str]]
) -> tuple[int, list[str]]:
    """Run (user, channel) subscriptions all at once, alternating replicas; (accepted,
    refusal messages)."""
    start = threading.Barrier(len(commands))

    def one(index: int) -> str | None:
        user, channel = commands[index]
        start.wait()
        try:
            replicas[index % 2].handle(f"daily 09:{index % 60:02d}", user, channel, UTC_ZONE)
        except ParseError as error:
            return error.user_message
        return None

    with ThreadPoolExecutor(len(commands)) as pool:
        outcomes = list(pool.map(one, range(len(commands))))
    refusals = [o for o in outcomes if o is not None]
    return len(outcomes) - len(refusals), refusals


def test_forty_concurrent_subscriptions_leave_twenty_in_the_channel(
    replicas: tuple[SlackDigests, SlackDigests],
) -> None:
    users = [f"U{i:03d}" for i in range(40)]
    accepted, refusals = subscribe_at_once(replicas, [(u, "CBUSY") for u in users])
    assert accepted == MAX_PER_CHANNEL
    assert len(replicas[0].store.subscriptions_of(TEAM, "CBUSY")) == MAX_PER_CHANNEL
    assert all(f"already has {MAX_PER_CHANNEL} digests" in r for r in refusals)


def test_one_user_is_limited_across_channels(
    replicas: tuple[SlackDigests, SlackDigests],
) -> None:
    channels = [f"C{i:03d}" for i in range(MAX_PER_USER + 10)]
    accepted, refusals = subscribe_at_once(replicas, [("UHOARDER", c) for c in channels])
    assert accepted == MAX_PER_USER
    mine = [s for s in replicas[0].store.subscriptions_of(TEAM) if s.creator_id == "UHOARDER"]
    assert len(mine) == MAX_PER_USER
    assert all(f"You already have {MAX_PER_USER} digests" in r for r in refusals)


def test_turning_one_off_makes_room_again(replicas: tuple[SlackDigests, SlackDigests]) -> None:
    first, _ = replicas
    for i in range(MAX_PER_CHANNEL):
        first.handle(f"daily 08:{i:02d}", f"U{i}", "CFULL", UTC_ZONE)
    with pytest.raises(ParseError, match="already has"):
        first.handle("daily 10:00", "UNEW", "CFULL", UTC_ZONE)
    oldest = first.store.subscriptions_of(TEAM, "CFULL")[0]
    first.handle(f"off {oldest.id}", oldest.creator_id, "CFULL", UTC_ZONE)
    first.handle("daily 10:00", "UNEW", "CFULL", UTC_ZONE)
    assert len(first.store.subscriptions_of(TEAM, "CFULL")) == MAX_PER_CHANNEL


def test_a_limited_subscription_reads_back_as_written(
    replicas: tuple[SlackDigests, SlackDigests],
) -> None:
    first, second = replicas
    first.handle("weekly fri 17:30 livetest", "UREAD", "CREAD", ZoneInfo("Asia/Tokyo"))
    [sub] = second.store.subscriptions_of(TEAM, "CREAD")
    assert (sub.creator_id, sub.request_text, sub.created_at) == ("UREAD", "livetest", NOW)
    assert (sub.schedule.weekday, f"{sub.schedule.at:%H:%M}", sub.schedule.tz) == (
        4,
        "17:30",
        "Asia/Tokyo",
    )
