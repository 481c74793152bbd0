"""Builds the Slack-native parts (modals, pickers, workflow step) from what `build_bot` made."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.access import AccessPolicy
from bot.config import Settings
from bot.slack.answers import DigestCommands, NameCommands, SlackConversation
from bot.slack.modals import Views
from bot.slack.native import NativeParts
from bot.slack.parts import BotParts
from bot.slack.pickers import RecentNames
from bot.source import TaskSource


def build_native(
    *,
    settings: Settings,
    client: WebClient,
    parts: BotParts,
    source: TaskSource,
    policy: AccessPolicy,
    conversation: SlackConversation,
    digests: DigestCommands | None,
    names: NameCommands | None = None,
) -> NativeParts:
    pickers = RecentNames(source, conversation.clock, parts.pool.submit)
    return NativeParts(
        views=Views(client),
        policy=policy,
        zone_of=conversation.zone_of,
        members_of=conversation.members_of,
        clock=conversation.clock,
        pickers=pickers,
        source=source,
        default_zone=ZoneInfo(settings.recbot_default_tz),
        digests=digests,
        date_order=conversation.date_order,
        alerts=conversation.alerts,
        names=names,
    )
