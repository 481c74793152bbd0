"""Request bodies Slack sends for shortcuts, modals, pickers and custom steps, shaped as in
Slack's docs and Bolt's own tests: interactive payloads form-encoded as `payload=<JSON>`,
function_executed as an Events API JSON body."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

TEAM = {"id": "T0RECBOT", "domain": "recbot-test"}


def _form(payload: Mapping[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "team_id": "T0RECBOT"}


def global_shortcut_body(callback_id: str, *, user: str, trigger_id: str) -> str:
    return _form(
        {
            "type": "shortcut",
            "token": "deprecated",
            "action_ts": f"{time.time():.6f}",
            "team": TEAM,
            "user": _user(user),
            "is_enterprise_install": False,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
        }
    )


def message_shortcut_body(
    callback_id: str, *, user: str, channel: str, text: str, trigger_id: str, response_url: str
) -> str:
    return _form(
        {
            "type": "message_action",
            "token": "deprecated",
            "action_ts": f"{time.time():.6f}",
            "team": TEAM,
            "user": _user(user),
            "channel": {"id": channel, "name": channel.lower()},
            "is_enterprise_install": False,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "response_url": response_url,
            "message_ts": "1700000000.000100",
            "message": {
                "type": "message",
                "user": "UBOB",
                "ts": "1700000000.000100",
                "text": text,
            },
        }
    )


def home_button_body(
    action_id: str, *, user: str, trigger_id: str, value: str | None = None
) -> str:
    """A button pressed on the App Home tab (a view container, no response_url)."""
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "block_id": "home_actions",
        "action_ts": f"{time.time():.6f}",
    }
    if value is not None:
        button["value"] = value
    return _form(
        {
            "type": "block_actions",
            "team": TEAM,
            "user": _user(user),
            "api_app_id": "A0RECBOT",
            "token": "deprecated",
            "container": {"type": "view", "view_id": "VHOME"},
            "trigger_id": trigger_id,
            "view": {"id": "VHOME", "type": "home", "blocks": []},
            "actions": [button],
        }
    )


def _submitted_view(view: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {**view, "state": {"values": dict(values)}}


def view_action_body(
    view: Mapping[str, Any], values: Mapping[str, Any], *, user: str, action: Mapping[str, Any]
) -> str:
    """A dispatch_action from an input inside an open modal (block_actions, view container)."""
    return _form(
        {
            "type": "block_actions",
            "team": TEAM,
            "user": _user(user),
            "api_app_id": "A0RECBOT",
            "token": "deprecated",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": "1.2.3",
            "view": _submitted_view(view, values),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
    )


def block_suggestion_body(
    view: Mapping[str, Any], *, user: str, action_id: str, block_id: str, value: str
) -> str:
    return _form(
        {
            "type": "block_suggestion",
            "user": _user(user),
            "container": {"type": "view", "view_id": view["id"]},
            "api_app_id": "A0RECBOT",
            "token": "deprecated",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": TEAM,
            "view": _submitted_view(view, {}),
        }
    )


def view_submission_body(view: Mapping[str, Any], values: Mapping[str, Any], *, user: str) -> str:
    return _form(
        {
            "type": "view_submission",
            "team": TEAM,
            "user": _user(user),
            "api_app_id": "A0RECBOT",
            "token": "deprecated",
            "trigger_id": "1.2.3",
            "view": _submitted_view(view, values),
            "response_urls": [],
            "is_enterprise_install": False,
        }
    )


def function_executed_body(
    callback_id: str, inputs: Mapping[str, Any], *, execution_id: str, event_id: str
) -> str:
    return json.dumps(
        {
            "token": "deprecated",
            "team_id": "T0RECBOT",
            "api_app_id": "A0RECBOT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0RECBOT", "user_id": "UBOTRECBOT", "is_bot": True}],
            "event": {
                "type": "function_executed",
                "function": {
                    "id": "Fn0RECBOT",
                    "callback_id": callback_id,
                    "title": "Check recordings",
                    "type": "app",
                    "app_id": "A0RECBOT",
                },
                "inputs": dict(inputs),
                "function_execution_id": execution_id,
                "workflow_execution_id": "Wx0RECBOT",
                "event_ts": f"{time.time():.6f}",
                "bot_access_token": "xwfp-test-function-token",
            },
        }
    )


# state.values the Slack client sends for the fields of the Ask modal
def selected_option(field: str, value: str) -> dict[str, Any]:
    return {field: {f"ask.{field}": {"type": "static_select", "selected_option": {"value": value}}}}


def typed_value(field: str, value: str) -> dict[str, Any]:
    return {field: {f"ask.{field}": {"type": "plain_text_input", "value": value}}}


def conversation(field: str, channel: str) -> dict[str, Any]:
    return {
        field: {f"ask.{field}": {"type": "conversations_select", "selected_conversation": channel}}
    }


def picked_time(field: str, at: str) -> dict[str, Any]:
    return {field: {f"ask.{field}": {"type": "timepicker", "selected_time": at}}}
