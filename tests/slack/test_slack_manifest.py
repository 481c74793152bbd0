"""manifest.yml names every command, event and scope the code uses, and nothing more.

"What the code uses" comes from the code: the WebClient methods called anywhere in bot/
(found by walking the syntax trees), the events and command the listeners register.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import yaml
from slack_sdk import WebClient

from bot.slack.catalog import FUNCTION_EXECUTED
from bot.slack.scopes import COMMANDS, METHOD_SCOPES, SUBSCRIBED_EVENTS, required_scopes

REPO = Path(__file__).resolve().parents[2]
WEB_API_METHODS = {name for name in dir(WebClient) if not name.startswith("_") and "_" in name} - {
    "api_call",
    "base_url",
    "retry_handlers",
    "token",
    "use_sync_aiohttp",
}


def manifest() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "manifest.yml").read_text())
    assert isinstance(data, dict)
    return data


def methods_called() -> set[str]:
    called: set[str] = set()
    for path in (REPO / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WEB_API_METHODS
            ):
                called.add(node.func.attr)
    return called


def test_the_code_calls_web_api_methods_and_each_has_known_scopes() -> None:
    called = methods_called()
    assert {"chat_postMessage", "users_info", "files_upload_v2"} <= called
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add these methods to bot/slack/scopes.py METHOD_SCOPES: {unknown}"


def test_manifest_scopes_are_exactly_what_the_code_needs() -> None:
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == required_scopes(methods_called())


def test_manifest_events_are_exactly_the_ones_the_listeners_register() -> None:
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted((*SUBSCRIBED_EVENTS, FUNCTION_EXECUTED))


def test_manifest_has_the_slash_command_with_a_usage_hint() -> None:
    commands = manifest()["features"]["slash_commands"]
    assert [c["command"] for c in commands] == list(COMMANDS)
    assert all(c.get("usage_hint") for c in commands)


def test_manifest_enables_the_bot_user_app_home_interactivity_and_socket_mode() -> None:
    data = manifest()
    assert data["features"]["bot_user"]["display_name"] == "recbot"
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["features"]["app_home"]["messages_tab_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is True
