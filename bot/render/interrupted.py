"""The message an asker gets when recbot had to stop before their answer was ready, with a
button that asks the same thing again."""

from __future__ import annotations

from typing import Any

from bot.render.escape import mrkdwn
from bot.render.message import SlackMessage

# The button of a typed question: its value is the question's text, answered anew on click.
ACTION_ASK_AGAIN = "recbot_ask_again"
ASK_AGAIN = "Ask again"
INTERRUPTED = (
    "Sorry: recbot had to restart before your answer was ready, so it was not sent. "
    "Ask again and it will be answered now."
)
# Slack's limit on a button value.
MAX_BUTTON_VALUE = 2000


def render_interrupted(action_id: str, value: str, question: str | None = None) -> SlackMessage:
    """`action_id` and `value` repeat what was asked (a typed question is ACTION_ASK_AGAIN with
    its text; a button press repeats that button); `question` is shown when given."""
    text = INTERRUPTED
    if question:
        text = f"{INTERRUPTED}\nYou asked: {mrkdwn(question)[:300]}"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":warning: {text}"}}
    ]
    if len(value) <= MAX_BUTTON_VALUE:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": ASK_AGAIN, "emoji": True},
            "action_id": action_id,
            "value": value,
            "style": "primary",
        }
        blocks.append({"type": "actions", "block_id": "recbot_interrupted", "elements": [button]})
    return SlackMessage(INTERRUPTED, blocks)
