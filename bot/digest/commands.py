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
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.digest.content import DigestQuery, digest_filters
from bot.digest.schedule import WEEKDAYS, Kind, Schedule, next_slot
from bot.digest.store import DigestStore, NewSubscription, Subscription
from bot.errors import AccessDenied, ParseError
from bot.filters import Filters
from bot.render.escape import mrkdwn
from bot.render.message import SlackMessage

if TYPE_CHECKING:
    from bot.digest.scheduler import DigestScheduler

ACTION_DIGEST_OFF = "recbot_digest_off"
MAX_PER_CHANNEL = 20
USAGE = (
    "digest daily 09:00 livetest",
    "digest weekly mon 09:00 domain:a.push.example",
    "digest list",
    "digest off 12",
    "digest now 12",
)
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_DAY_NAMES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    full: i for i, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}


class Verb(StrEnum):
    SUBSCRIBE = "subscribe"
    LIST = "list"
    OFF = "off"
    NOW = "now"


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
        raise ParseError(f"I couldn't read '{mrkdwn(text[:20])}' as a time of day",
                         ("09:00", "9am", "17:30"))
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ParseError(f"'{mrkdwn(text[:20])}' is not a time of day", ("9am", "12:30pm"))
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ParseError(f"'{mrkdwn(text[:20])}' is not a time of day", ("09:00", "23:30"))
    return time(hour, minute)


def _subscription_id(words: list[str], verb: str) -> int:
    if len(words) != 2 or not words[1].isdigit() or len(words[1]) > 9:
        raise ParseError(f"'digest {verb}' needs a digest number from 'digest list'",
                         (f"digest {verb} 12",))
    return int(words[1])


def parse_digest_args(args: str) -> DigestCommand:
    """What `digest <args>` asks for; raises ParseError with examples when it can't tell."""
    words = args.split()
    if not words:
        raise ParseError("Say which digest", USAGE)
    verb = words[0].lower()
    if verb == "list" and len(words) == 1:
        return DigestCommand(Verb.LIST)
    if verb in ("off", "now"):
        return DigestCommand(Verb(verb), subscription_id=_subscription_id(words, verb))
    if verb == "daily" and len(words) >= 2:
        return DigestCommand(Verb.SUBSCRIBE, Kind.DAILY, parse_time(words[1]),
                             request_text=" ".join(words[2:]))
    if verb == "weekly" and len(words) >= 3:
        day = _DAY_NAMES.get(words[1].lower())
        if day is None:
            raise ParseError(f"I couldn't read '{mrkdwn(words[1][:20])}' as a weekday",
                             ("digest weekly mon 09:00", "digest weekly friday 17:00"))
        return DigestCommand(Verb.SUBSCRIBE, Kind.WEEKLY, parse_time(words[2]), day,
                             request_text=" ".join(words[3:]))
    raise ParseError(f"I couldn't read 'digest {mrkdwn(args[:40])}'", USAGE)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _describe(sub: Subscription, now: datetime) -> str:
    what = mrkdwn(sub.request_text) if sub.request_text else "every stream"
    upcoming = int(next_slot(sub.schedule, now).timestamp())
    return (f"*#{sub.id}* {sub.schedule.describe()} in <#{sub.channel_id}>: {what} · next "
            f"<!date^{upcoming}^{{date_short_pretty}} {{time}}|{upcoming}>")


class SlackDigests:
    """Implements `bot.slack.answers.DigestCommands` for one workspace."""

    def __init__(
        self,
        store: DigestStore,
        team_id: str,
        *,
        scope_for: Callable[[str | None], Filters | None] = lambda _c: None,
        scheduler: DigestScheduler | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.team_id = team_id
        self.scope_for = scope_for
        self.scheduler = scheduler
        self.clock = clock

    def handle(
        self, args: str, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        command = parse_digest_args(args)
        if command.verb is Verb.LIST:
            return self._list(channel_id)
        assert command.subscription_id is not None or command.verb is Verb.SUBSCRIBE
        if command.verb is Verb.OFF:
            return self._off(command.subscription_id or 0)
        if command.verb is Verb.NOW:
            return self._now(command.subscription_id or 0)
        return self._subscribe(command, user_id, channel_id, zone)

    def _subscribe(
        self, command: DigestCommand, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        if not channel_id:
            raise ParseError("Subscribe from the channel that should get the digest",
                             ("/recordings digest daily 09:00",))
        assert command.kind is not None
        assert command.at is not None
        schedule = Schedule(command.kind, command.at, zone.key, command.weekday)
        # Checked now, so a digest can never fail later for a reason known today.
        digest_filters(DigestQuery(command.kind, command.request_text, zone.key,
                                   self.scope_for(channel_id)), self.clock())
        if len(self.store.subscriptions_of(self.team_id, channel_id)) >= MAX_PER_CHANNEL:
            raise ParseError(f"This channel already has {MAX_PER_CHANNEL} digests; "
                             "turn one off first", ("digest list", "digest off 12"))
        sub = self.store.add_subscription(
            NewSubscription(self.team_id, channel_id, user_id, schedule, command.request_text),
            self.clock(),
        )
        text = (f"Subscribed. {_describe(sub, self.clock())}. "
                f"Turn it off with `/recordings digest off {sub.id}`.")
        return SlackMessage(text=f"Digest #{sub.id}: {sub.schedule.describe()}",
                            blocks=[_section(text)])

    def _list(self, channel_id: str | None) -> SlackMessage:
        subs = self.store.subscriptions_of(self.team_id, channel_id)
        now = self.clock()
        if not subs:
            text = "No digests here yet; try `/recordings digest daily 09:00`."
            return SlackMessage(text=text, blocks=[_section(text)])
        lines = [_describe(s, now) for s in subs]
        return SlackMessage(text=f"{len(subs)} digests", blocks=[_section("\n".join(lines))])

    def _owned(self, subscription_id: int) -> Subscription:
        sub = self.store.get_subscription(subscription_id)
        if sub is None or sub.team_id != self.team_id or not sub.active:
            raise ParseError(f"There is no active digest #{subscription_id}", ("digest list",))
        return sub

    def _off(self, subscription_id: int) -> SlackMessage:
        sub = self._owned(subscription_id)
        self.store.deactivate(sub.id, self.team_id)
        text = f"Digest #{sub.id} in <#{sub.channel_id}> is off."
        return SlackMessage(text=text, blocks=[_section(text)])

    def _now(self, subscription_id: int) -> SlackMessage:
        sub = self._owned(subscription_id)
        if self.scheduler is None:
            raise AccessDenied("Digests are posted by `recbot serve`; it is not running here.")
        self.scheduler.post_now(sub, self.clock())
        text = f"Posted digest #{sub.id} to <#{sub.channel_id}>."
        return SlackMessage(text=text, blocks=[_section(text)])

    def off_button(self, value: str) -> SlackMessage:
        """The App Home Off button; the value is untrusted, so it is parsed like typed text."""
        return self.handle(f"off {value}", "", None, ZoneInfo("UTC"))

    def home_blocks(self, user_id: str) -> list[dict[str, Any]]:
        mine = [s for s in self.store.subscriptions_of(self.team_id) if s.creator_id == user_id]
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": "Your digests"}}
        ]
        if not mine:
            blocks.append(_section(
                "None yet. In a channel: `/recordings digest daily 09:00 [request]`."))
            return blocks
        now = self.clock()
        for sub in mine[:MAX_PER_CHANNEL]:
            blocks.append({
                **_section(_describe(sub, now)),
                "accessory": {
                    "type": "button",
                    "action_id": ACTION_DIGEST_OFF,
                    "text": {"type": "plain_text", "text": "Off"},
                    "value": str(sub.id),
                    "style": "danger",
                },
            })
        return blocks
