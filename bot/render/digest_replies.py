"""Block Kit for the `digest …` replies: confirmations, the channel list and one digest's line.

The digest code decides what to say; this module only lays it out (and escapes user text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.render.escape import mrkdwn
from bot.render.limits import MAX_SECTION_TEXT
from bot.render.message import SlackMessage

ACTION_DIGEST_OFF = "recbot_digest_off"


@dataclass(frozen=True)
class DigestLine:
    """One subscription as shown in a list: its number, schedule, channel, request, next post."""

    subscription_id: int
    schedule: str
    channel_id: str
    request_text: str
    next_post: datetime


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[: MAX_SECTION_TEXT - 100]}}


def describe(line: DigestLine) -> str:
    what = mrkdwn(line.request_text) if line.request_text else "every stream"
    upcoming = int(line.next_post.timestamp())
    return (
        f"*#{line.subscription_id}* {mrkdwn(line.schedule)} in <#{mrkdwn(line.channel_id)}>: "
        f"{what} · next <!date^{upcoming}^{{date_short_pretty}} {{time}}|{upcoming}>"
    )


def render_subscribed(line: DigestLine) -> SlackMessage:
    text = (
        f"Subscribed. {describe(line)}. "
        f"Turn it off with `/recordings digest off {line.subscription_id}`."
    )
    return SlackMessage(
        text=f"Digest #{line.subscription_id}: {line.schedule}", blocks=[section(text)]
    )


def render_digest_list(lines: list[DigestLine]) -> SlackMessage:
    if not lines:
        text = "No digests here yet; try `/recordings digest daily 09:00`."
        return SlackMessage(text=text, blocks=[section(text)])
    return SlackMessage(
        text=f"{len(lines)} digests", blocks=[section("\n".join(describe(line) for line in lines))]
    )


def render_digest_off(subscription_id: int, channel_id: str) -> SlackMessage:
    text = f"Digest #{subscription_id} in <#{mrkdwn(channel_id)}> is off."
    return SlackMessage(text=text, blocks=[section(text)])


def render_digest_posted(subscription_id: int, channel_id: str) -> SlackMessage:
    text = f"Posted digest #{subscription_id} to <#{mrkdwn(channel_id)}>."
    return SlackMessage(text=text, blocks=[section(text)])


def render_digest_failed(kind: str, reason: str) -> SlackMessage:
    """What a channel gets when its digest could not be made (the reason is escaped here)."""
    text = f"Your {kind} digest could not be made: {mrkdwn(reason)}"
    return SlackMessage(text=text, blocks=[section(f":warning: {text}")])
