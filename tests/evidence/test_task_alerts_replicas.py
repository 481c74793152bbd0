"""Task alerts over the wire: two `recbot serve` replicas on PostgreSQL (index on, as by
default) watch the simulator's tasks; a task silent 5 minutes after it began and a task cut
short by a stop reach each subscribed channel once, within its filters and access scope."""

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
from bot.evidence.events import RecordEvent
from bot.evidence.store import EvidenceStore
from bot.tasks import RecordTask
from tests.digest.test_digest_replicas import stop_all
from tests.evidence.sender import status_event
from tests.evidence.test_callbacks_replicas import (
    World,
    alert_counts,
    replicas_of,
    send_everywhere,
    wait_until,
)
from tests.support.pg import fresh_postgres_url
from tests.support.slack_api import SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

DOMAIN = "push.example.com"
SCOPED = "CSCOPE"  # its access scope: stream cam1 only


def began(task_id: str, stream: str, minutes_ago: float) -> RecordTask:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return RecordTask(task_id, DOMAIN, "live", stream, start, start + timedelta(hours=2), 0, None)


SILENT = began("silent-cam1", "cam1", 10)
RECORDING = began("recording-cam1", "cam1", 20)  # to be stopped
OTHER = began("silent-cam2", "cam2", 8)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    enable_history()
    with (
        SlackStandIn(scopes=HISTORY_SCOPES) as slack,
        Simulator([SILENT, RECORDING, OTHER]) as sim,
        fresh_postgres_url() as url,
    ):
        for channel in ("CALL", "CFILT", SCOPED):
            slack.add_channel(channel)
        engine = open_engine(url)
        migrate(engine)
        yield World(slack, sim, url, EvidenceStore(engine), AlertStore(engine))
        engine.dispose()


def subscribe(alerts: AlertStore, channel: str, text: str) -> int:
    return alerts.add(
        "T0RECBOT",
        channel,
        creator_id="U1",
        request_text=text,
        level=Level.FAILURES,
        tz="Europe/Paris",
        now=datetime.now(UTC),
    ).id


def test_stopped_and_silent_tasks_alert_once_across_replicas(world: World, tmp_path: Path) -> None:
    access = tmp_path / "access.toml"
    access.write_text(
        f'[scopes.{SCOPED}]\nstreams = ["cam1"]\n[default_scope]\ndomains = ["{DOMAIN}"]\n'
    )
    replicas = replicas_of(
        world,
        tmp_path,
        2,
        RECBOT_ACCESS_FILE=str(access),
        RECBOT_ALERT_TASK_CHECK_S="1",
        RECBOT_INDEX_HOT_S="1",
        RECBOT_INDEX_SYNC_BUDGET_PER_H="0",  # a near refresh every second, not the budget's
    )
    try:
        # RECORDING did start recording (its callback, as CSS retries it, to both replicas).
        started = status_event(RECORDING, RecordEvent.START_SUCCEEDED, RECORDING.start, seq="s1")
        send_everywhere(replicas, [started])
        subs = {
            "CALL": subscribe(world.alerts, "CALL", ""),
            "CFILT": subscribe(world.alerts, "CFILT", "stream:cam2"),
            SCOPED: subscribe(world.alerts, SCOPED, ""),  # all it may see: cam1
        }
        silent, cut = "task:{}:nothing_received", "task:{}:stopped_early"
        wanted = {
            (subs["CALL"], silent.format(SILENT.task_id)),
            (subs["CALL"], silent.format(OTHER.task_id)),
            (subs["CFILT"], silent.format(OTHER.task_id)),
            (subs[SCOPED], silent.format(SILENT.task_id)),
        }
        wait_until(lambda: set(alert_counts(world.slack, tasks=True)) >= wanted, 60, "silent")
        stopped = world.sim.stop_task(RECORDING.task_id, datetime.now(UTC).replace(microsecond=0))
        wanted |= {
            (subs["CALL"], cut.format(RECORDING.task_id)),
            (subs[SCOPED], cut.format(RECORDING.task_id)),
        }
        wait_until(lambda: set(alert_counts(world.slack, tasks=True)) >= wanted, 60, "the stop")
        # A later silent task, alerted after every check that could have posted a second copy.
        late = began("late-cam2", "cam2", 7)
        world.sim.add_task(late)
        sentinel = (subs["CFILT"], silent.format(late.task_id))
        wait_until(lambda: sentinel in alert_counts(world.slack, tasks=True), 60, "the sentinel")
        wanted |= {sentinel, (subs["CALL"], silent.format(late.task_id))}
        wait_until(lambda: set(alert_counts(world.slack, tasks=True)) >= wanted, 30, "the late")
        counts = alert_counts(world.slack, tasks=True)
        assert set(counts) == wanted
        assert max(counts.values()) == 1
        [post] = [
            c
            for c in world.slack.ok_calls("chat.postMessage")
            if c.channel == SCOPED and "stopped_early" in json.dumps(c.params.get("metadata"))
        ]
        blocks = json.dumps(post.params["blocks"])
        assert "Stopped early" in blocks
        assert f"<!date^{int(stopped.stopped.timestamp())}^" in blocks  # type: ignore[union-attr]
        assert "Show recordings" in blocks
    finally:
        stop_all(replicas)
