"""conversations.history for the shared Slack stand-in, built from the chat.postMessage calls it
recorded (with their metadata), so a digest takeover can look for an earlier post.

The stand-in (tests/support/slack_api.py) is reused as is; this only registers one more method.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.support import slack_api
from tests.support.slack_api import DEFAULT_SCOPES, SlackStandIn

HISTORY_SCOPES = (*DEFAULT_SCOPES, "channels:history", "groups:history")


def _metadata(params: Mapping[str, Any]) -> Any:
    value = params.get("metadata")
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)
    return value


def _history(stand_in: SlackStandIn, params: Mapping[str, Any]) -> dict[str, Any]:
    channel = str(params.get("channel") or "")
    with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
    messages: list[dict[str, Any]] = []
    for call in stand_in.ok_calls("chat.postMessage"):
        # The stand-in's ts are counters, not times, so `oldest` cannot be applied here.
        if call.channel != channel:
            continue
        message: dict[str, Any] = {
            "type": "message",
            "ts": call.response["ts"],
            "text": call.params.get("text", ""),
        }
        if with_metadata and _metadata(call.params):
            message["metadata"] = _metadata(call.params)
        messages.append(message)
    messages.sort(key=lambda m: float(m["ts"]), reverse=True)
    return {
        "ok": True,
        "messages": messages,
        "has_more": False,
        "response_metadata": {"next_cursor": ""},
    }


def enable_history() -> None:
    slack_api._API_METHODS.setdefault("conversations.history", _history)
    slack_api.REQUIRED_SCOPE.setdefault("conversations.history", "channels:history")
