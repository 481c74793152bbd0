"""Does a verified Slack payload have the shape Bolt and the listeners read? Checked before
dispatch, so a malformed body from someone holding the signing secret is a 400, not a crash.

Rules are data: a path into the payload (`*` is every item of a list) and the types its value
may have when present. An absent field is fine (every reader uses `.get`); a present field of
another type is the problem named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NoneType = type(None)
TEXT = (str, NoneType)
OBJECT = (dict, NoneType)


@dataclass(frozen=True)
class FieldRule:
    path: tuple[str, ...]
    types: tuple[type, ...]
    # Required once its parent is present (Bolt indexes it without `.get`).
    required: bool = False


def _rules(types: tuple[type, ...], *paths: str, required: bool = False) -> tuple[FieldRule, ...]:
    return tuple(FieldRule(tuple(path.split(".")), types, required) for path in paths)


RULES: tuple[FieldRule, ...] = (
    *_rules((str,), "type", "event.type"),
    *_rules((dict,), "event", "view"),
    *_rules((list,), "actions"),
    *_rules((dict,), "actions.*"),
    *_rules(
        OBJECT,
        "user",
        "team",
        "channel",
        "container",
        "message",
        "enterprise",
        "view.state",
        "view.state.values",
        "message.metadata",
    ),
    *_rules((list, NoneType), "authorizations", "response_urls"),
    *_rules((dict,), "authorizations.*"),
    *_rules(
        TEXT,
        # Envelope and slash command fields.
        "token",
        "team_id",
        "enterprise_id",
        "api_app_id",
        "event_id",
        "user_id",
        "channel_id",
        "command",
        "text",
        "response_url",
        "trigger_id",
        "callback_id",
        "action_id",
        "block_id",
        "value",
        # Interactivity payloads.
        "user.id",
        "user.team_id",
        "team.id",
        "channel.id",
        "enterprise.id",
        "container.type",
        "container.channel_id",
        "container.thread_ts",
        "container.message_ts",
        "container.view_id",
        "message.ts",
        "message.thread_ts",
        "message.text",
        "view.id",
        "view.callback_id",
        "view.type",
        "view.private_metadata",
        "actions.*.action_id",
        "actions.*.block_id",
        "actions.*.type",
        "actions.*.value",
        "authorizations.*.team_id",
        "authorizations.*.user_id",
        "authorizations.*.enterprise_id",
        # Events.
        "event.user",
        "event.channel",
        "event.text",
        "event.ts",
        "event.thread_ts",
        "event.event_ts",
        "event.subtype",
        "event.channel_type",
        "event.tab",
        "event.bot_id",
        "event.team",
    ),
    *_rules((bool, NoneType), "container.is_ephemeral", "is_enterprise_install"),
    *_rules(OBJECT, "event.message", "event.previous_message", "workflow_step"),
    *_rules((str,), "view.type", required=True),
)
# Bolt reads the first action as `actions[0]`.
NON_EMPTY = ("actions",)


_MISSING = object()


def _values(payload: Any, path: Sequence[str]) -> list[tuple[str, Any]]:
    """(where, value) for every value at `path`: `_MISSING` where only the last step is
    absent, nothing where an earlier step is."""
    found: list[tuple[str, Any]] = [("", payload)]
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        deeper: list[tuple[str, Any]] = []
        for where, value in found:
            here = f"{where}.{step}" if where else step
            if step == "*" and isinstance(value, list):
                deeper += [(f"{where}[{i}]", item) for i, item in enumerate(value)]
            elif isinstance(value, Mapping) and step in value:
                deeper.append((here, value[step]))
            elif isinstance(value, Mapping) and last:
                deeper.append((here, _MISSING))
        found = deeper
    return found


def shape_problem(payload: Any) -> str | None:
    """None when `payload` has a shape the listeners can read, else what is wrong with it."""
    if not isinstance(payload, Mapping):
        return f"the payload is a {type(payload).__name__}, not an object"
    for rule in RULES:
        for where, value in _values(payload, rule.path):
            if value is _MISSING:
                if rule.required:
                    return f"{where} is missing"
            elif not isinstance(value, rule.types):
                return f"{where} is a {type(value).__name__}"
    for name in NON_EMPTY:
        if payload.get(name) == []:
            return f"{name} is empty"
    return None
