"""`@recbot …` in a channel (answered in the mention's thread) and direct messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.conversation import Asker
from bot.slack.parts import BotParts, Target, acked, reply_later

APP_MENTION = "app_mention"
MESSAGE = "message"  # only its `channel_type: im` deliveries are handled: manifest "message.im"
# As the manifest names them.
MESSAGE_EVENTS = (APP_MENTION, f"{MESSAGE}.im")


def register(app: App, parts: BotParts) -> None:
    @app.event(APP_MENTION)
    def on_mention(event: dict[str, Any], context: BoltContext) -> None:
        started = acked("mention", context)
        asker = Asker(str(event.get("user", "")), event.get("channel"), "mention")
        # Reply in the thread the mention is in, or start one under the mention.
        thread = event.get("thread_ts") or event.get("ts")
        target = Target(asker.channel_id, thread_ts=thread)
        reply_later(parts, str(event.get("text", "")), asker, target, started)

    @app.event(MESSAGE)
    def on_direct_message(event: dict[str, Any], context: BoltContext) -> None:
        # Edits, joins, bot posts and other subtypes are not questions.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        started = acked("dm", context)
        asker = Asker(str(event.get("user", "")), event.get("channel"), "dm")
        target = Target(asker.channel_id, thread_ts=event.get("thread_ts"))
        reply_later(parts, str(event.get("text", "")), asker, target, started)
