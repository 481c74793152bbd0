"""Block Kit for the `digest …` replies: confirmations, the channel list and one digest's line.

The digest code decides what to say; this module only lays it out (and escapes user text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.render.escape import mrkdwn
from bot.render.limits import MAX_BLOCKS, MAX_SECTION_TEXT, MAX_TOTAL_TEXT
from bot.render.message import SlackMessage

ACTION_DIGEST_OFF = "recbot_digest_off"

# A request longer than this is shortened at a word boundary, and "…" shows that it was:
# in a list, so 20 entries stay readable; in a confirmation, so one section holds it.
MAX_LISTED_REQUEST = 120
MAX_CONFIRMED_REQUEST = 1500
_SECTION_BUDGET = MAX_SECTION_TEXT - 100
# The list's share of Slack's total text limit (the rest: the note and the fallback text).
_LIST_BUDGET = MAX_TOTAL_TEXT - 1500


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


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its longest prefix ending at a word
    boundary, followed by "…" (a single word longer than the limit is cut inside it)."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    boundary = cut.rfind(" ")
    kept = cut[:boundary] if boundary > 0 else text[:limit]
    return kept.rstrip() + "…"


def describe(line: DigestLine, request_limit: int | None = None) -> str:
    request = line.request_text
    if request_limit is not None:
        request = shorten(request, request_limit)
    what = mrkdwn(request) if request else "every stream"
    upcoming = int(line.next_post.timestamp())
    return (
        f"*#{line.subscription_id}* {mrkdwn(line.schedule)} in <#{mrkdwn(line.channel_id)}>: "
        f"{what} · next <!date^{upcoming}^{{date_short_pretty}} {{time}}|{upcoming}>"
    )


def render_subscribed(line: DigestLine) -> SlackMessage:
    text = (
        f"Subscribed. {describe(line, MAX_CONFIRMED_REQUEST)}. "
        f"Turn it off with `/recordings digest off {line.subscription_id}`."
    )
    return SlackMessage(
        text=f"Digest #{line.subscription_id}: {line.schedule}", blocks=[section(text)]
    )


def render_digest_resumed(line: DigestLine) -> SlackMessage:
    text = f"Resumed. {describe(line, MAX_CONFIRMED_REQUEST)}."
    return SlackMessage(text=f"Digest #{line.subscription_id} resumed", blocks=[section(text)])


def render_digest_list(lines: list[DigestLine]) -> SlackMessage:
    if not lines:
        text = "No digests here yet; try `/recordings digest daily 09:00`."
        return SlackMessage(text=text, blocks=[section(text)])
    sections: list[str] = []
    used = 0
    shown = 0
    for line in lines:
        entry = describe(line, MAX_LISTED_REQUEST)
        if used + len(entry) > _LIST_BUDGET:
            break
        if sections and len(sections[-1]) + 1 + len(entry) <= _SECTION_BUDGET:
            sections[-1] += "\n" + entry
        elif len(sections) < MAX_BLOCKS - 1:
            sections.append(entry)
        else:
            break
        used += len(entry) + 1
        shown += 1
    blocks = [section(text) for text in sections]
    hidden = len(lines) - shown
    if hidden:
        blocks.append(section(_not_shown(hidden)))
    return SlackMessage(text=f"{len(lines)} digests", blocks=blocks)


def _not_shown(hidden: int) -> str:
    counted = "1 more digest is" if hidden == 1 else f"{hidden} more digests are"
    return (
        f"_{counted} not shown; `/recordings digest list` in a channel lists that "
        "channel's digests._"
    )


def render_digest_off(subscription_id: int, channel_id: str) -> SlackMessage:
    text = f"Digest #{subscription_id} in <#{mrkdwn(channel_id)}> is off."
    return SlackMessage(text=text, blocks=[section(text)])


def render_digest_posted(subscription_id: int, channel_id: str) -> SlackMessage:
    text = f"Digest #{subscription_id} is on its way to <#{mrkdwn(channel_id)}>."
    return SlackMessage(text=text, blocks=[section(text)])


def render_digest_failed(kind: str, reason: str) -> SlackMessage:
    """What a channel gets when its digest could not be made (the reason is escaped here)."""
    text = f"Your {kind} digest could not be made: {mrkdwn(reason)}"
    return SlackMessage(text=text, blocks=[section(f":warning: {text}")])
