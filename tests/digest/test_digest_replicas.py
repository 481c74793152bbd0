"""Three `recbot serve` replicas over one PostgreSQL database, the Slack stand-in and the CSS
simulator: every digest slot is posted exactly once, through a SIGKILL and an outage."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.digest.schedule import Kind, Schedule
from bot.digest.store import DigestStore, NewSubscription, PostState
from tests.support.pg import fresh_postgres_url
from tests.support.redis_keys import REDIS_URL, unique_prefix
from tests.support.served import serve_env
from tests.support.serving import JSON, ServedBot, event_body
from tests.support.slack_api import SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

LEASE_S = 3.0


@dataclass(frozen=True)
class World:
    slack: SlackStandIn
    sim: Simulator
    url: str
    store: DigestStore  # the test's own view of the replicas' database
    redis_prefix: str


@pytest.fixture
def world() -> Iterator[World]:
    enable_history()
    with (
        SlackStandIn(scopes=HISTORY_SCOPES) as slack,
        Simulator(count=150) as sim,
        fresh_postgres_url() as url,
        unique_prefix() as prefix,
    ):
        engine = open_engine(url)
        migrate(engine)
        yield World(slack, sim, url, DigestStore(engine), prefix)
        engine.dispose()


def replica_env(world: World, tmp: Path) -> dict[str, str]:
    return serve_env(
        world.slack,
        world.sim,
        world.url,
        tmp,
        RECBOT_REDIS_URL=REDIS_URL,
        RECBOT_REDIS_PREFIX=world.redis_prefix,
        RECBOT_DIGEST_TICK_S="0.2",
        RECBOT_DIGEST_LEASE_S=str(LEASE_S),
    )


def start_replicas(env: dict[str, str], tmp: Path, count: int = 3) -> list[ServedBot]:
    """Started side by side, as a deployment does: their migrations must not race."""
    replicas = [ServedBot(env, tmp / f"replica{i}.log") for i in range(count)]
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(ServedBot.start, replicas))
    return replicas


def stop_all(replicas: list[ServedBot]) -> None:
    running = [r for r in replicas if r.process is not None and r.process.poll() is None]
    if running:
        with ThreadPoolExecutor(len(running)) as pool:
            list(pool.map(ServedBot.stop, running))


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def sigkill(replica: ServedBot) -> None:
    """SIGKILL the server (and any child process)."""
    assert replica.process is not None
    for pid in children(replica.process.pid):
        os.kill(pid, signal.SIGKILL)
    replica.process.kill()
    replica.process.wait(10)


def subscribe(
    store: DigestStore, count: int, slot: datetime, created: datetime, prefix: str = "C"
) -> list[int]:
    ids = []
    for i in range(count):
        # 25 channels, 4 digests each, over 10 distinct requests.
        schedule = Schedule(Kind.DAILY, slot.time().replace(second=0), "UTC")
        new = NewSubscription(
            "T0RECBOT", f"{prefix}{i % 25:03d}", "U1", schedule, f"stream:s{i % 10}"
        )
        ids.append(store.add_subscription(new, created).id)
    return ids


def digest_posts(slack: SlackStandIn) -> Counter[tuple[int, int]]:
    posted: Counter[tuple[int, int]] = Counter()
    for call in slack.ok_calls("chat.postMessage"):
        payload = call.params["metadata"]["event_payload"]
        posted[(payload["subscription_id"], payload["slot"])] += 1
    return posted


def sentinel_is_posted(store: DigestStore, slack: SlackStandIn, slot: datetime) -> None:
    """Subscribe one more channel for `slot` and wait until a replica has posted it."""
    before = len(slack.ok_calls("chat.postMessage"))
    subscribe(store, 1, slot, created=slot - timedelta(minutes=1), prefix="CSENTINEL")
    wait_until(lambda: len(slack.ok_calls("chat.postMessage")) > before, 30, "the sentinel")


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a condition with a deadline


def test_100_digests_in_one_minute_exactly_once_through_a_sigkill(
    world: World, tmp_path: Path
) -> None:
    slack, store = world.slack, world.store
    # Each post takes a while, so the slot is still being posted when a replica dies.
    slack.delay("chat.postMessage", 0.03)
    replicas = start_replicas(replica_env(world, tmp_path), tmp_path)
    try:
        now = datetime.now(UTC)
        slot = now.replace(second=0, microsecond=0)
        ids = subscribe(store, 100, slot, created=slot - timedelta(minutes=1))
        wait_until(lambda: len(slack.ok_calls("chat.postMessage")) >= 15, 30, "first posts")
        # Killed while it holds claims (posts are paced per channel, so claims are held for
        # seconds): else, on a loaded machine, it may have finished its share and nothing is
        # left to take over.
        victim = replicas[0]
        assert victim.process is not None
        # Claims name the serving process (waitress serves in the process recbot started).
        workers = {str(victim.process.pid)} | {str(pid) for pid in children(victim.process.pid)}
        wait_until(
            lambda: any(
                p.state is PostState.CLAIMED and p.claimed_by.split(":")[1] in workers
                for s in ids
                for p in store.posts_of(s)
            ),
            30,
            "the replica to be killed to hold a claim",
        )
        sigkill(victim)
        wait_until(
            lambda: (
                sum(1 for s in ids for p in store.posts_of(s) if p.state is PostState.POSTED) == 100
            ),
            60,
            "every slot recorded as posted",
        )
        # Once every lease has run out, a sentinel digest posted by a later tick shows the
        # survivors went on ticking; still nothing may have been posted twice.
        leases = [p.lease_until for s in ids for p in store.posts_of(s)]
        wait_until(lambda: datetime.now(UTC) > max(leases), LEASE_S + 5, "leases to end")
        sentinel_is_posted(store, slack, slot)
        posted = digest_posts(slack)
        (sentinel,) = [k for k in posted if k[0] not in ids]
        del posted[sentinel]
        slot_ts = int(slot.timestamp())
        assert set(posted) == {(i, slot_ts) for i in ids}
        assert max(posted.values()) == 1
        assert len(slack.ok_calls("chat.postMessage")) == 101
        rows = [p for s in ids for p in store.posts_of(s)]
        by = Counter(p.claimed_by.split(":")[1] for p in rows)
        assert len(by) >= 2, f"the survivors shared nothing: {by}"
        # The kill did land mid-slot: some slots were taken over from the dead replica.
        assert any(p.attempts >= 2 for p in rows)
    finally:
        stop_all(replicas)


def test_after_an_outage_a_2h_old_slot_is_posted_late_and_a_7h_old_one_skipped(
    world: World, tmp_path: Path
) -> None:
    slack, store = world.slack, world.store
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    two_h, seven_h = now - timedelta(hours=2), now - timedelta(hours=7)
    (late_id,) = subscribe(store, 1, two_h, created=two_h - timedelta(days=1), prefix="CL")
    (skip_id,) = subscribe(store, 1, seven_h, created=seven_h - timedelta(hours=1), prefix="CS")
    replicas = start_replicas(replica_env(world, tmp_path), tmp_path)
    try:
        wait_until(
            lambda: [p.state for p in store.posts_of(late_id)] == [PostState.POSTED],
            30,
            "the late digest",
        )
        wait_until(
            lambda: [p.state for p in store.posts_of(skip_id)] == [PostState.SKIPPED],
            30,
            "the skip record",
        )
        sentinel_is_posted(store, slack, now)  # later ticks of all three: still one post
        call, _sentinel = slack.ok_calls("chat.postMessage")
        assert call.channel == "CL000"
        assert call.params["blocks"][0]["text"]["text"].endswith("· late")
        assert call.params["metadata"]["event_payload"] == {
            "subscription_id": late_id,
            "slot": int(two_h.timestamp()),
        }
        (late,) = store.posts_of(late_id)
        assert late.late
        # Yesterday's slot of the late subscription was older than 6 h: skipped too.
    finally:
        stop_all(replicas)
    skipped = [
        json.loads(line)
        for r in replicas
        for line in r.log().splitlines()
        if line.startswith("{") and '"digest skipped"' in line
    ]
    assert {(e["subscription_id"], e["slot"]) for e in skipped} >= {(skip_id, seven_h.isoformat())}
    assert len([e for e in skipped if e["subscription_id"] == skip_id]) == 1


def test_an_event_retried_to_another_replica_is_answered_once(world: World, tmp_path: Path) -> None:
    replicas = start_replicas(replica_env(world, tmp_path), tmp_path, count=2)
    try:
        mention = {
            "type": "app_mention",
            "user": "UANN",
            "channel": "CMENTION",
            "text": "<@UBOTRECBOT> help",
            "ts": "1700000900.000100",
            "event_ts": "1700000900.000100",
        }
        body = event_body(mention, event_id="EvAcrossReplicas")
        # Slack's retry of a slow ack can land on any replica behind the load balancer.
        assert replicas[0].post(body, JSON).status == 200
        assert replicas[1].post(body, JSON, headers={"X-Slack-Retry-Num": "1"}).status == 200
        # A second, different event shows both replicas have finished with the first.
        other = {**mention, "ts": "1700000901.000100", "event_ts": "1700000901.000100"}
        assert replicas[1].post(event_body(other, event_id="EvNext"), JSON).status == 200
        world.slack.wait_for("chat.postMessage", count=2, where=lambda c: c.channel == "CMENTION")
        threads = [
            c.params.get("thread_ts")
            for c in world.slack.ok_calls("chat.postMessage")
            if c.channel == "CMENTION"
        ]
        assert sorted(threads) == ["1700000900.000100", "1700000901.000100"]
    finally:
        stop_all(replicas)
