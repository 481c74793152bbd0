"""`audit [--since PHRASE] [--user U] [--channel C] [--json|--csv]`, read the same way in
the terminal and in Slack (where `@alice` and `#ops` arrive as `<@U…>` and `<#C…|ops>`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import ParseError
from bot.request import safe_fragment

USAGE = ("audit --since yesterday", "audit --since monday 9am --user U0123 --json")
_FLAG = re.compile(r"^(?:--|—|–)([a-z]+)$")
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>$")
_ID = re.compile(r"^[A-Z0-9]{2,32}$")
DEFAULT_LIMIT = 50


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class AuditQuery:
    since: str | None = None  # a time phrase, read at the asker's now
    user: str | None = None
    channel: str | None = None
    format: Format = Format.TEXT


def _id(value: str, pattern: re.Pattern[str], what: str) -> str:
    match = pattern.match(value)
    if match:
        return match.group(1)
    if _ID.match(value):
        return value
    raise ParseError(f"'{safe_fragment(value)}' is not a Slack {what} id", USAGE)


def read_audit_args(text: str) -> AuditQuery:
    """Raises ParseError naming the part it could not read."""
    words = text.split()
    since: list[str] = []
    user = channel = None
    fmt = Format.TEXT
    i = 0
    while i < len(words):
        match = _FLAG.match(words[i])
        if match is None:
            raise ParseError(f"I couldn't read '{safe_fragment(words[i])}' in 'audit'", USAGE)
        flag = match.group(1)
        i += 1
        if flag in ("json", "csv"):
            fmt = Format(flag)
            continue
        values: list[str] = []
        while i < len(words) and _FLAG.match(words[i]) is None:
            values.append(words[i])
            i += 1
        if not values:
            raise ParseError(f"'--{flag}' needs a value", USAGE)
        if flag == "since":
            since = values
        elif flag == "user" and len(values) == 1:
            user = _id(values[0], _USER, "user")
        elif flag == "channel" and len(values) == 1:
            channel = _id(values[0], _CHANNEL, "channel")
        else:
            raise ParseError(
                f"'audit' has no option '--{safe_fragment(flag, 20)}' like that", USAGE
            )
    return AuditQuery(" ".join(since) or None, user, channel, fmt)
