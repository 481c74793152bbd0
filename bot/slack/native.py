"""What the Slack-native surfaces (shortcuts, modals, pickers, the Workflow Builder step)
share beyond `BotParts`, and their one registration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from slack_bolt import App

from bot.access import AccessPolicy
from bot.errors import ParseError
from bot.slack.answers import AlertCommands, DigestCommands, NameCommands
from bot.slack.modals import Views
from bot.slack.parts import BotParts
from bot.slack.pickers import RecentNames
from bot.source import TaskSource
from bot.timephrase import DateOrder
from bot.timephrase.zones import read_zone


@dataclass(frozen=True)
class NativeParts:
    views: Views
    policy: AccessPolicy
    zone_of: Callable[[str], ZoneInfo]
    members_of: Callable[[str], frozenset[str]]
    clock: Callable[[], datetime]
    pickers: RecentNames
    source: TaskSource
    default_zone: ZoneInfo  # the workflow step's: it carries no person
    digests: DigestCommands | None = None
    date_order: DateOrder = DateOrder.MDY  # RECBOT_DATE_ORDER
    alerts: AlertCommands | None = None  # None: no recording callbacks, so no alerts
    names: NameCommands | None = None  # None: no team memory

    def zone_named(self, name: str, user_id: str) -> tzinfo:
        """A zone carried in a modal's metadata (untrusted), else the user's own."""
        try:
            return read_zone(name)
        except ParseError:
            return self.zone_of(user_id)


def register_native(app: App, parts: BotParts, native: NativeParts) -> None:
    from bot.slack import setup_views, shortcuts, views, workflow_step

    shortcuts.register(app, parts, native)
    views.register(app, parts, native)
    setup_views.register(app, parts, native)
    workflow_step.register(app, parts, native)
