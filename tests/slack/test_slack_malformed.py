"""Bodies are parsed only once their signature is verified, and a signed body of the wrong
shape is a 400 with one log line (no traceback): the probe's payloads, then hypothesis
mutating every field of real Slack payloads, all signed, through `recbot serve`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.serving import FORM, JSON, HttpResult, ServedBot, http, slash_body

pytestmark = pytest.mark.slow

NESTED = "[" * 1000 + "]" * 1000


def lines_of(served: ServedBot, rid: str) -> list[dict[str, Any]]:
    lines = []
    for text in served.log().splitlines():
        if text.startswith("{"):
            line = json.loads(text)
            if line.get("request_id") == rid:
                lines.append(line)
    return lines


def interaction(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_actions() -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T0RECBOT", "domain": "recbot-test"},
        "user": {"id": "UALICE", "team_id": "T0RECBOT"},
        "api_app_id": "A0RECBOT",
        "container": {"type": "message", "channel_id": "CMAIN", "is_ephemeral": True},
        "channel": {"id": "CMAIN", "name": "cmain"},
        "response_url": "http://127.0.0.1:9/response/x",
        "trigger_id": "1.2.3",
        "actions": [{"type": "button", "action_id": "recbot_next", "block_id": "b", "value": "v"}],
    }


def view_submission() -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T0RECBOT"},
        "user": {"id": "UALICE"},
        "api_app_id": "A0RECBOT",
        "trigger_id": "1.2.3",
        "view": {"id": "V1", "callback_id": "recbot_view", "state": {"values": {}}},
    }


def shortcut() -> dict[str, Any]:
    return {
        "type": "shortcut",
        "team": {"id": "T0RECBOT"},
        "user": {"id": "UALICE"},
        "callback_id": "recbot_shortcut",
        "trigger_id": "1.2.3",
    }


def event_callback() -> dict[str, Any]:
    return {
        "team_id": "T0RECBOT",
        "api_app_id": "A0RECBOT",
        "type": "event_callback",
        "event_id": "EvShape",
        "event_time": 1700000000,
        "authorizations": [{"team_id": "T0RECBOT", "user_id": "UBOTRECBOT", "is_bot": True}],
        "event": {
            "type": "app_mention",
            "user": "UALICE",
            "text": "<@UBOTRECBOT> help",
            "ts": "1700000000.000100",
            "channel": "CMAIN",
            "event_ts": "1700000000.000100",
        },
    }


# The probe's signed payloads that were answered 500.
PROBE = [
    ("actions is a string", interaction({**block_actions(), "actions": "x"}), FORM),
    ("actions hold a string", interaction({**block_actions(), "actions": ["x"]}), FORM),
    ("event is null", json.dumps({**event_callback(), "event": None}), JSON),
    ("event is a list", json.dumps({**event_callback(), "event": [1]}), JSON),
    ("view is null", interaction({**view_submission(), "view": None}), FORM),
    ("user is a string", interaction({**block_actions(), "user": "UALICE"}), FORM),
    ("payload is a list", urlencode({"payload": "[1, 2]"}), FORM),
    ("payload is nested lists", urlencode({"payload": NESTED}), FORM),
    ("body is nested lists", NESTED, JSON),
]


@pytest.mark.parametrize(
    ("body", "content_type"), [p[1:] for p in PROBE], ids=[p[0] for p in PROBE]
)
def test_a_signed_malformed_payload_is_a_400_with_one_log_line(
    served: ServedBot, body: str, content_type: str
) -> None:
    result = served.post(body, content_type)
    assert result.status == 400
    [line] = lines_of(served, result.headers["x-request-id"])
    assert "exc" not in line


def test_an_unsigned_nested_body_is_refused_before_it_is_parsed(served: ServedBot) -> None:
    result = http(
        f"{served.url}/slack/events", NESTED.encode(), {"Content-Type": JSON}, method="POST"
    )
    assert result.status == 401
    [line] = lines_of(served, result.headers["x-request-id"])
    assert "exc" not in line


# ---- hypothesis: every field of real payloads, replaced by a value of the wrong shape ----

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.just([]),
    st.just({}),
    st.just(["x"]),
    st.just([None]),
    st.just({"x": None}),
)
TEMPLATES: list[tuple[Callable[[], dict[str, Any]], bool]] = [
    (block_actions, True),
    (view_submission, True),
    (shortcut, True),
    (event_callback, False),
]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], junk: Any) -> Any:
    if not path:
        return junk
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = junk
    return copy


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    make, is_interaction = draw(st.sampled_from(TEMPLATES))
    payload = make()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(payload) or [()]))
        payload = replaced(payload, path, draw(JUNK))
    if is_interaction:
        return interaction(payload), FORM
    return json.dumps(payload), JSON


@st.composite
def mutated_slash(draw: st.DrawFn) -> tuple[str, str]:
    form = dict(
        item.split("=", 1)
        for item in slash_body(
            "cam1", user="UALICE", channel="CMAIN", response_url="http://127.0.0.1:9/r"
        ).split("&")
    )
    key = draw(st.sampled_from(sorted(form)))
    if draw(st.booleans()):
        del form[key]
    else:
        form[key] = draw(st.text(max_size=12))
    return urlencode(form), FORM


def check(served: ServedBot, body: str, content_type: str) -> HttpResult:
    result = served.post(body, content_type)
    assert result.status in (200, 400, 404), (result.status, body[:300])
    rid = result.headers["x-request-id"]
    if result.status == 400:
        [line] = lines_of(served, rid)
    for line in lines_of(served, rid):
        assert "exc" not in line, (body[:300], line)
    return result


@settings(
    max_examples=200,
    deadline=timedelta(seconds=10),
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=st.one_of(mutated(), mutated_slash()))
def shapes_are_answered_or_refused_plainly(served: ServedBot, request: tuple[str, str]) -> None:
    check(served, *request)


def test_payloads_of_any_shape_are_answered_or_refused_without_a_traceback(
    served: ServedBot,
) -> None:
    shapes_are_answered_or_refused_plainly(served)
    assert http(f"{served.url}/healthz", timeout=5).status == 200
    assert "Traceback" not in served.log()
