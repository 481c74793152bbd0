"""Alerts no callback makes: a task cut short by a stop, and a task silent 5 minutes after it
began. Two alert loops (replicas) over one database, the CSS simulator behind the real query
engine (SDK-signed requests), alerts posted to the Slack stand-in through the real poster."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.alerts.delivery import SlackAlertPoster
from bot.alerts.dispatcher import AlertDispatcher
from bot.alerts.rules import Level
from bot.alerts.store import AlertStore
from bot.config import Settings
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.digest.delivery import LocalChannelPacer
from bot.evidence.events import RecordEvent
from bot.evidence.store import EvidenceStore
from bot.filters import Filters
from bot.tasks import RecordTask
from tests.evidence.sender import status_event
from tests.support.pg import fresh_postgres_url
from tests.support.slack_api import SlackStandIn, running
from tests.support.slack_history import HISTORY_SCOPES, enable_history

NOW = datetime.now(UTC).replace(microsecond=0)
SCOPED = "CSCOPE"  # may only see cam1


def task(
    task_id: str, stream: str, began_min_ago: float, *, stopped_min_ago: float | None = None
) -> RecordTask:
    start = NOW - timedelta(minutes=began_min_ago)
    stopped = None if stopped_min_ago is None else NOW - timedelta(minutes=stopped_min_ago)
    return RecordTask(
        task_id, "push.example.com", "live", stream, start, start + timedelta(hours=2), 0, stopped
    )


SILENT = task("silent-cam1", "cam1", 10)
STOPPED = task("stopped-cam1", "cam1", 20, stopped_min_ago=2)
RECORDING = task("recording-cam1", "cam1", 10)
OTHER = task("silent-cam2", "cam2", 12)
TASKS = (
    SILENT,
    STOPPED,
    RECORDING,
    OTHER,
    task("too-new", "cam1", 2),  # began 2 min ago: not silent yet
    task("old-stop", "cam1", 50, stopped_min_ago=40),  # ended before the alerts were made
    task("cancelled", "cam1", 10, stopped_min_ago=15),  # stopped before it began
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path}/recbot.sqlite3")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    with fresh_postgres_url() as url:
        engine = open_engine(url)
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    enable_history()  # a takeover looks in the channel for the dead replica's post
    yield from running(scopes=HISTORY_SCOPES)


@pytest.fixture
def source() -> Iterator[CssSource]:
    with Simulator(TASKS) as sim, open_source(Settings(), simulator=sim) as src:
        yield src


def scope_for(channel: str | None) -> Filters | None:
    return Filters(streams=("cam1",)) if channel == SCOPED else None


def dispatcher(
    engine: Engine, source: CssSource, slack: SlackStandIn, replica: str, at: list[datetime]
) -> AlertDispatcher:
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    return AlertDispatcher(
        EvidenceStore(engine),
        AlertStore(engine),
        SlackAlertPoster(client, LocalChannelPacer(rate=1000)),
        replica=replica,
        clock=lambda: at[0],
        scope_for=scope_for,
        lease=timedelta(seconds=30),
        tasks=source,
    )


def subscribe(alerts: AlertStore, channel: str, text: str = "") -> int:
    made = NOW - timedelta(minutes=5)
    return alerts.add(
        "T1",
        channel,
        creator_id="U1",
        request_text=text,
        level=Level.FAILURES,
        tz="Asia/Tokyo",
        now=made,
    ).id


def task_alerts_posted(slack: SlackStandIn) -> Counter[tuple[str, str]]:
    """(channel, claim key) of every task alert posted, counted."""
    posted: Counter[tuple[str, str]] = Counter()
    for call in slack.ok_calls("chat.postMessage"):
        meta = call.params.get("metadata") or {}
        if meta.get("event_type") == "recbot_alert":
            posted[(str(call.channel), meta["event_payload"]["event"])] += 1
    return posted


def test_stopped_and_silent_tasks_alert_each_channel_once_within_its_filters_and_scope(
    engine: Engine, source: CssSource, slack: SlackStandIn
) -> None:
    evidence = EvidenceStore(engine)
    for recorded in (STOPPED, RECORDING):  # these did start recording
        began = status_event(
            recorded, RecordEvent.START_SUCCEEDED, recorded.start, seq=recorded.task_id
        )
        evidence.add(began, recorded.start)
    alerts = AlertStore(engine)
    subscribe(alerts, "CALL")
    subscribe(alerts, "CFILT", "stream:cam2")
    subscribe(alerts, SCOPED)
    at = [NOW]
    replicas = [dispatcher(engine, source, slack, name, at) for name in ("r1", "r2")]
    for _ in range(3):  # both replicas find the same tasks, tick after tick
        for replica in replicas:
            replica.tick(at[0])
        at[0] += timedelta(seconds=61)  # the next task check is due
    silent, cut = "task:{}:nothing_received", "task:{}:stopped_early"
    assert task_alerts_posted(slack) == Counter(
        {
            ("CALL", silent.format(SILENT.task_id)): 1,
            ("CALL", cut.format(STOPPED.task_id)): 1,
            ("CALL", silent.format(OTHER.task_id)): 1,
            ("CFILT", silent.format(OTHER.task_id)): 1,
            (SCOPED, silent.format(SILENT.task_id)): 1,
            (SCOPED, cut.format(STOPPED.task_id)): 1,
        }
    )
    [stop] = [
        c
        for c in slack.ok_calls("chat.postMessage")
        if c.channel == "CALL" and "stopped_early" in c.params["metadata"]["event_payload"]["event"]
    ]
    blocks = json.dumps(stop.params["blocks"])
    assert "Stopped early" in blocks
    assert "cam1" in blocks
    assert STOPPED.task_id[-8:] in blocks
    assert f"<!date^{int(STOPPED.stopped.timestamp())}^" in blocks  # type: ignore[union-attr]
    assert "1h 42m cut off by a stop" in blocks
    [button] = stop.params["blocks"][-1]["elements"]
    assert button["text"]["text"] == "Show recordings"
    value = json.loads(button["value"])
    assert (value["r"], value["z"]) == ("stream:cam1", "Asia/Tokyo")
    [quiet] = [c for c in slack.ok_calls("chat.postMessage") if c.channel == "CFILT"]
    assert "Nothing received" in json.dumps(quiet.params["blocks"])
    assert f"<!date^{int(OTHER.start.timestamp())}^" in json.dumps(quiet.params["blocks"])


def test_a_task_alert_claimed_by_a_dead_replica_is_rebuilt_and_posted_once(
    engine: Engine, source: CssSource, slack: SlackStandIn
) -> None:
    alerts = AlertStore(engine)
    sub = subscribe(alerts, "CALL", "stream:cam2")
    key = f"task:{OTHER.task_id}:nothing_received"
    # A replica claimed the alert and died before posting it.
    [claim] = alerts.claim([(sub, key)], "dead", NOW - timedelta(seconds=40), timedelta(seconds=30))
    at = [NOW]
    survivor = dispatcher(engine, source, slack, "r2", at)
    survivor.tick(NOW)
    assert task_alerts_posted(slack) == Counter({("CALL", key): 1})
    [post] = [p for p in alerts.posts() if p.event_key == key]
    assert (post.id, post.state, post.claimed_by, post.attempts) == (claim.id, "posted", "r2", 2)
    # A replica that comes back to it later finds it posted: nothing more.
    at[0] += timedelta(minutes=2)
    dispatcher(engine, source, slack, "r3", at).tick(at[0])
    assert task_alerts_posted(slack) == Counter({("CALL", key): 1})
