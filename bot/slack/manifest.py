"""The Slack app manifest, derived from the code: its slash command, events, shortcuts,
Workflow Builder step and the scopes of the Web API methods it calls.

`recbot manifest` prints it for Socket Mode (default) or HTTP (every request URL filled in);
manifest.yml in the repository and the wheel is its Socket Mode output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.errors import RecbotError
from bot.slack.catalog import FUNCTION_EXECUTED, SHORTCUTS, WORKFLOW_STEPS, StepParameter
from bot.slack.commands import COMMAND
from bot.slack.scopes import SUBSCRIBED_EVENTS, required_scopes

EVENTS_PATH = "/slack/events"
DEFAULT_NAME = "recbot"
MAX_NAME = 35  # display_information.name; the bot user's display name allows 80
DESCRIPTION = "Answers questions about Tencent Cloud CSS recording tasks"
USAGE_HINT = "[stream|TaskId] [running|scheduled|stopped] [yesterday|last 3 days|…] · help"


class ManifestError(RecbotError):
    """A bad `recbot manifest` option; the message says which and what is expected."""


@dataclass(frozen=True)
class ManifestOptions:
    http_base: str | None = None  # https://host[/prefix]: HTTP mode; None: Socket Mode
    name: str = DEFAULT_NAME
    functions: bool = True  # the Workflow Builder step (needs an org-ready app, paid plan)
    digests: bool = True  # digests need the history scopes for their duplicate check


def request_url(http_base: str) -> str:
    """`https://host[/prefix]` → the one request URL (`…/slack/events`); ManifestError else."""
    parts = urlsplit(http_base.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestError(
            f"--http needs the bot's public https URL, like https://bot.example.com "
            f"(got {http_base!r}); Slack sends requests only over https"
        )
    if parts.query or parts.fragment:
        raise ManifestError(f"--http takes no query or fragment (got {http_base!r})")
    path = parts.path.rstrip("/")
    if path.endswith(EVENTS_PATH):
        path = path[: -len(EVENTS_PATH)]
    return f"https://{parts.netloc}{path}{EVENTS_PATH}"


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ManifestError(f"--name must be 1 to {MAX_NAME} characters (got {name!r})")
    return name


def _parameters(params: tuple[StepParameter, ...]) -> dict[str, Any]:
    return {
        p.name: {
            "type": p.type,
            "title": p.title,
            "description": p.description,
            "is_required": p.required,
        }
        for p in params
    }


def build_manifest(options: ManifestOptions, methods_called: set[str]) -> dict[str, Any]:
    """The manifest as a dict (YAML or JSON is only its spelling)."""
    name = _check_name(options.name)
    url = request_url(options.http_base) if options.http_base is not None else None
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Ask about CSS recording tasks",
        "usage_hint": USAGE_HINT,
        "should_escape": False,
    }
    events = sorted({*SUBSCRIBED_EVENTS, *([FUNCTION_EXECUTED] if options.functions else [])})
    event_subscriptions: dict[str, Any] = {"bot_events": events}
    # External selects (pickers) need their options URL in HTTP mode; Socket Mode sends
    # block_suggestion over the socket.
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url is not None:
        command["url"] = url
        event_subscriptions = {"request_url": url, **event_subscriptions}
        interactivity.update(request_url=url, message_menu_options_url=url)
    settings: dict[str, Any] = {
        "event_subscriptions": event_subscriptions,
        "interactivity": interactivity,
        # Custom steps appear in Workflow Builder only for org-ready apps.
        "org_deploy_enabled": options.functions,
        "socket_mode_enabled": url is None,
        "token_rotation_enabled": False,
    }
    if options.functions:
        settings["function_runtime"] = "remote"  # the step runs in this app, not on Slack
    manifest: dict[str, Any] = {
        "display_information": {
            "name": name,
            "description": DESCRIPTION,
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "shortcuts": [
                {
                    "name": s.name,
                    "type": s.kind,
                    "callback_id": s.callback_id,
                    "description": s.description,
                }
                for s in SHORTCUTS
            ],
            "slash_commands": [command],
        },
        "oauth_config": {
            "scopes": {"bot": sorted(required_scopes(methods_called, digests=options.digests))}
        },
        "settings": settings,
    }
    if options.functions:
        manifest["functions"] = {
            step.callback_id: {
                "title": step.title,
                "description": step.description,
                "input_parameters": _parameters(step.inputs),
                "output_parameters": _parameters(step.outputs),
            }
            for step in WORKFLOW_STEPS
        }
    return manifest


def manifest_problems(manifest: Mapping[str, Any]) -> list[str]:
    """What Slack's schema lets through but Slack then refuses or silently breaks: a mode
    without its URLs (a half-edited manifest). Empty when the manifest is whole."""
    settings = manifest.get("settings", {})
    features = manifest.get("features", {})
    if settings.get("socket_mode_enabled"):
        return []
    problems: list[str] = []
    for command in features.get("slash_commands", []):
        if not command.get("url"):
            problems.append(f"HTTP mode: slash command {command.get('command')} has no url")
    if not settings.get("event_subscriptions", {}).get("request_url"):
        problems.append("HTTP mode: event_subscriptions has no request_url")
    interactivity = settings.get("interactivity", {})
    for key in ("request_url", "message_menu_options_url"):
        if not interactivity.get(key):
            problems.append(f"HTTP mode: interactivity has no {key}")
    return problems


HEADER_SOCKET = """\
# {name}: paste this at https://api.slack.com/apps → Create New App → From an app manifest.
# Generated by `recbot manifest`; regenerate it rather than edit it.
# Socket Mode (no public URL needed): create an app-level token with connections:write and set
# SLACK_APP_TOKEN. For HTTP mode: recbot manifest --http https://YOUR-HOST
"""
HEADER_HTTP = """\
# {name}: paste this at https://api.slack.com/apps → Create New App → From an app manifest.
# Generated by `recbot manifest`; regenerate it rather than edit it.
# HTTP mode: Slack sends every request to {url}; set SLACK_SIGNING_SECRET.
"""


def manifest_yaml(manifest: Mapping[str, Any]) -> str:
    import yaml

    settings = manifest["settings"]
    header = HEADER_SOCKET if settings["socket_mode_enabled"] else HEADER_HTTP
    url = settings["event_subscriptions"].get("request_url", "")
    name = manifest["display_information"]["name"]
    body = yaml.safe_dump(dict(manifest), sort_keys=False, allow_unicode=True, width=100)
    return header.format(name=name, url=url) + body


def manifest_json(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
