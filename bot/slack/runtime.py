"""Build the bot from the settings: one WebClient, the task source, access, the pool, the app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.access import AccessPolicy, load_policy
from bot.config import Settings
from bot.replicas.factory import make_seen_events
from bot.slack.answers import DigestCommands, SlackConversation
from bot.slack.app import build_app, web_client
from bot.slack.delivery import Delivery
from bot.slack.parts import BotParts
from bot.slack.server import Bot
from bot.slack.timezones import TimeZones
from bot.slack.usergroups import UserGroups
from bot.slack.workers import WorkPool
from bot.source import TaskSource

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def build_bot(
    settings: Settings,
    *,
    socket_mode: bool = False,
    source: TaskSource | None = None,
    digests: DigestCommands | None = None,
    clock: Callable[[], datetime] = _now,
    client: WebClient | None = None,
    policy: AccessPolicy | None = None,
    auth: Mapping[str, Any] | None = None,
    members_of: Callable[[str], frozenset[str]] | None = None,
) -> Bot:
    """Everything `recbot serve` runs. `source` defaults to `bot.css.client.open_source`;
    `client`, `policy`, `auth` (an auth.test response) and `members_of` (user groups) are
    made here when not given, so a caller that already has them shares one of each."""
    settings.require("slack_bot_token", why="answering in Slack (Bot User OAuth Token)")
    if not socket_mode:
        settings.require("slack_signing_secret", why="checking that requests come from Slack")
    assert settings.slack_bot_token is not None
    if client is None:
        client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    if policy is None:
        policy = load_policy(settings.recbot_access_file)
    on_stop: Callable[[], None] = lambda: None  # noqa: E731
    if source is None:
        from bot.css.client import open_source

        css = open_source(settings)
        source, on_stop = css, css.close
    conversation = SlackConversation(
        source=source,
        policy=policy,
        zone_of=TimeZones(client, ZoneInfo(settings.recbot_default_tz)).zone_of,
        members_of=members_of or UserGroups(client).members_of,
        clock=clock,
        digests=digests,
    )
    # Team memory: names, saved questions and the audit trail (docs/team-memory.md).
    from bot.slack.team_memory import remember

    remembering = remember(conversation, settings, str((auth or {}).get("team_id") or ""))
    stop_source = on_stop

    def stop_all() -> None:
        remembering.stop()
        stop_source()

    parts = BotParts(
        remembering.conversation, Delivery(client), WorkPool(), make_seen_events(settings)
    )
    secret = settings.slack_signing_secret
    app = build_app(
        client,
        secret.get_secret_value() if secret else None,
        parts,
        socket_mode=socket_mode,
        auth=auth,
    )
    return Bot(app, parts, settings.recbot_max_body_bytes, stop_all)
