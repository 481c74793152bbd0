"""`/recordings <request>`: ack at once, answer ephemerally through the response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.slack.conversation import Asker
from bot.slack.parts import BotParts, Target, acked, reply_later

COMMAND = "/recordings"


def register(app: App, parts: BotParts) -> None:
    @app.command(COMMAND)
    def on_recordings(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        ack()
        started = acked("slash", context)
        asker = Asker(
            str(command.get("user_id", "")), command.get("channel_id"), "slash", ephemeral=True
        )
        target = Target(
            asker.channel_id,
            response_url=command.get("response_url"),
            private_to=asker.user_id,
        )
        reply_later(parts, str(command.get("text", "")), asker, target, started)
