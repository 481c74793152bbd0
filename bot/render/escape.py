"""mrkdwn escaping: every text from a user or the API goes through here before Slack sees it."""

from __future__ import annotations

_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` so the text can never become a mention, link or date token."""
    return text.translate(_TABLE)


def code(text: str) -> str:
    """Inline code for names; backticks inside are dropped so the span cannot be broken out of."""
    return "`" + mrkdwn(text.replace("`", "'")) + "`"
