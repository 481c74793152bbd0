"""The direct message a digest's or an alert's creator gets, once, when recbot cannot post in
its channel: why, and the fix ("invite @recbot to #ops")."""

from __future__ import annotations

from bot.render.message import SlackMessage

# Slack's answers to chat.postMessage that only a person can fix (invite, unarchive, allow).
UNPOSTABLE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "not_allowed"}
)


def render_paused(subject: str, channel: str, error: str, *, resume: str) -> SlackMessage:
    """`subject` says what was paused ("Your digest #3 (daily 09:00)"); `resume` how to turn
    it back on once fixed ("set it up again: …")."""
    if error == "not_in_channel":
        why = f"I'm not a member of <#{channel}>"
        fix = f"Invite me there (in <#{channel}>: `/invite @recbot`)"
    elif error == "is_archived":
        why = f"<#{channel}> is archived"
        fix = "Unarchive it, or pick another channel"
    elif error == "channel_not_found":
        why = f"I can't see <#{channel}> (deleted, or private without me)"
        fix = f"Invite me to <#{channel}> if it still exists, or pick another channel"
    else:
        why = f"Slack doesn't let me post in <#{channel}> ({error})"
        fix = "Ask a workspace admin to allow it, or pick another channel"
    text = (
        f"{subject} could not be posted: {why}. I've paused it so it doesn't fail again "
        f"and again. {fix}, then {resume}"
    )
    return SlackMessage(text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])


def render_digest_paused(
    subscription_id: int, schedule: str, channel: str, error: str
) -> SlackMessage:
    return render_paused(
        f"Your digest #{subscription_id} ({schedule})",
        channel,
        error,
        resume="set it up again: App Home → Set up a digest, or `/recordings digest …` in the "
        "channel.",
    )
