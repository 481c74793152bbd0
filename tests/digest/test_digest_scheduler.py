"""The scheduler in-process over real wire: SQLite/PostgreSQL store, the CSS simulator through the
SDK, and the Slack stand-in through slack-sdk's WebClient."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from bot.access import NO_SCOPE, AccessPolicy
from bot.css.query import CssSource
from bot.digest.delivery import DigestPoster, LocalChannelPacer
from bot.digest.message import METADATA_EVENT, DigestMark, slot_unix
from bot.digest.schedule import Kind, Schedule
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import DigestStore, NewSubscription, PostState, SlotClaim, Subscription
from bot.filters import Filters
from bot.obs.metrics import REGISTRY
from bot.render.digest_message import render_digest
from tests.support.slack_api import SlackStandIn

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def subscribe(
    store: DigestStore,
    slot: datetime,
    *,
    channel: str = "C1",
    tz: str = "Europe/Berlin",
    request: str = "",
    kind: Kind = Kind.DAILY,
) -> Subscription:
    local = slot.astimezone(ZoneInfo(tz))
    weekday = local.weekday() if kind is Kind.WEEKLY else None
    schedule = Schedule(kind, local.time().replace(second=0), tz, weekday)
    made = NewSubscription("T1", channel, "U1", schedule, request)
    return store.add_subscription(made, slot - timedelta(minutes=1))


def scheduler(
    store: DigestStore,
    source: CssSource,
    slack: SlackStandIn,
    clock: Callable[[], datetime],
    replica: str = "r1",
    lease: timedelta = timedelta(seconds=30),
) -> DigestScheduler:
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    poster = DigestPoster(client, LocalChannelPacer(rate=1000))
    return DigestScheduler(store, source, poster, replica=replica, lease=lease, clock=clock)


def digests_counted(outcome: str) -> float:
    value = REGISTRY.get_sample_value("recbot_digests_total", {"outcome": outcome})
    return value or 0.0


def posts_of(slack: SlackStandIn) -> list[tuple[str, int, int]]:
    """(channel, subscription id, slot) of every digest posted, from its metadata."""
    out = []
    for call in slack.ok_calls("chat.postMessage"):
        meta = call.params["metadata"]
        assert meta["event_type"] == METADATA_EVENT
        payload = meta["event_payload"]
        out.append((str(call.channel), payload["subscription_id"], payload["slot"]))
    return out


def test_due_digests_are_posted_once_and_equal_requests_share_one_fetch(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    slot = NOW - timedelta(minutes=1)
    a = subscribe(store, slot, channel="C1", request="livetest")
    b = subscribe(store, slot, channel="C2", request="livetest")
    c = subscribe(store, slot, channel="C3", request="", tz="Asia/Kathmandu")
    subscribe(store, NOW + timedelta(minutes=5), channel="C4")  # not due yet
    clock = Clock(NOW)
    first = scheduler(store, source, slack, clock)
    report = first.tick(NOW)
    assert sorted(posts_of(slack)) == sorted(
        [
            ("C1", a.id, slot_unix(slot)),
            ("C2", b.id, slot_unix(slot)),
            ("C3", c.id, slot_unix(slot)),
        ]
    )
    assert report.composed == 2
    assert report.posted == 3
    assert report.late == 0
    assert report.slot_computations == 4
    # Ticking again, by the same or a fresh replica, posts nothing more.
    clock.now += timedelta(seconds=5)
    again = first.tick(clock.now)
    assert again.posted == 0
    assert again.slot_computations == 0  # the slots computed last tick are reused (R26)
    assert scheduler(store, source, slack, clock).tick(clock.now).posted == 0
    assert len(slack.ok_calls("chat.postMessage")) == 3
    for sub in (a, b, c):
        (post,) = store.posts_of(sub.id)
        assert post.state is PostState.POSTED
        assert post.message_ts is not None


def test_replicas_ticking_together_post_each_slot_once(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    slot = NOW - timedelta(seconds=30)
    subs = [subscribe(store, slot, channel=f"C{i}", request=f"stream:s{i % 4}") for i in range(40)]
    clock = Clock(NOW)
    replicas = [scheduler(store, source, slack, clock, replica=f"r{i}") for i in range(3)]
    barrier = threading.Barrier(3)

    def run(replica: DigestScheduler) -> None:
        barrier.wait()
        replica.tick(NOW)

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    posted = posts_of(slack)
    assert sorted(p[1] for p in posted) == sorted(s.id for s in subs)


def test_a_crash_after_posting_is_recorded_not_posted_again(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    slot = NOW - timedelta(minutes=1)
    sub = subscribe(store, slot)
    clock = Clock(NOW)
    dead = scheduler(store, source, slack, clock, replica="dead")
    # The dead replica claimed, composed and posted, then died before recording.
    store.claim([SlotClaim(sub.id, slot, late=False)], "dead", NOW, timedelta(seconds=30))
    from bot.digest.content import compose_digest

    digest = compose_digest(dead._query(sub), slot, NOW, source)
    ts = dead.poster.post("C1", render_digest(digest), DigestMark(sub.id, slot_unix(slot)))
    # Before the lease ends nobody touches it; after, a survivor finds the message.
    survivor = scheduler(store, source, slack, clock, replica="survivor")
    assert survivor.tick(NOW + timedelta(seconds=10)).posted == 0
    clock.now = NOW + timedelta(seconds=31)
    report = survivor.tick(clock.now)
    assert (report.posted, report.recovered) == (1, 1)
    assert len(slack.ok_calls("chat.postMessage")) == 1
    assert len(slack.ok_calls("conversations.history")) == 1
    (final,) = store.posts_of(sub.id)
    assert (final.state, final.message_ts, final.claimed_by) == (PostState.POSTED, ts, "survivor")


def test_a_crash_before_posting_is_posted_by_a_survivor(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    slot = NOW - timedelta(minutes=1)
    sub = subscribe(store, slot)
    store.claim([SlotClaim(sub.id, slot, late=False)], "dead", NOW, timedelta(seconds=30))
    clock = Clock(NOW + timedelta(seconds=31))
    report = scheduler(store, source, slack, clock, replica="survivor").tick(clock.now)
    assert (report.posted, report.recovered) == (1, 0)
    assert [p[1] for p in posts_of(slack)] == [sub.id]


def test_missed_slots_are_posted_late_within_six_hours_else_skipped_and_logged(
    store: DigestStore, source: CssSource, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    two_hours = subscribe(store, NOW - timedelta(hours=2), channel="C2")
    seven_hours = subscribe(store, NOW - timedelta(hours=7), channel="C7")
    caplog.set_level(logging.INFO, logger="bot.digest.scheduler")
    before = {o: digests_counted(o) for o in ("posted", "late", "skipped")}
    report = scheduler(store, source, slack, Clock(NOW)).tick(NOW)
    assert {o: digests_counted(o) - before[o] for o in before} == {
        "posted": 0,
        "late": 1,
        "skipped": 1,
    }
    assert (report.posted, report.late, report.skipped) == (1, 1, 1)
    (call,) = slack.ok_calls("chat.postMessage")
    assert call.channel == "C2"
    assert "late" in call.params["blocks"][0]["text"]["text"]
    assert "Posted late" in str(call.params["blocks"])
    (late,) = store.posts_of(two_hours.id)
    assert late.late
    assert [p.state for p in store.posts_of(seven_hours.id)] == [PostState.SKIPPED]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "digest skipped"
    ]
    skip_record = next(r for r in caplog.records if r.getMessage() == "digest skipped")
    assert skip_record.__dict__["subscription_id"] == seven_hours.id


def test_slack_refusal_is_recorded_as_failed_and_not_retried(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    slot = NOW - timedelta(minutes=1)
    sub = subscribe(store, slot, channel="CGONE")
    slack.remove_channel("CGONE")
    clock = Clock(NOW)
    report = scheduler(store, source, slack, clock).tick(NOW)
    assert report.failed == 1
    (post,) = store.posts_of(sub.id)
    assert post.state is PostState.FAILED
    clock.now += timedelta(minutes=5)
    assert scheduler(store, source, slack, clock).tick(clock.now).failed == 0
    assert len(slack.calls("chat.postMessage")) == 1


def test_a_channel_refused_by_the_access_policy_is_told_instead_of_getting_data(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    # Scopes but no default_scope: C1 has no scope, so its digest shows nothing but why.
    policy = AccessPolicy(scopes={"CTEAM": Filters(domains=("a.push.example",))})
    slot = NOW - timedelta(minutes=1)
    sub = subscribe(store, slot, channel="C1")
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    refused = DigestScheduler(
        store,
        source,
        DigestPoster(client, LocalChannelPacer(rate=1000)),
        replica="r1",
        clock=Clock(NOW),
        scope_for=policy.scope_for,
    )
    report = refused.tick(NOW)
    assert report.outcomes == [(sub.id, slot, "failed")]
    (call,) = slack.ok_calls("chat.postMessage")
    assert call.channel == "C1"
    assert "could not be made" in call.params["text"]
    assert NO_SCOPE.split(";")[0] in call.params["text"]
