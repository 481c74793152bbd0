"""When recbot cannot post in a digest's or an alert's channel: the direct message its creator
gets, once (why, the fix — "invite @recbot to #ops" — and how to resume; a digest's carries a
Resume button), and the replies when a digest is resumed."""

from __future__ import annotations

from typing import Any

from bot.render.escape import mrkdwn
from bot.render.message import SlackMessage

# Slack's answers to chat.postMessage that only a person can fix (invite, unarchive, allow).
UNPOSTABLE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "not_allowed"}
)
ACTION_DIGEST_RESUME = "recbot_digest_resume"


def why_and_fix(channel: str, error: str) -> tuple[str, str]:
    """Why recbot cannot post in `channel` and what a person can do about it."""
    if error == "not_in_channel":
        return (
            f"I'm not a member of <#{channel}>",
            f"Invite me there (in <#{channel}>: `/invite @recbot`)",
        )
    if error == "is_archived":
        return f"<#{channel}> is archived", "Unarchive it, or pick another channel"
    if error == "channel_not_found":
        return (
            f"I can't see <#{channel}> (deleted, or private without me)",
            f"Invite me to <#{channel}> if it still exists, or pick another channel",
        )
    return (
        f"Slack doesn't let me post in <#{channel}> ({mrkdwn(error)})",
        "Ask a workspace admin to allow it, or pick another channel",
    )


def render_paused(
    subject: str, channel: str, error: str, *, resume: str, button: dict[str, Any] | None = None
) -> SlackMessage:
    """`subject` says what was paused ("Your digest #3 (daily 09:00)"); `resume` how to turn
    it back on once fixed ("resume it: …"); `button` an optional Resume button."""
    why, fix = why_and_fix(channel, error)
    text = (
        f"{subject} could not be posted: {why}. I've paused it so it doesn't fail again "
        f"and again. {fix}, then {resume}"
    )
    section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if button is not None:
        section["accessory"] = button
    return SlackMessage(text, [section])


def resume_button(subscription_id: int) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": ACTION_DIGEST_RESUME,
        "text": {"type": "plain_text", "text": "Resume"},
        "value": str(subscription_id),
        "style": "primary",
    }


def render_digest_paused(
    subscription_id: int, schedule: str, channel: str, error: str
) -> SlackMessage:
    return render_paused(
        f"Your digest #{subscription_id} ({schedule})",
        channel,
        error,
        resume="resume it: the Resume button here or in App Home, or "
        f"`/recordings digest on {subscription_id}`.",
        button=resume_button(subscription_id),
    )


def render_still_unpostable(subscription_id: int, channel: str, error: str) -> str:
    """The refusal when a resume finds the channel still refusing (the digest stays paused)."""
    why, fix = why_and_fix(channel, error)
    return f"Digest #{subscription_id} stays paused: {why}. {fix}, then resume it again."


def render_resumed_here(subscription_id: int, schedule: str) -> SlackMessage:
    """Posted in the digest's channel on resume: the check that posting there works."""
    text = f"Digest #{subscription_id} ({mrkdwn(schedule)}) is back on in this channel."
    return SlackMessage(text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
