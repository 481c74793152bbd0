"""Buttons (Next, Previous, Share, Export CSV, Chart): ack, then answer via response_url.

The button's value is untrusted: the conversation decodes and re-validates it and re-checks
access and scope for the person clicking, in the channel where they click.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.obs.metrics import REQUESTS
from bot.render.memory import MEMORY_ACTIONS
from bot.render.unpostable import ACTION_DIGEST_RESUME
from bot.slack.conversation import Asker
from bot.slack.parts import (
    BotParts,
    Target,
    acked,
    answer_and_deliver,
    deliver,
    tell_interrupted,
)

# Every recbot action id starts with this (bot.render.actions); one listener serves them all.
ACTION_PATTERN = re.compile(r"^recbot_[a-z_]+$")
# Paging replaces the message in place; the others add a new message.
REPLACING = ("recbot_next", "recbot_prev")


def register(app: App, parts: BotParts) -> None:
    @app.action(ACTION_PATTERN)
    def on_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        started = acked("action", context)
        user = (body.get("user") or {}).get("id", "")
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        asker = Asker(str(user), channel, "action", ephemeral=bool(container.get("is_ephemeral")))
        action_id = str(action.get("action_id", ""))
        value = str(action.get("value", ""))
        message = body.get("message") or {}
        target = Target(
            channel,
            response_url=body.get("response_url"),
            thread_ts=message.get("thread_ts") or container.get("thread_ts"),
            replace_original=action_id in REPLACING,
            private_to=asker.user_id if asker.ephemeral else None,
        )
        if container.get("type") == "view":
            # A button on the App Home tab (no response_url): act, then refresh the tab.
            parts.pool.submit(_click_on_home, parts, asker, action_id, value)
            return
        parts.pool.submit(
            answer_and_deliver,
            parts,
            asker,
            target,
            started,
            lambda: parts.conversation.click(action_id, value, asker),
            # A press interrupted by a shutdown gets a button that presses it again.
            on_interrupt=lambda: tell_interrupted(
                parts, asker, target, action_id, value, question=""
            ),
        )


def _click_on_home(parts: BotParts, asker: Asker, action_id: str, value: str) -> None:
    reply = parts.conversation.click(action_id, value, asker)
    REQUESTS.labels(surface="action", outcome=reply.outcome).inc()
    if action_id in MEMORY_ACTIONS or action_id == ACTION_DIGEST_RESUME:
        # "Ask again" / "Run" / "Resume" on the App Home: the answer goes to the person's DM.
        dm = parts.delivery.open_dm(asker.user_id)
        if dm is not None:
            deliver(parts.delivery, reply, Target(dm))
    parts.delivery.publish_home(asker.user_id, parts.conversation.home(asker.user_id))
