"""One audit record: who asked what, where, how it was understood and how it ended (pure)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.request import Request, Subcommand

MAX_TEXT = 500
MAX_REASON = 300
_REQUEST_ID = re.compile(r"RequestId ([A-Za-z0-9-]{1,64})")


class Surface:
    """Where a question came from (the `surface` column)."""

    SLASH = "slash"
    MENTION = "mention"
    DM = "dm"
    ACTION = "action"
    HOME = "home"
    DIGEST = "digest"
    ALERT = "alert"
    CLI = "cli"


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    surface: str
    team_id: str
    channel_id: str
    user_id: str
    text: str
    understood: str
    outcome: str  # answered | refused | parse_error | api_error | error
    reason: str = ""
    api_request_id: str = ""
    api_calls: int = 0
    duration_ms: float = 0.0
    request_id: str = ""


def clean_for_audit(text: str, limit: int = MAX_TEXT) -> str:
    """The text as typed, control characters dropped, at most `limit` characters."""
    kept = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    return kept[:limit]


def understood(request: Request) -> str:
    """How the request was read, in one line (`answer streams=cam1 status=all phrase=…`)."""
    parts = [request.subcommand.value]
    if request.subcommand is Subcommand.DIGEST:
        return f"digest {request.digest_args}"[:MAX_TEXT]
    f = request.filters
    for key, values in (
        ("streams", f.streams),
        ("apps", f.apps),
        ("domains", f.domains),
        ("task_ids", f.task_ids),
    ):
        if values:
            parts.append(f"{key}={','.join(values)}")
    parts.append(f"status={request.status.value}")
    if request.window is not None:
        start, end = request.window.start, request.window.end
        parts.append(
            f"window={start.isoformat() if start else '…'}/{end.isoformat() if end else '…'}"
        )
    elif request.phrase:
        parts.append(f"phrase={request.phrase}")
    if request.question:
        parts.append("question")
    return " ".join(parts)[:MAX_TEXT]


OUTCOMES = {
    "ok": "answered",
    "denied": "refused",
    "parse_error": "parse_error",
    "api_error": "api_error",
    "error": "error",
}


def outcome_of(reply_outcome: str) -> str:
    """The audit's outcome for a reply's metric label."""
    return OUTCOMES.get(reply_outcome, reply_outcome)


def request_id_in(message: str) -> str:
    """The Tencent Cloud RequestId an API error's sentence carries, if any."""
    match = _REQUEST_ID.search(message)
    return match.group(1) if match else ""
