"""The digest loop each `recbot serve` process runs: find due slots, claim, compose, post, record.

Exactly once per (subscription, slot), whatever the number of replicas: a slot is posted only
by the replica whose INSERT of its row succeeded (or who took over an expired lease), and a
replica that takes over first looks in the channel for a message carrying the slot's metadata,
in case the first claimer died between posting and recording. Missed slots are posted late
(marked) up to LATE_LIMIT after their time, else recorded as skipped and logged.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import zip_longest

from slack_sdk.errors import SlackApiError

from bot.digest.content import Digest, DigestQuery, compose_digest
from bot.digest.delivery import DigestPoster, slack_error
from bot.digest.message import DigestMark, slot_unix
from bot.digest.now import DigestNowQueue
from bot.digest.schedule import Schedule, slots_between
from bot.digest.store import DigestStore, Post, PostState, SlotClaim, Subscription
from bot.errors import RecbotError
from bot.filters import Filters
from bot.obs.log import ContextThreadPoolExecutor, request_context
from bot.render.digest_message import render_digest
from bot.render.digest_replies import render_digest_failed
from bot.render.message import SlackMessage
from bot.render.unpostable import UNPOSTABLE, render_digest_paused
from bot.source import TaskSource

log = logging.getLogger(__name__)

LATE_LIMIT = timedelta(hours=6)
# Claimed this long after its time, a digest is marked late. Ten minutes leaves room for a
# large slot (1,000 digests paced per channel) while any real outage shows.
LATE_AFTER = timedelta(minutes=10)
# How far back a restarted replica looks for slots it must post late or log as skipped.
LOOKBACK = timedelta(days=8)
# A subscription's slots are computed for this far ahead, then reused tick after tick.
SLOT_HORIZON = timedelta(days=1)
CLAIM_CHUNK = 20
# Posts handed to the pool but not finished; claiming stops until fewer are in flight, so a
# replica never holds many more claims than it is posting (the others take the rest).
IN_FLIGHT = 160
# Slack's errors that retrying the same post cannot fix: record the slot as failed.
_TRANSIENT_SLACK = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


def replica_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Job:
    post: Post
    subscription: Subscription
    recovered: bool  # taken over from a dead claimer: look for its message before posting


@dataclass
class TickReport:
    """What one tick did; the bench and tests read it."""

    posted: int = 0
    late: int = 0
    skipped: int = 0
    failed: int = 0
    recovered: int = 0
    composed: int = 0
    slot_computations: int = 0  # subscriptions whose slots had to be (re)computed
    outcomes: list[tuple[int, datetime, str]] = field(default_factory=list)

    def add(self, job: Job, outcome: str) -> None:
        self.outcomes.append((job.subscription.id, job.post.slot, outcome))
        if outcome in ("posted", "late", "found"):
            self.posted += 1
        if outcome == "late":
            self.late += 1
        if outcome == "found":
            self.recovered += 1
        if outcome == "failed":
            self.failed += 1


@dataclass(frozen=True)
class _Slots:
    """A subscription's slots in `(start, horizon]`, computed once for its schedule."""

    schedule: Schedule
    start: datetime
    horizon: datetime
    slots: tuple[datetime, ...]


@dataclass
class _Tick:
    """One tick's shared state: its time, the digests composed so far, what happened."""

    now: datetime
    report: TickReport
    composed: dict[tuple[DigestQuery, datetime], Digest | RecbotError] = field(default_factory=dict)
    pending: list[tuple[Job, Future[str]]] = field(default_factory=list)


def _count(outcome: str) -> None:
    from bot.obs.metrics import DIGESTS

    DIGESTS.labels(outcome=outcome).inc()


def _by_channel_rank(
    wanted: list[tuple[Subscription, datetime, bool]],
) -> list[tuple[Subscription, datetime, bool]]:
    """Every channel's first digest, then every channel's second, ...: consecutive claims go
    to different channels, so one channel's pacing (~1 post/s) holds up nothing else. Within
    a rank, equal requests stay together, so their shared digest is composed once, early."""
    per: dict[str, list[tuple[Subscription, datetime, bool]]] = defaultdict(list)
    for item in sorted(wanted, key=lambda w: (w[1], w[0].request_text, w[0].id)):
        per[item[0].channel_id].append(item)
    return [w for row in zip_longest(*per.values()) for w in row if w is not None]


class DigestScheduler:
    def __init__(
        self,
        store: DigestStore,
        source: TaskSource,
        poster: DigestPoster,
        *,
        replica: str | None = None,
        lease: timedelta = timedelta(minutes=2),
        tick_s: float = 5.0,
        scope_for: Callable[[str], Filters | None] = lambda _channel: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        post_workers: int = 32,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.poster = poster
        self.replica = replica or replica_id()
        self.lease = lease
        self.tick_s = tick_s
        self.scope_for = scope_for
        self.clock = clock
        self._settled: set[tuple[int, datetime]] = set()
        self._slots: dict[int, _Slots] = {}
        # Posts keep the request id of the tick that composed them.
        self._pool = ContextThreadPoolExecutor(
            max_workers=post_workers, thread_name_prefix="digest-post"
        )
        # `digest now` posts: their own threads and bounded queue (`bot.digest.now`).
        self._now_queue = DigestNowQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_stop = on_stop
        # Told of each digest this replica posted (the audit trail records it once).
        self.on_posted: Callable[[Subscription, Digest | RecbotError, str], None] | None = None

    # --- the loop -------------------------------------------------------------------------

    def start(self) -> DigestScheduler:
        self._thread = threading.Thread(target=self._run, name="digest-scheduler", daemon=True)
        self._thread.start()
        log.info("digest scheduler started", extra={"replica": self.replica})
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._now_queue.drain(timeout)
        self._pool.shutdown(wait=True)
        if self._on_stop is not None:
            self._on_stop()
            self._on_stop = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick(self.clock())
            except Exception:
                log.exception("digest tick failed; trying again next tick")
            self._stop.wait(self.tick_s)

    # --- one tick -------------------------------------------------------------------------

    def _slots_of(
        self, sub: Subscription, start: datetime, now: datetime, report: TickReport
    ) -> list[datetime]:
        """The slots in `(start, now]`, from the cache while it covers them: computing 8 days
        of local times for every subscription on every tick would be most of a tick's work."""
        cached = self._slots.get(sub.id)
        if (
            cached is None
            or cached.schedule != sub.schedule
            or start < cached.start
            or now > cached.horizon
        ):
            horizon = now + SLOT_HORIZON
            cached = _Slots(
                sub.schedule, start, horizon, tuple(slots_between(sub.schedule, start, horizon))
            )
            self._slots[sub.id] = cached
            report.slot_computations += 1
        return [slot for slot in cached.slots if start < slot <= now]

    def _due(
        self, subs: Iterable[Subscription], now: datetime, report: TickReport
    ) -> list[tuple[Subscription, datetime]]:
        due: list[tuple[Subscription, datetime]] = []
        oldest = now - LOOKBACK
        self._settled = {k for k in self._settled if k[1] > oldest}
        active: set[int] = set()
        for sub in subs:
            active.add(sub.id)
            for slot in self._slots_of(sub, max(sub.created_at, oldest), now, report):
                if (sub.id, slot) not in self._settled:
                    due.append((sub, slot))
        self._slots = {k: v for k, v in self._slots.items() if k in active}
        return due

    def tick(self, now: datetime) -> TickReport:
        report = TickReport()
        due = self._due(self.store.active_subscriptions(), now, report)
        if not due:
            return report
        # One request id for the tick's work, so its log lines can be followed together.
        with request_context():
            return self._work(due, now, report)

    def _work(
        self, due: list[tuple[Subscription, datetime]], now: datetime, report: TickReport
    ) -> TickReport:
        rows = {
            (p.subscription_id, p.slot): p
            for p in self.store.posts_since(min(slot for _, slot in due))
        }
        wanted: list[tuple[Subscription, datetime, bool]] = []
        takeovers: list[tuple[Subscription, Post]] = []
        for sub, slot in due:
            row = rows.get((sub.id, slot))
            if row is None:
                if now - slot > LATE_LIMIT:
                    self._skip(sub, slot, now, report)
                else:
                    wanted.append((sub, slot, now - slot > LATE_AFTER))
            elif row.state is not PostState.CLAIMED:
                self._settled.add((sub.id, slot))
            elif row.lease_until < now:
                takeovers.append((sub, row))
        tick = _Tick(now, report)
        ordered = _by_channel_rank(wanted)
        for start in range(0, len(ordered), CLAIM_CHUNK):
            chunk = ordered[start : start + CLAIM_CHUNK]
            subs = {s.id: s for s, _, _ in chunk}
            claims = self.store.claim(
                [SlotClaim(s.id, slot, late) for s, slot, late in chunk],
                self.replica,
                self.clock(),
                self.lease,
            )
            self._deliver([Job(c, subs[c.subscription_id], recovered=False) for c in claims], tick)
        for sub, row in takeovers:
            self._take_over(sub, row, tick)
        self._settle(tick, 0)
        return report

    def _query(self, sub: Subscription) -> DigestQuery:
        return DigestQuery(
            kind=sub.schedule.kind,
            request_text=sub.request_text,
            tz=sub.schedule.tz,
            scope=self.scope_for(sub.channel_id),
        )

    def _skip(self, sub: Subscription, slot: datetime, now: datetime, report: TickReport) -> None:
        self._settled.add((sub.id, slot))
        reason = f"missed by {now - slot}, more than {LATE_LIMIT} late"
        if self.store.skip(sub.id, slot, self.replica, now, reason):
            report.skipped += 1
            report.outcomes.append((sub.id, slot, "skipped"))
            _count("skipped")
            log.warning(
                "digest skipped",
                extra={
                    "subscription_id": sub.id,
                    "channel": sub.channel_id,
                    "slot": slot.isoformat(),
                    "reason": reason,
                },
            )

    def _take_over(self, sub: Subscription, row: Post, tick: _Tick) -> None:
        now, report = tick.now, tick.report
        if now - row.slot > LATE_LIMIT:
            reason = f"claimed by {row.claimed_by}, who never finished; now past the late limit"
            if self.store.skip_abandoned(row.id, self.replica, now, reason):
                self._settled.add((sub.id, row.slot))
                report.skipped += 1
                _count("skipped")
                log.warning(
                    "digest skipped",
                    extra={
                        "subscription_id": sub.id,
                        "slot": row.slot.isoformat(),
                        "reason": reason,
                    },
                )
            return
        late = row.late or now - row.slot > LATE_AFTER
        taken = self.store.take_over(row.id, self.replica, self.clock(), self.lease, late=late)
        if taken is None:
            return  # another replica took it first
        log.info(
            "digest slot taken over",
            extra={"subscription_id": sub.id, "slot": row.slot.isoformat(), "from": row.claimed_by},
        )
        self._deliver([Job(taken, sub, recovered=True)], tick)

    # --- compose and post -------------------------------------------------------------------

    def _deliver(self, jobs: list[Job], tick: _Tick) -> None:
        """Compose once per (query, slot), then hand the posts to the pool and return: the
        next chunk is claimed while these are posted, at most IN_FLIGHT posts ahead."""
        for job in jobs:
            try:
                query = self._query(job.subscription)
            except RecbotError as exc:  # the channel lost its scope: say so there
                future = self._pool.submit(self._post_one, job, exc, tick.now)
                tick.pending.append((job, future))
                continue
            key = (query, job.post.slot)
            if key not in tick.composed:
                try:
                    tick.composed[key] = compose_digest(query, job.post.slot, tick.now, self.source)
                    tick.report.composed += 1
                except RecbotError as exc:
                    log.warning(
                        "digest could not be composed",
                        extra={"request": query.request_text, "error": exc.user_message},
                    )
                    tick.composed[key] = exc
            future = self._pool.submit(self._post_one, job, tick.composed[key], tick.now)
            tick.pending.append((job, future))
        self._settle(tick, IN_FLIGHT)

    def _settle(self, tick: _Tick, limit: int) -> None:
        """Wait until at most `limit` posts are in flight; count the finished ones."""
        while len(tick.pending) > limit:
            wait([f for _, f in tick.pending], return_when=FIRST_COMPLETED)
            still: list[tuple[Job, Future[str]]] = []
            for job, future in tick.pending:
                if future.done():
                    outcome = future.result()
                    tick.report.add(job, outcome)
                    if outcome != "retry":
                        # Known for good; a "retry" slot is looked at again next tick.
                        self._settled.add((job.subscription.id, job.post.slot))
                else:
                    still.append((job, future))
            tick.pending = still

    def _message(self, job: Job, content: Digest | RecbotError, now: datetime) -> SlackMessage:
        late_by = (now - job.post.slot) if job.post.late else None
        if isinstance(content, RecbotError):
            return render_digest_failed(job.subscription.schedule.kind.value, content.user_message)
        return render_digest(content, late_by=late_by)

    def _post_one(self, job: Job, content: Digest | RecbotError, now: datetime) -> str:
        sub, post = job.subscription, job.post
        mark = DigestMark(sub.id, slot_unix(post.slot))
        extra = {
            "subscription_id": sub.id,
            "channel": sub.channel_id,
            "slot": post.slot.isoformat(),
        }
        if self._stop.is_set():
            return "retry"  # shutting down: the claim runs out and another replica posts it
        # Renewed before waiting for the channel's turn, so the database's latency does not
        # bunch posts to one channel; renewed again if the wait ate a third of the lease.
        renewed = self.store.renew(post.id, self.replica, self.clock(), self.lease)
        if renewed and self.poster.pace(sub.channel_id) > self.lease.total_seconds() / 3:
            renewed = self.store.renew(post.id, self.replica, self.clock(), self.lease)
        if not renewed:
            # Our turn came after the lease ran out; whoever takes it over posts (once).
            log.warning(
                "digest claim expired before its turn; left to another replica", extra=extra
            )
            return "retry"
        try:
            if job.recovered:
                found = self.poster.find_posted(
                    sub.channel_id, mark, since=post.slot - timedelta(minutes=1)
                )
                if found is not None:
                    self.store.finish(
                        post.id,
                        self.replica,
                        PostState.POSTED,
                        now=self.clock(),
                        message_ts=found,
                        detail="found in channel after takeover",
                    )
                    log.info("digest was already posted; recorded it", extra=extra)
                    return "found"
            ts = self.poster.post(sub.channel_id, self._message(job, content, now), mark)
        except SlackApiError as exc:
            code = slack_error(exc)
            if code in _TRANSIENT_SLACK:
                log.warning(
                    "digest post failed; the slot is retried when its lease ends",
                    extra={**extra, "error": code},
                )
                return "retry"
            self.store.finish(
                post.id, self.replica, PostState.FAILED, now=self.clock(), detail=code
            )
            _count("failed")
            log.error("digest could not be posted", extra={**extra, "error": code})
            if code in UNPOSTABLE:
                self._pause(sub, code)
            return "failed"
        except Exception as exc:  # connection trouble: the lease runs out and someone retries
            log.warning(
                "digest post failed; the slot is retried when its lease ends",
                extra={**extra, "error": type(exc).__name__},
            )
            return "retry"
        if not self.store.finish(
            post.id, self.replica, PostState.POSTED, now=self.clock(), message_ts=ts
        ):
            log.error("digest posted after this replica lost its claim", extra=extra)
        failed = isinstance(content, RecbotError)
        outcome = "failed" if failed else ("late" if post.late else "posted")
        _count(outcome)
        log.info("digest posted", extra={**extra, "late": post.late, "ts": ts})
        if self.on_posted is not None:
            try:
                self.on_posted(sub, content, outcome)
            except Exception:
                log.exception("digest audit record failed", extra=extra)
        return outcome

    def _pause(self, sub: Subscription, code: str) -> None:
        """Stop a digest Slack will not let us post, and tell its creator once how to fix it.
        Only the replica whose update turned it off sends the message."""
        if not self.store.deactivate(sub.id, sub.team_id):
            return
        message = render_digest_paused(sub.id, sub.schedule.describe(), sub.channel_id, code)
        told = self.poster.tell(sub.creator_id, message)
        log.warning(
            "digest paused: channel refuses posts",
            extra={
                "subscription_id": sub.id,
                "channel": sub.channel_id,
                "error": code,
                "told": told,
            },
        )

    # --- `digest now <id>` ------------------------------------------------------------------

    def post_now_soon(self, sub: Subscription, now: datetime) -> bool:
        """Queue `post_now` on the `digest now` queue; False when that queue is full."""
        return self._now_queue.submit(lambda: self.post_now(sub, now))

    def post_now(self, sub: Subscription, now: datetime) -> str:
        """Post a subscription's digest at once, outside its schedule (no slot is used up)."""
        try:
            content: Digest | RecbotError = compose_digest(self._query(sub), now, now, self.source)
        except RecbotError as exc:
            content = exc
        fake = Post(
            id=0,
            subscription_id=sub.id,
            slot=now,
            state=PostState.CLAIMED,
            claimed_by=self.replica,
            lease_until=now,
            attempts=1,
            late=False,
            message_ts=None,
        )
        message = self._message(Job(fake, sub, recovered=False), content, now)
        self.poster.pace(sub.channel_id)
        ts = self.poster.post(sub.channel_id, message, DigestMark(sub.id, slot_unix(now)))
        if self.on_posted is not None:
            self.on_posted(sub, content, "now")
        return ts
