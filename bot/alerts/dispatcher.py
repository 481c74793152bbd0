"""The alert loop every `recbot serve` process runs: new alertable callbacks → claim → post.

Exactly once across replicas, as with digests: every replica looks at the recent alertable
events, but only the one whose INSERT of the (subscription, event) row wins posts it. A
claim whose replica died (its lease ran out) is taken over by another, which first looks in
the channel for a message carrying the alert's metadata, in case the dead one had posted.
The receiving replica nudges its loop, so an alert leaves within a tick of its callback.

Given a task source, the loop also looks, once per `task_check`, for tasks no callback speaks
of: cut short by a stop, or silent 5 minutes after they began (`bot.alerts.task_check`); their
claim keys are `task:<id>:stopped_early` and `task:<id>:nothing_received`. A channel Slack will
not let recbot post in pauses its alert (`AlertStore.pause`: one replica, one DM).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot.alerts.commands import alert_filters
from bot.alerts.rules import LEVEL_EVENTS, wants
from bot.alerts.store import AlertPost, AlertStore, AlertSubscription
from bot.alerts.task_check import TASK_LOOKBACK, TaskAlert, check_tasks, is_task_key
from bot.digest.delivery import slack_error
from bot.errors import RecbotError
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.store import EvidenceStore
from bot.filters import Filters, narrow_to_scope
from bot.obs.metrics import ALERTS
from bot.render.alert_message import render_alert, render_alert_paused, render_task_alert
from bot.render.message import SlackMessage
from bot.render.unpostable import UNPOSTABLE
from bot.source import TaskSource

log = logging.getLogger(__name__)

# Events received longer ago than this are not alerted any more (the loop was down).
LOOKBACK = timedelta(minutes=2)
PRUNE_EVERY = timedelta(hours=1)
CLAIM_CHUNK = 5
# Each tick reads only callbacks stored after the last one it saw, and again those of the last
# few seconds: on PostgreSQL a row with a lower id can commit after a higher one (another
# replica's batch). A callback storm then costs a tick a few seconds of rows, not 2 minutes.
RECHECK = timedelta(seconds=3)
TASK_CHECK = timedelta(seconds=60)

# What an alert is about: a stored callback, or a task no callback speaks of.
Alertable = RecordingEvent | TaskAlert
# The least time between two ticks, however often the receiver nudges.
NUDGE_GAP_S = 0.1


@dataclass(frozen=True)
class AlertMark:
    """The metadata an alert message carries, so a takeover can tell it was already posted."""

    subscription_id: int
    event_key: str

    def metadata(self) -> dict[str, Any]:
        return {
            "event_type": "recbot_alert",
            "event_payload": {"subscription_id": self.subscription_id, "event": self.event_key},
        }

    @classmethod
    def of(cls, message: dict[str, Any]) -> AlertMark | None:
        meta = message.get("metadata") or {}
        payload = meta.get("event_payload") or {}
        if meta.get("event_type") != "recbot_alert":
            return None
        try:
            return cls(int(payload["subscription_id"]), str(payload["event"]))
        except (KeyError, TypeError, ValueError):
            return None


class AlertPoster(Protocol):
    """Delivery, passed in (a Slack chat.postMessage in serve; a stand-in in tests)."""

    def pace(self, channel: str) -> float:
        """Wait for `channel`'s turn (about one message a second); return the seconds waited."""
        ...

    def post(self, channel: str, message: SlackMessage, mark: AlertMark) -> str:
        """Post; return the message ts. Raise on failure."""
        ...

    def find_posted(self, channel: str, mark: AlertMark, since: datetime) -> str | None:
        """The ts of a message in `channel` since `since` carrying `mark`, if any."""
        ...

    def tell(self, user_id: str, message: SlackMessage) -> bool:
        """A direct message to `user_id`; False when Slack refused it."""
        ...


def _by_channel_rank(
    wanted: list[tuple[AlertSubscription, Alertable]],
) -> list[tuple[AlertSubscription, Alertable]]:
    """Each channel's first alert, then each one's second, ...: one busy channel's pacing
    holds up no other channel's alert."""
    per: dict[str, list[tuple[AlertSubscription, Alertable]]] = defaultdict(list)
    for item in wanted:
        per[item[0].channel_id].append(item)
    return [w for row in zip_longest(*per.values()) for w in row if w is not None]


class AlertDispatcher:
    def __init__(
        self,
        evidence: EvidenceStore,
        store: AlertStore,
        poster: AlertPoster,
        *,
        replica: str,
        clock: Callable[[], datetime],
        scope_for: Callable[[str | None], Filters | None] = lambda _c: None,
        lease: timedelta = timedelta(seconds=30),
        tick_s: float = 1.0,
        tasks: TaskSource | None = None,
        task_check: timedelta = TASK_CHECK,
    ) -> None:
        self.evidence = evidence
        self.store = store
        self.poster = poster
        self.replica = replica
        self.clock = clock
        self.scope_for = scope_for
        self.lease = lease
        self.tick_s = tick_s
        self._settled: dict[tuple[int, str], datetime] = {}
        # The callback feed: the kinds read and the last row seen.
        self._feed_kinds: frozenset[RecordEvent] = frozenset()
        self._feed_after = 0
        self._filters: dict[tuple[int, str], Filters | None] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned: datetime | None = None
        # Tasks to look at for alerts no callback makes (None: callbacks' alerts only).
        self.tasks = tasks
        self.task_check = task_check
        self._task_checked: datetime | None = None
        self._task_alerts: dict[str, TaskAlert] = {}
        self._paused: set[int] = set()  # paused by this replica during this tick
        # Told of each alert this replica posted (the audit trail records it once).
        self.on_posted: Callable[[AlertSubscription, Alertable], None] | None = None

    # --- the loop ---------------------------------------------------------------------------

    def nudge(self, _row_id: int = 0) -> None:
        """A callback was just stored here: look now rather than at the next tick."""
        self._wake.set()

    def start(self) -> AlertDispatcher:
        self._thread = threading.Thread(target=self._run, name="alert-dispatcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.tick_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.tick(self.clock())
            except Exception:
                log.exception("alert tick failed; trying again next tick")
            # Nudges arriving meanwhile are served by one tick after this gap, not one each: a
            # callback storm commits a batch every few milliseconds (docs/evidence.md).
            self._stop.wait(NUDGE_GAP_S)

    # --- one tick ---------------------------------------------------------------------------

    def _filters_of(self, sub: AlertSubscription, now: datetime) -> Filters | None:
        """The subscription's filters within its channel's scope now; None when the scope
        no longer allows them (nothing is posted then)."""
        cache_key = (sub.id, sub.request_text)
        if cache_key not in self._filters:
            try:
                asked = alert_filters(sub.request_text, now, ZoneInfo(sub.tz))
                self._filters[cache_key] = narrow_to_scope(asked, self.scope_for(sub.channel_id))
            except RecbotError:
                self._filters[cache_key] = None
        return self._filters[cache_key]

    def tick(self, now: datetime) -> int:
        """Claim and post what is due; how many alerts this replica posted."""
        self._maybe_prune(now)
        self._paused.clear()
        subs = self.store.active()
        posted = 0
        if subs:
            wanted = self._wanted_events(subs, now) + self._wanted_tasks(subs, now)
            by_key = {(s.id, item.key): (s, item) for s, item in _by_channel_rank(wanted)}
            keys = list(by_key)
            # A few at a time: a replica holds only claims it is about to post, so a slow
            # channel's pacing never outlasts a lease it holds.
            for start in range(0, len(keys), CLAIM_CHUNK):
                chunk = keys[start : start + CLAIM_CHUNK]
                claims = self.store.claim(chunk, self.replica, self.clock(), self.lease)
                for claim in claims:
                    sub, item = by_key[(claim.subscription_id, claim.event_key)]
                    posted += self._post(claim, sub, item, recovered=False)
                for key in chunk:
                    self._settled[key] = now
            posted += self._take_over(now, {s.id: s for s in subs})
        self._settled = {
            k: t
            for k, t in self._settled.items()
            if t > now - (TASK_LOOKBACK if is_task_key(k[1]) else LOOKBACK) * 2
        }
        return posted

    def _wanted_events(
        self, subs: list[AlertSubscription], now: datetime
    ) -> list[tuple[AlertSubscription, Alertable]]:
        """The recent callbacks each subscription posts and nobody settled here yet."""
        wanted: list[tuple[AlertSubscription, Alertable]] = []
        kinds = frozenset().union(*(LEVEL_EVENTS[s.level] for s in subs))
        if kinds != self._feed_kinds:  # a new level: read the whole lookback again
            self._feed_kinds, self._feed_after = kinds, 0
        received = self.evidence.received_since(
            now - LOOKBACK, kinds, after_id=self._feed_after, unsure_since=now - RECHECK
        )
        if received:
            self._feed_after = max(self._feed_after, *(e.id for e in received))
        for stored in received:
            for sub in subs:
                if (sub.id, stored.event.key) in self._settled:
                    continue
                if stored.received_at < sub.created_at:
                    continue
                filters = self._filters_of(sub, now)
                if filters is not None and wants(sub.level, filters, stored.event):
                    wanted.append((sub, stored.event))
        return wanted

    def _wanted_tasks(
        self, subs: list[AlertSubscription], now: datetime
    ) -> list[tuple[AlertSubscription, Alertable]]:
        """The task alerts of the last check that each subscription posts (both levels do):
        within its filters and scope, about a task that ended after it was made."""
        if self.tasks is None:
            return []
        if self._task_checked is None or now - self._task_checked >= self.task_check:
            self._check_tasks(now)
        wanted: list[tuple[AlertSubscription, Alertable]] = []
        for alert in self._task_alerts.values():
            for sub in subs:
                if (sub.id, alert.key) in self._settled or alert.ended < sub.created_at:
                    continue
                filters = self._filters_of(sub, now)
                if filters is not None and filters.matches(alert.task):
                    wanted.append((sub, alert))
        return wanted

    def _check_tasks(self, now: datetime) -> None:
        """Look at the last hour's tasks; a failure keeps the last check's findings."""
        if self.tasks is None:
            return
        self._task_checked = now
        try:
            found = check_tasks(self.tasks, self.evidence, now)
        except Exception as exc:  # the API or the database: callbacks' alerts go on
            log.warning("alert task check failed", extra={"error": type(exc).__name__})
            return
        self._task_alerts = {a.key: a for a in found}

    def _task_alert(self, key: str, now: datetime) -> TaskAlert | None:
        """A task alert by claim key, for a takeover: from the last check, else a new one
        (at most one per tick, however many claims are taken over)."""
        if key not in self._task_alerts and self._task_checked != now:
            self._check_tasks(now)
        return self._task_alerts.get(key)

    def _take_over(self, now: datetime, subs: dict[int, AlertSubscription]) -> int:
        posted = 0
        for stale in self.store.expired(now, now - LOOKBACK * 5):
            sub = subs.get(stale.subscription_id)
            if sub is None:
                continue
            taken = self.store.take_over(stale.id, self.replica, now, self.lease)
            if taken is None:
                continue
            item: Alertable | None = (
                self._task_alert(taken.event_key, now)
                if is_task_key(taken.event_key)
                else self.evidence.event(taken.event_key)
            )
            if item is None:
                self.store.finish(taken.id, self.replica, "failed")
                continue
            posted += self._post(taken, sub, item, recovered=True)
        return posted

    def _render(self, sub: AlertSubscription, item: Alertable) -> SlackMessage:
        zone = ZoneInfo(sub.tz)
        if isinstance(item, TaskAlert):
            return render_task_alert(item.finding, item.task, sub.id, zone, sub.tz)
        return render_alert(item, sub.id, zone, sub.tz)

    def _post(
        self, claim: AlertPost, sub: AlertSubscription, item: Alertable, *, recovered: bool
    ) -> int:
        mark = AlertMark(sub.id, item.key)
        what = item.kind.value if isinstance(item, TaskAlert) else item.event.value
        extra = {"alert": sub.id, "channel": sub.channel_id, "event": what}
        if sub.id in self._paused:  # Slack just refused this channel: not tried again
            self.store.finish(claim.id, self.replica, "failed")
            return 0
        self.poster.pace(sub.channel_id)
        if not self.store.renew(claim.id, self.replica, self.clock(), self.lease):
            log.warning("alert claim expired before its turn; left to another replica", extra=extra)
            return 0
        try:
            if recovered:
                found = self.poster.find_posted(
                    sub.channel_id, mark, since=item.time - timedelta(minutes=5)
                )
                if found is not None:
                    self.store.finish(claim.id, self.replica, "posted", found)
                    log.info("alert was already posted; recorded it", extra=extra)
                    return 0
            ts = self.poster.post(sub.channel_id, self._render(sub, item), mark)
        except SlackApiError as exc:
            code = slack_error(exc)
            ALERTS.labels(outcome="failed").inc()
            if code not in UNPOSTABLE:  # the lease runs out and a replica tries again
                log.warning("alert post failed", extra={**extra, "error": code})
                return 0
            self.store.finish(claim.id, self.replica, "failed")
            self._pause(sub, code)
            return 0
        except Exception as exc:
            # The claim's lease runs out and this or another replica tries again.
            log.warning("alert post failed", extra={**extra, "error": type(exc).__name__})
            ALERTS.labels(outcome="failed").inc()
            return 0
        self.store.finish(claim.id, self.replica, "posted", ts)
        ALERTS.labels(outcome="posted").inc()
        log.info("alert posted", extra=extra)
        if self.on_posted is not None:
            try:
                self.on_posted(sub, item)
            except Exception:  # the alert went out; a lost audit record must not undo that
                log.exception("alert audit record failed", extra=extra)
        return 1

    def _pause(self, sub: AlertSubscription, code: str) -> None:
        """Pause an alert Slack will not let us post, and tell its creator once how to fix it:
        only the replica whose record made the pause sends the message."""
        self._paused.add(sub.id)
        if not self.store.pause(sub.id, self.replica, self.clock(), code):
            return
        message = render_alert_paused(sub.id, sub.request_text, sub.channel_id, code)
        told = self.poster.tell(sub.creator_id, message)
        ALERTS.labels(outcome="paused").inc()
        log.warning(
            "alert paused: channel refuses posts",
            extra={"alert": sub.id, "channel": sub.channel_id, "error": code, "told": told},
        )

    def _maybe_prune(self, now: datetime) -> None:
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self._pruned = now
            gone = self.evidence.prune(now)
            if gone:
                log.info("old recording evidence pruned", extra={"events": gone})
