"""A digest into a channel recbot cannot post in: paused (not retried at every slot) and its
creator told once, by DM, how to fix it. Real wire: store, CSS simulator, Slack stand-in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.css.query import CssSource
from bot.digest.store import DigestStore
from tests.digest.test_digest_scheduler import NOW, Clock, scheduler, subscribe
from tests.support.slack_api import SlackStandIn


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("not_in_channel", "`/invite @recbot`"),
        ("is_archived", "Unarchive it"),
        ("channel_not_found", "Invite me to <#COPS> if it still exists"),
    ],
)
def test_an_unpostable_channel_pauses_the_digest_and_tells_its_creator_once(
    store: DigestStore, source: CssSource, slack: SlackStandIn, error: str, fix: str
) -> None:
    slot = NOW - timedelta(minutes=1)
    sub = subscribe(store, slot, channel="COPS")
    slack.fail("chat.postMessage", error, channel="COPS")
    clock = Clock(NOW)
    assert scheduler(store, source, slack, clock).tick(NOW).failed == 1
    assert store.get_subscription(sub.id).active is False  # type: ignore[union-attr]
    [dm] = [c for c in slack.ok_calls("chat.postMessage") if c.channel == "D1"]  # U1's DM
    assert f"digest #{sub.id}" in dm.params["text"]
    assert "<#COPS>" in dm.params["text"]
    assert fix in dm.params["text"]
    # The next day: nothing is tried in the channel again, and no second DM.
    clock.now += timedelta(days=1)
    scheduler(store, source, slack, clock).tick(clock.now)
    assert len([c for c in slack.calls("chat.postMessage") if c.channel == "COPS"]) == 1
    assert len([c for c in slack.calls("chat.postMessage") if c.channel == "D1"]) == 1


def test_a_transient_slack_error_does_not_pause_the_digest(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    slot = NOW - timedelta(minutes=1)
    sub = subscribe(store, slot, channel="CBUSY")
    slack.fail("chat.postMessage", "internal_error", channel="CBUSY", times=1)
    scheduler(store, source, slack, Clock(NOW)).tick(NOW)
    assert store.get_subscription(sub.id).active is True  # type: ignore[union-attr]
    assert not [c for c in slack.calls("chat.postMessage") if c.channel == "D1"]
