"""Alerts into a channel recbot cannot post in: two `recbot serve` replicas on PostgreSQL, the
Slack stand-in refusing chat.postMessage there with Slack's own errors. The alert is paused
(not tried again), its creator gets one DM with the fix, `alert list` shows it paused, and
`alert on N` resumes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.rules import Level
from bot.alerts.store import AlertStore
from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.store import EvidenceStore
from bot.tasks import RecordTask
from tests.digest.test_digest_replicas import stop_all
from tests.evidence.sender import status_event
from tests.evidence.test_callbacks_replicas import (
    World,
    replicas_of,
    send_everywhere,
    wait_until,
)
from tests.support.pg import fresh_postgres_url
from tests.support.serving import FORM, ServedBot, slash_body
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# Channel → (the error Slack answers there, its creator, the fix the DM names).
REFUSING = {
    "CNOTIN": ("not_in_channel", "U1", "`/invite @recbot`"),
    "CGONE": ("channel_not_found", "U2", "Invite me to <#CGONE> if it still exists"),
    "CARCH": ("is_archived", "U3", "Unarchive it"),
    "CRESTR": ("restricted_action", "U4", "Ask a workspace admin to allow it"),
}
OK_CHANNEL = "COK"
# Ended hours ago: no task alert of its own (only the callbacks sent here are alerted).
PAST = RecordTask(
    "past-task",
    "push.example.com",
    "live",
    "cam1",
    datetime.now(UTC) - timedelta(hours=6),
    datetime.now(UTC) - timedelta(hours=5),
    0,
    None,
)


@pytest.fixture
def world() -> Iterator[World]:
    enable_history()
    with (
        SlackStandIn(scopes=HISTORY_SCOPES) as slack,
        Simulator([PAST]) as sim,
        fresh_postgres_url() as url,
    ):
        for channel in (*REFUSING, OK_CHANNEL):
            slack.add_channel(channel)
        for channel, (error, _, _) in REFUSING.items():
            slack.fail("chat.postMessage", error, channel=channel)
        engine = open_engine(url)
        migrate(engine)
        yield World(slack, sim, url, EvidenceStore(engine), AlertStore(engine))
        engine.dispose()


def subscribe(alerts: AlertStore, channel: str, creator: str) -> int:
    made = datetime.now(UTC) - timedelta(seconds=5)
    return alerts.add(
        "T0RECBOT",
        channel,
        creator_id=creator,
        request_text="cam1",
        level=Level.FAILURES,
        tz="UTC",
        now=made,
    ).id


def failures(tag: str, count: int) -> list[RecordingEvent]:
    at = datetime.now(UTC).replace(microsecond=0)
    return [
        status_event(PAST, RecordEvent.ERROR, at - timedelta(seconds=i), seq=f"{tag}{i}")
        for i in range(count)
    ]


def tries_in(slack: SlackStandIn, channel: str) -> list[SlackCall]:
    return [c for c in slack.calls("chat.postMessage") if c.channel == channel]


def dms_to(slack: SlackStandIn, user: str) -> list[SlackCall]:
    return [c for c in slack.ok_calls("chat.postMessage") if c.channel == "D" + user[1:]]


def alerted_in(slack: SlackStandIn, channel: str, event: RecordingEvent) -> bool:
    return any(
        (c.params.get("metadata") or {}).get("event_payload", {}).get("event") == event.key
        for c in slack.ok_calls("chat.postMessage")
        if c.channel == channel
    )


def slash(bot: ServedBot, slack: SlackStandIn, text: str, channel: str, name: str) -> str:
    body = slash_body(text, user="U1", channel=channel, response_url=slack.response_url(name))
    assert bot.post(body, FORM).status == 200
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def test_an_alert_slack_refuses_is_paused_its_creator_told_once_and_resumed_by_alert_on(
    world: World, tmp_path: Path
) -> None:
    slack, alerts = world.slack, world.alerts
    numbers = {
        channel: subscribe(alerts, channel, creator)
        for channel, (_, creator, _) in REFUSING.items()
    }
    subscribe(alerts, OK_CHANNEL, "U9")
    # Slow posts: both replicas hold claims of one channel's alerts when Slack refuses them.
    slack.delay("chat.postMessage", 0.2)
    replicas = replicas_of(world, tmp_path, 2)
    try:
        first = failures("a", 8)
        send_everywhere(replicas, first)  # CSS retries: every event reaches both replicas
        for channel, (_, creator, fix) in REFUSING.items():
            wait_until(lambda u=creator: dms_to(slack, u), 20, f"the DM to {creator}")
            text = dms_to(slack, creator)[0].params["text"]
            assert f"alert #{numbers[channel]}" in text
            assert f"<#{channel}>" in text
            assert fix in text
            assert f"`/recordings alert on {numbers[channel]}`" in text
        wait_until(lambda: all(alerted_in(slack, OK_CHANNEL, e) for e in first), 20, "COK")
        assert {a.channel_id for a in alerts.active()} == {OK_CHANNEL}
        tried = {channel: len(tries_in(slack, channel)) for channel in REFUSING}
        # Later failures: posted where recbot may post, not even tried where it was refused.
        later = failures("b", 2)
        send_everywhere(replicas, later)
        wait_until(lambda: all(alerted_in(slack, OK_CHANNEL, e) for e in later), 20, "COK later")
        for channel, (_, creator, _) in REFUSING.items():
            assert len(tries_in(slack, channel)) == tried[channel]
            assert len(dms_to(slack, creator)) == 1  # one DM, whatever the replicas and events

        listed = slash(replicas[0], slack, "alert list", "CNOTIN", "list")
        assert "paused" in listed
        assert "not_in_channel" in listed
        assert f"alert on {numbers['CNOTIN']}" in listed
        # Someone invites recbot to #CNOTIN and turns the alert back on.
        slack.clear_faults()
        assert "back on" in slash(
            replicas[1], slack, f"alert on {numbers['CNOTIN']}", "CNOTIN", "on"
        )
        assert "on already" in slash(
            replicas[0], slack, f"alert on {numbers['CNOTIN']}", "CNOTIN", "again"
        )
        assert "no alert" in slash(
            replicas[0], slack, f"alert on {numbers['CGONE']}", "CNOTIN", "elsewhere"
        )
        assert "paused" not in slash(replicas[0], slack, "alert list", "CNOTIN", "list-after")
        after = failures("c", 1)
        send_everywhere(replicas, after)
        wait_until(lambda: alerted_in(slack, "CNOTIN", after[0]), 20, "the resumed alert")
        wait_until(lambda: alerted_in(slack, OK_CHANNEL, after[0]), 20, "COK after")
        assert not any(alerted_in(slack, ch, after[0]) for ch in REFUSING if ch != "CNOTIN")
    finally:
        stop_all(replicas)
