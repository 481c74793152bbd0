"""`digest …` from Slack: subscribe (daily/weekly), list, off, now; and the App Home list.

`parse_digest_args` is pure (text -> DigestCommand); `SlackDigests` carries it out against the
store and implements `bot.slack.answers.DigestCommands`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.access import OPEN_POLICY, AccessPolicy
from bot.digest.content import DigestQuery, digest_filters
from bot.digest.now import DigestNowThrottle, Throttled
from bot.digest.schedule import WEEKDAYS, Kind, Schedule, next_slot
from bot.digest.store import (
    DigestStore,
    LimitReached,
    NewSubscription,
    Subscription,
    SubscriptionLimits,
)
from bot.errors import AccessDenied, ParseError, RecbotError
from bot.render.digest_replies import (
    ACTION_DIGEST_OFF,
    DigestLine,
    render_digest_list,
    render_digest_off,
    render_digest_posted,
    render_digest_resumed,
    render_subscribed,
)
from bot.render.message import SlackMessage
from bot.render.unpostable import (
    UNPOSTABLE,
    render_resumed_here,
    render_still_unpostable,
)

if TYPE_CHECKING:
    from bot.digest.scheduler import DigestScheduler

__all__ = ["ACTION_DIGEST_OFF", "DigestCommand", "SlackDigests", "Verb", "parse_digest_args"]

MAX_PER_CHANNEL = 20
MAX_PER_USER = 40  # one person, every channel of the workspace
LIMITS = SubscriptionLimits(per_channel=MAX_PER_CHANNEL, per_user=MAX_PER_USER)
_LIMIT_SENTENCES = {
    "channel": f"This channel already has {MAX_PER_CHANNEL} digests; turn one off first",
    "user": f"You already have {MAX_PER_USER} digests across channels; turn one off first",
}
USAGE = (
    "digest daily 09:00 livetest",
    "digest weekly mon 09:00 domain:a.push.example",
    "digest list",
    "digest off 12",
    "digest now 12",
    "digest on 12",
)
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_DAY_NAMES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    full: i
    for i, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}


class Verb(StrEnum):
    SUBSCRIBE = "subscribe"
    LIST = "list"
    OFF = "off"
    NOW = "now"
    ON = "on"  # resume a paused digest


@dataclass(frozen=True)
class DigestCommand:
    verb: Verb
    kind: Kind | None = None
    at: time | None = None
    weekday: int | None = None
    request_text: str = ""
    subscription_id: int | None = None


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise ParseError(
            f"I couldn't read '{text[:20]}' as a time of day", ("09:00", "9am", "17:30")
        )
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ParseError(f"'{text[:20]}' is not a time of day", ("9am", "12:30pm"))
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ParseError(f"'{text[:20]}' is not a time of day", ("09:00", "23:30"))
    return time(hour, minute)


def _subscription_id(words: list[str], verb: str) -> int:
    if len(words) != 2 or not words[1].isdigit() or len(words[1]) > 9:
        raise ParseError(
            f"'digest {verb}' needs a digest number from 'digest list'", (f"digest {verb} 12",)
        )
    return int(words[1])


def parse_digest_args(args: str) -> DigestCommand:
    """What `digest <args>` asks for; raises ParseError with examples when it can't tell."""
    words = args.split()
    if not words:
        raise ParseError("Say which digest", USAGE)
    verb = words[0].lower()
    if verb == "list" and len(words) == 1:
        return DigestCommand(Verb.LIST)
    if verb in ("off", "now", "on"):
        return DigestCommand(Verb(verb), subscription_id=_subscription_id(words, verb))
    if verb == "daily" and len(words) >= 2:
        return DigestCommand(
            Verb.SUBSCRIBE, Kind.DAILY, parse_time(words[1]), request_text=" ".join(words[2:])
        )
    if verb == "weekly" and len(words) >= 3:
        day = _DAY_NAMES.get(words[1].lower())
        if day is None:
            raise ParseError(
                f"I couldn't read '{words[1][:20]}' as a weekday",
                ("digest weekly mon 09:00", "digest weekly friday 17:00"),
            )
        return DigestCommand(
            Verb.SUBSCRIBE, Kind.WEEKLY, parse_time(words[2]), day, request_text=" ".join(words[3:])
        )
    raise ParseError(f"I couldn't read 'digest {args[:40]}'", USAGE)


def _line(sub: Subscription, now: datetime) -> DigestLine:
    return DigestLine(
        sub.id,
        sub.schedule.describe(),
        sub.channel_id,
        sub.request_text,
        next_slot(sub.schedule, now),
    )


class SlackDigests:
    """Implements `bot.slack.answers.DigestCommands` for one workspace.

    Who may touch a digest: typed `off`/`now` only in the digest's own channel, the App Home
    Off button only by the person who made it; either way the access policy must let that
    person ask in the digest's channel.
    """

    def __init__(
        self,
        store: DigestStore,
        team_id: str,
        *,
        policy: AccessPolicy = OPEN_POLICY,
        members_of: Callable[[str], frozenset[str]] = lambda _group: frozenset(),
        scheduler: DigestScheduler | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        now_throttle: DigestNowThrottle | None = None,
    ) -> None:
        self.store = store
        self.team_id = team_id
        self.policy = policy
        self.members_of = members_of
        self.scheduler = scheduler
        self.clock = clock
        self.now_throttle = now_throttle or DigestNowThrottle()

    def handle(
        self, args: str, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        command = parse_digest_args(args)
        if command.verb is Verb.LIST:
            return self._list(channel_id)
        if command.verb is Verb.SUBSCRIBE:
            return self._subscribe(command, user_id, channel_id, zone)
        assert command.subscription_id is not None
        if command.verb is Verb.ON:
            # In its channel (once recbot is invited there), or by its creator anywhere.
            paused = self._paused(command.subscription_id)
            if paused.channel_id != channel_id and paused.creator_id != user_id:
                raise ParseError(
                    f"There is no paused digest #{paused.id} in this channel", ("digest list",)
                )
            self.policy.check(user_id, paused.channel_id, self.members_of)
            return self._resume(paused)
        sub = self._owned(command.subscription_id)
        if sub.channel_id != channel_id:
            # Typed commands act on this channel's digests only (see `digest list`).
            raise ParseError(
                f"There is no active digest #{sub.id} in this channel", ("digest list",)
            )
        self.policy.check(user_id, sub.channel_id, self.members_of)
        if command.verb is Verb.OFF:
            return self._off(sub)
        return self._now(sub, user_id)

    def home_off(self, value: str, user_id: str) -> SlackMessage:
        """The App Home Off button: the value is untrusted, so it is parsed like typed text,
        and only the digest's creator may use it."""
        return self._off(self._pressed(Verb.OFF, value, user_id))

    def home_resume(self, value: str, user_id: str) -> SlackMessage:
        """The Resume button (DM or App Home): value untrusted, creator only, as Off."""
        return self._resume(self._pressed(Verb.ON, value, user_id))

    def _pressed(self, verb: Verb, value: str, user_id: str) -> Subscription:
        """The digest a button names: its value parsed like typed text, its creator only,
        while the access policy lets them ask in its channel."""
        command = parse_digest_args(f"{verb.value} {value}")
        assert command.subscription_id is not None
        on = verb is Verb.ON
        sub = (self._paused if on else self._owned)(command.subscription_id)
        if sub.creator_id != user_id:
            state = "paused" if on else "active"
            raise ParseError(f"You have no {state} digest #{sub.id}", ("digest list",))
        self.policy.check(user_id, sub.channel_id, self.members_of)
        return sub

    def home_paused(self, user_id: str) -> list[DigestLine]:
        """This person's digests paused because their channel refused the post."""
        now = self.clock()
        return [
            _line(s, now)
            for s in self.store.inactive_of(self.team_id, user_id)
            if self.store.last_failure(s.id) in UNPOSTABLE
        ]

    def home_lines(self, user_id: str) -> list[DigestLine]:
        """This person's digests, for the App Home list."""
        now = self.clock()
        return [
            _line(s, now)
            for s in self.store.subscriptions_of(self.team_id)
            if s.creator_id == user_id
        ]

    def _subscribe(
        self, command: DigestCommand, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        if not channel_id:
            raise ParseError(
                "Subscribe from the channel that should get the digest",
                ("/recordings digest daily 09:00",),
            )
        assert command.kind is not None
        assert command.at is not None
        schedule = Schedule(command.kind, command.at, zone.key, command.weekday)
        # Checked now, so a digest can never fail later for a reason known today.
        digest_filters(
            DigestQuery(
                command.kind, command.request_text, zone.key, self.policy.scope_for(channel_id)
            ),
            self.clock(),
        )
        try:
            sub = self.store.add_subscription(
                NewSubscription(self.team_id, channel_id, user_id, schedule, command.request_text),
                self.clock(),
                LIMITS,
            )
        except LimitReached as limit:
            raise ParseError(
                _LIMIT_SENTENCES[limit.scope], ("digest list", "digest off 12")
            ) from None
        return render_subscribed(_line(sub, self.clock()))

    def _list(self, channel_id: str | None) -> SlackMessage:
        now = self.clock()
        return render_digest_list(
            [_line(s, now) for s in self.store.subscriptions_of(self.team_id, channel_id)]
        )

    def _owned(self, subscription_id: int) -> Subscription:
        sub = self.store.get_subscription(subscription_id)
        if sub is None or sub.team_id != self.team_id or not sub.active:
            raise ParseError(f"There is no active digest #{subscription_id}", ("digest list",))
        return sub

    def _paused(self, subscription_id: int) -> Subscription:
        sub = self.store.get_subscription(subscription_id)
        if (
            sub is None
            or sub.team_id != self.team_id
            or sub.active
            or self.store.last_failure(sub.id) not in UNPOSTABLE
        ):
            raise ParseError(f"There is no paused digest #{subscription_id}", ("digest list",))
        return sub

    def _resume(self, sub: Subscription) -> SlackMessage:
        """On again, then one message in its channel proves recbot may post there; if Slack
        still refuses, it is paused again and the person told why. Only whoever's update
        turned it on posts that message (two presses at once post it once)."""
        if not self.store.resume(sub.id, self.team_id):
            raise ParseError(f"Digest #{sub.id} is already on", ("digest list",))
        if self.scheduler is not None:
            refused = self.scheduler.poster.announce(
                sub.channel_id, render_resumed_here(sub.id, sub.schedule.describe())
            )
            if refused is not None:
                self.store.deactivate(sub.id, self.team_id)
                raise RecbotError(render_still_unpostable(sub.id, sub.channel_id, refused))
        return render_digest_resumed(_line(sub, self.clock()))

    def _off(self, sub: Subscription) -> SlackMessage:
        self.store.deactivate(sub.id, self.team_id)
        return render_digest_off(sub.id, sub.channel_id)

    def _now(self, sub: Subscription, user_id: str) -> SlackMessage:
        if self.scheduler is None:
            raise AccessDenied("Digests are posted by `recbot serve`; it is not running here.")
        self.now_throttle.admit(sub.channel_id, user_id)
        # Posted from the digest queue, never from the answer workers (a burst of these must
        # not delay anyone's question).
        if not self.scheduler.post_now_soon(sub, self.clock()):
            raise Throttled("Many digests are being posted right now; try again in a minute")
        return render_digest_posted(sub.id, sub.channel_id)
