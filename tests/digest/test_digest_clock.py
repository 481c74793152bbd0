"""The scheduler thread under a controlled clock (time-machine moves the process's clock, the
CSS simulator's and the SDK's alike): digests go out at the DST-correct instant, once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path

import pytest
import time_machine
from slack_sdk import WebClient

from bot.config import Settings
from bot.css.client import open_source
from bot.css.simulator import Simulator
from bot.digest.delivery import DigestPoster, LocalChannelPacer
from bot.digest.schedule import Kind, Schedule
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import DigestStore, NewSubscription, PostState
from tests.support.slack_api import SlackStandIn


def wait_for_posts(slack: SlackStandIn, store: DigestStore, count: int) -> None:
    """Until `count` digests were posted and recorded (recording follows Slack's answer)."""
    deadline = time.monotonic() + 15
    while (
        len(slack.ok_calls("chat.postMessage")) < count
        or sum(
            1
            for p in store.posts_since(datetime(2000, 1, 1, tzinfo=UTC))
            if p.state is PostState.POSTED
        )
        < count
    ):
        assert time.monotonic() < deadline, f"no post #{count}"
        time.sleep(0.02)  # polling a condition with a deadline


@pytest.mark.parametrize(
    ("tz", "at", "slot_utc", "ghost_utc"),
    [
        # Spring forward: 02:30 does not exist; posted at 03:00 EDT (07:00 UTC).
        ("America/New_York", "02:30", datetime(2026, 3, 8, 7, 0, tzinfo=UTC), None),
        ("Europe/Berlin", "02:30", datetime(2026, 3, 29, 1, 0, tzinfo=UTC), None),
        # Fall back: 01:30 happens twice; posted at the first, not again at the second.
        (
            "America/New_York",
            "01:30",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        ),
        (
            "Europe/Berlin",
            "02:30",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        ),
        ("Asia/Tokyo", "09:00", datetime(2026, 3, 8, 0, 0, tzinfo=UTC), None),
        ("Asia/Kathmandu", "09:00", datetime(2026, 3, 8, 3, 15, tzinfo=UTC), None),
    ],
)
def test_the_running_scheduler_posts_at_the_dst_correct_instant_once(
    tmp_path: Path,
    slack: SlackStandIn,
    tz: str,
    at: str,
    slot_utc: datetime,
    ghost_utc: datetime | None,
) -> None:
    from bot.db.database import migrate, open_engine

    engine = open_engine(f"sqlite:///{tmp_path}/clock.sqlite3")
    migrate(engine)
    store = DigestStore(engine)
    schedule = Schedule(Kind.DAILY, wall.fromisoformat(at), tz)
    sub = store.add_subscription(
        NewSubscription("T1", "C1", "U1", schedule, ""), slot_utc - timedelta(hours=12)
    )
    with (
        time_machine.travel(slot_utc - timedelta(seconds=1.5), tick=True) as traveller,
        Simulator(count=60) as sim,
        open_source(Settings(), simulator=sim) as source,
    ):
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        scheduler = DigestScheduler(
            store,
            source,
            DigestPoster(client, LocalChannelPacer()),
            tick_s=0.05,
            lease=timedelta(seconds=30),
        ).start()
        try:
            wait_for_posts(slack, store, 1)
            (post,) = store.posts_of(sub.id)
            assert post.slot == slot_utc
            assert post.state is PostState.POSTED
            assert not post.late
            if ghost_utc is not None:
                # A sentinel due at the second occurrence shows the scheduler passed it.
                sentinel = Schedule(Kind.DAILY, ghost_utc.time(), "UTC")
                store.add_subscription(
                    NewSubscription("T1", "C2", "U1", sentinel, ""), ghost_utc - timedelta(hours=1)
                )
                traveller.move_to(ghost_utc - timedelta(seconds=0.5))
                wait_for_posts(slack, store, 2)
                assert [c.channel for c in slack.ok_calls("chat.postMessage")] == ["C1", "C2"]
                assert len(store.posts_of(sub.id)) == 1
        finally:
            scheduler.stop()
    calls = slack.ok_calls("chat.postMessage")
    assert calls[0].params["metadata"]["event_payload"]["slot"] == int(slot_utc.timestamp())
    engine.dispose()
