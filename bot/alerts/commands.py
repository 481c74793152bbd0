"""`/recordings alert <filters> [failures|all]`, `alert list`, `alert off N`, `alert on N`,
in a channel.

An alert belongs to the channel it was made in: only listed, turned off or back on there; its
filters must lie within the channel's access scope (checked when made and on every post). An
alert Slack would not let recbot post is paused (its creator is told once); `alert on N`
resumes it once recbot may post there again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alerts.rules import Level
from bot.alerts.store import AlertStore
from bot.errors import ParseError, RecbotError
from bot.filters import Filters, narrow_to_scope
from bot.render.alert_message import AlertLine, render_alert_list, render_alert_reply
from bot.render.escape import code
from bot.render.home import HomeAlertLine
from bot.render.message import SlackMessage
from bot.request import Subcommand, parse_request

USAGE = ("alert livetest", "alert app:live all", "alert list", "alert off 3", "alert on 3")


def alert_filters(text: str, now: datetime, zone: ZoneInfo) -> Filters:
    """The filters of an alert's text; a time phrase or a status makes no sense for an alert."""
    request = parse_request(text, now, zone) if text else None
    if request is None:
        return Filters()
    if request.subcommand is not Subcommand.ANSWER or request.phrase is not None:
        raise ParseError("An alert takes stream, app or domain filters only, no time", USAGE)
    if request.filters.task_ids:
        # Callbacks are matched by stream, app and domain: a TaskId would be ignored, and
        # the alert would hear of every stream.
        raise ParseError(
            "An alert follows streams, apps or domains, not a TaskId; name the task's stream",
            USAGE,
        )
    return request.filters


def _no_such_alert(number: str) -> RecbotError:
    return RecbotError(f"There is no alert {number} in this channel; see `/recordings alert list`.")


class SlackAlerts:
    """Implements `bot.slack.answers.AlertCommands`."""

    def __init__(
        self,
        store: AlertStore,
        team_id: str,
        scope_for: Callable[[str | None], Filters | None],
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.team_id = team_id
        self.scope_for = scope_for
        self.clock = clock

    def home_lines(self, user_id: str) -> list[HomeAlertLine]:
        """This person's alerts, every channel, for the App Home list."""
        return [
            HomeAlertLine(s.id, s.channel_id, s.request_text, s.level.value)
            for s in self.store.of_creator(self.team_id, user_id)
        ]

    def home_off(self, value: str, user_id: str, may_use: Callable[[str], None]) -> SlackMessage:
        """The App Home Off button: the value is untrusted (a number or nothing), only the
        alert's creator may press it, and `may_use` (the access policy) must still let them
        use its channel."""
        number = value.strip()
        sub = self.store.get(int(number)) if number.isdigit() and len(number) < 10 else None
        if sub is None or sub.team_id != self.team_id or sub.creator_id != user_id:
            raise ParseError(f"You have no alert {number[:12]}", ("alert list",))
        may_use(sub.channel_id)
        self.store.deactivate(sub.id, self.team_id, sub.channel_id)
        return render_alert_reply(f"Alert {sub.id} in <#{sub.channel_id}> is off.")

    def handle(
        self, args: str, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        if not channel_id or channel_id.startswith("D"):
            raise RecbotError("Alerts post in a channel: ask for one there, not in a DM.")
        words = args.split()
        now = self.clock()
        if words[:1] == ["list"] and len(words) == 1:
            subs = self.store.of_channel(self.team_id, channel_id)
            lines = [
                AlertLine(
                    s.id, s.request_text, s.level.value, s.created_at, s.paused_at, s.paused_why
                )
                for s in subs
            ]
            return render_alert_list(lines, zone)
        if words[:1] == ["on"]:
            if len(words) != 2 or not words[1].isdigit():
                raise ParseError("Say which paused alert to turn back on", ("alert on 3",))
            resumed = self.store.resume(int(words[1]), self.team_id, channel_id)
            if resumed is None:
                raise _no_such_alert(words[1])
            if not resumed:
                return render_alert_reply(f"Alert {words[1]} is on already (it was not paused).")
            return render_alert_reply(
                f"Alert {words[1]} is back on. If Slack still refuses posts here, it pauses "
                "again and its creator is told."
            )
        if words[:1] == ["off"]:
            if len(words) != 2 or not words[1].isdigit():
                raise ParseError("Say which alert to turn off", ("alert off 3",))
            if not self.store.deactivate(int(words[1]), self.team_id, channel_id):
                raise _no_such_alert(words[1])
            return render_alert_reply(f"Alert {words[1]} is off.")
        level = Level.FAILURES
        if words and words[-1] in (Level.FAILURES.value, Level.ALL.value):
            level = Level(words.pop())
        text = " ".join(words)
        filters = alert_filters(text, now, zone)
        narrow_to_scope(filters, self.scope_for(channel_id))  # refuses what is outside the scope
        sub = self.store.add(
            self.team_id,
            channel_id,
            creator_id=user_id,
            request_text=text,
            level=level,
            tz=zone.key,
            now=now,
        )
        what = "failures" if level is Level.FAILURES else "starts, ends and failures"
        return render_alert_reply(
            f"Alert {sub.id} is on: this channel hears of recording {what} for "
            f"{code(text) if text else 'all streams'} within seconds. "
            f"`/recordings alert off {sub.id}` stops it."
        )
