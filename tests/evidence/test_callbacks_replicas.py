"""Three `recbot serve` replicas over one PostgreSQL database: CSS retries of the same callbacks
hit different replicas; each event is stored once and each alert posted once, also when a
replica is SIGKILLed while it holds alert claims."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.rules import Level
from bot.alerts.store import AlertStore
from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.store import EvidenceStore
from tests.digest.test_digest_replicas import children, sigkill, stop_all
from tests.evidence.sender import KEY, body_of, post_callback, status_event
from tests.support.pg import fresh_postgres_url
from tests.support.served import serve_env
from tests.support.serving import ServedBot
from tests.support.slack_api import SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

LEASE_S = 3.0
CHANNELS = tuple(f"CAL{i:02d}" for i in range(6))


@dataclass(frozen=True)
class World:
    slack: SlackStandIn
    sim: Simulator
    url: str
    evidence: EvidenceStore
    alerts: AlertStore


@pytest.fixture
def world() -> Iterator[World]:
    enable_history()
    with (
        SlackStandIn(scopes=HISTORY_SCOPES) as slack,
        Simulator(count=40) as sim,
        fresh_postgres_url() as url,
    ):
        for channel in CHANNELS:
            slack.add_channel(channel)
        engine = open_engine(url)
        migrate(engine)
        yield World(slack, sim, url, EvidenceStore(engine), AlertStore(engine))
        engine.dispose()


def replicas_of(world: World, tmp: Path, count: int, **extra: str) -> list[ServedBot]:
    env = serve_env(
        world.slack,
        world.sim,
        world.url,
        tmp,
        RECBOT_CSS_CALLBACK_KEY=KEY,
        RECBOT_ALERT_LEASE_S=str(LEASE_S),
        **extra,
    )
    replicas = [ServedBot(env, tmp / f"replica{i}.log") for i in range(count)]
    try:
        # Side by side, as a deployment starts them: their migrations must not race.
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(lambda r: r.start(60.0), replicas))
    except BaseException:
        stop_all(replicas)  # none is left running when one fails to start
        raise
    return replicas


def subscribe_all(world: World) -> None:
    now = datetime.now(UTC) - timedelta(seconds=5)
    for channel in CHANNELS:
        world.alerts.add(
            "T0RECBOT",
            channel,
            creator_id="U1",
            request_text="",
            level=Level.FAILURES,
            tz="UTC",
            now=now,
        )


def failures(world: World, count: int, tag: str) -> list[RecordingEvent]:
    task = world.sim.tasks[0]
    at = datetime.now(UTC).replace(microsecond=0)
    return [
        status_event(task, RecordEvent.START_FAILED, at - timedelta(seconds=i), seq=f"{tag}{i}")
        for i in range(count)
    ]


def send_everywhere(replicas: list[ServedBot], events: list[RecordingEvent]) -> None:
    """Each event to every live replica at once, as CSS retries landing on different ones."""
    jobs = [(r.url, body_of(e)) for e in events for r in replicas if r.process.poll() is None]  # type: ignore[union-attr]
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda job: post_callback(*job).status, jobs))
    assert set(answers) == {200}


def alert_counts(slack: SlackStandIn, *, tasks: bool = False) -> Counter[tuple[int, str]]:
    """How often each (subscription, claim key) was posted: callbacks' alerts, or with `tasks`
    the task alerts (keys `task:<id>:<kind>`; the simulator's tasks send no callbacks here)."""
    posted: Counter[tuple[int, str]] = Counter()
    for call in slack.ok_calls("chat.postMessage"):
        meta = call.params.get("metadata") or {}
        if meta.get("event_type") == "recbot_alert":
            payload = meta["event_payload"]
            if str(payload["event"]).startswith("task:") == tasks:
                posted[(payload["subscription_id"], payload["event"])] += 1
    return posted


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a condition with a deadline


@pytest.mark.parametrize("count", [2, 3])
def test_callbacks_to_every_replica_are_stored_and_alerted_once(
    world: World, tmp_path: Path, count: int
) -> None:
    subscribe_all(world)
    replicas = replicas_of(world, tmp_path, count)
    try:
        events = failures(world, 5, "r")
        send_everywhere(replicas, events)
        assert world.evidence.count() == len(events)
        wanted = {(s.id, e.key) for s in world.alerts.active() for e in events}
        wait_until(lambda: set(alert_counts(world.slack)) >= wanted, 30, "every alert")
        # Settled: a late retry to every replica changes nothing.
        send_everywhere(replicas, events[:1])
        wait_until(lambda: all(p.state == "posted" for p in world.alerts.posts()), 10, "records")
        counts = alert_counts(world.slack)
        assert set(counts) == wanted
        assert max(counts.values()) == 1
    finally:
        stop_all(replicas)


def test_a_replica_killed_mid_alert_leaves_each_alert_posted_once(
    world: World, tmp_path: Path
) -> None:
    world.slack.delay("chat.postMessage", 0.2)  # posting takes a while: kills land mid-post
    subscribe_all(world)
    replicas = replicas_of(world, tmp_path, 3)
    try:
        events = failures(world, 8, "k")
        victim = replicas[0]
        assert victim.process is not None
        # Claims name the serving process (waitress serves in the process recbot started).
        workers = {str(victim.process.pid)} | {str(pid) for pid in children(victim.process.pid)}
        send_everywhere(replicas, events)
        wait_until(
            lambda: any(
                p.state == "claimed" and p.claimed_by.split(":")[1] in workers
                for p in world.alerts.posts()
            ),
            30,
            "the replica to be killed to hold an alert claim",
        )
        sigkill(victim)
        wanted = {(s.id, e.key) for s in world.alerts.active() for e in events}
        wait_until(
            lambda: (
                len(
                    [
                        p
                        for p in world.alerts.posts()
                        if p.state == "posted" and not p.event_key.startswith("task:")
                    ]
                )
                == len(wanted)
            ),
            60,
            "every alert recorded as posted",
        )
        counts = alert_counts(world.slack)
        assert set(counts) == wanted
        assert max(counts.values()) == 1
        assert world.evidence.count() == len(events)
        assert any(p.attempts >= 2 for p in world.alerts.posts()), "no claim was taken over"
    finally:
        stop_all(replicas)
