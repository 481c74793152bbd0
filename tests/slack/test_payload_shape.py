"""The payload shape rules, as a table: what a listener can read passes; each wrong shape is
named by its field."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.payload_shape import shape_problem

ACTIONS: dict[str, Any] = {"type": "block_actions", "actions": [{"action_id": "recbot_next"}]}
VIEW: dict[str, Any] = {"type": "view_submission", "view": {"type": "modal", "callback_id": "c"}}
EVENT: dict[str, Any] = {"type": "event_callback", "event": {"type": "app_mention", "user": "U1"}}

CASES: list[tuple[Any, str | None]] = [
    (ACTIONS, None),
    (VIEW, None),
    (EVENT, None),
    ({"command": "/recordings", "text": "cam1", "user_id": "U1"}, None),
    ({}, None),
    ({**ACTIONS, "actions": "x"}, "actions is a str"),
    ({**ACTIONS, "actions": ["x"]}, "actions[0] is a str"),
    ({**ACTIONS, "actions": []}, "actions is empty"),
    ({**ACTIONS, "actions": [{"action_id": 7}]}, "actions[0].action_id is a int"),
    ({**EVENT, "event": None}, "event is a NoneType"),
    ({**EVENT, "event": {"type": "app_mention", "user": ["U1"]}}, "event.user is a list"),
    ({**VIEW, "view": None}, "view is a NoneType"),
    ({**VIEW, "view": {"callback_id": "c"}}, "view.type is missing"),
    ({**ACTIONS, "user": "U1"}, "user is a str"),
    ({"type": 1}, "type is a int"),
    ([1, 2], "the payload is a list, not an object"),
    (None, "the payload is a NoneType, not an object"),
]


@pytest.mark.parametrize(("payload", "problem"), CASES, ids=[str(c[1]) for c in CASES])
def test_shape_problem_names_the_field(payload: Any, problem: str | None) -> None:
    assert shape_problem(payload) == problem
