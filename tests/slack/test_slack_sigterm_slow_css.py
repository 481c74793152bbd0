"""SIGTERM while Tencent Cloud is slow (8 s a call): no accepted question vanishes. Each asker
gets exactly one message: the answer, or (when the drain runs out) a note that the answer was
interrupted with an "Ask again" button, which then answers the question."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.css.simulator import Faults, Simulator
from bot.render.interrupted import ACTION_ASK_AGAIN, ASK_AGAIN, INTERRUPTED
from tests.support.serving import FORM, JSON, ServedBot, action_body, event_body, slash_body
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.world import SIM_ID, SIM_KEY, bot_env, known_tasks

pytestmark = pytest.mark.slow

SLASH_COMMANDS = 10
MENTIONS = 2


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        stand_in.add_user("UALICE", tz="UTC")
        stand_in.add_user("UBOB", tz="UTC")
        yield stand_in


def ask_again_button(call: SlackCall) -> dict[str, Any]:
    [button] = [
        element
        for block in call.params.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
        if element.get("text", {}).get("text") == ASK_AGAIN
    ]
    return button


def test_sigterm_with_slow_css_tells_every_waiting_asker_once(
    slack: SlackStandIn, tmp_path: Path
) -> None:
    slow = Faults(latency_s=8.0)
    tasks = known_tasks(datetime.now(UTC))
    with Simulator(tasks, secret_id=SIM_ID, secret_key=SIM_KEY, faults=slow) as css:
        env = bot_env(
            slack,
            css.url,
            tmp_path,
            RECBOT_API_TIMEOUT="30",
            RECBOT_QUERY_DEADLINE="60",
            RECBOT_DRAIN_TIMEOUT="2",
        )
        bot = ServedBot(env, tmp_path / "serve.log").start()
        try:
            for i in range(SLASH_COMMANDS):
                body = slash_body(
                    "cam1 last 2 days",
                    user="UALICE",
                    channel="CMAIN",
                    response_url=slack.response_url(f"q{i}"),
                )
                assert bot.post(body, FORM).status == 200
            for i in range(MENTIONS):
                ts = f"1700000{i}00.000100"
                event = {
                    "type": "app_mention",
                    "user": "UBOB",
                    "text": "<@UBOTRECBOT> cam1 last 2 days",
                    "ts": ts,
                    "channel": "CMAIN",
                    "event_ts": ts,
                }
                assert bot.post(event_body(event, event_id=f"EvTerm{i}"), JSON).status == 200
        finally:
            # Returns once the process has exited: every job is done or was interrupted.
            assert bot.stop() == 0
    responses = slack.calls("response_url")
    posts = slack.calls("chat.postMessage")
    for i in range(SLASH_COMMANDS):
        # The interim "Looking through…" progress message (bot/slack/interim.py) aside.
        [said] = [
            c
            for c in responses
            if c.path == f"/response/q{i}"
            and not str(c.params.get("text") or "").startswith("Looking through")
        ]
        assert INTERRUPTED in json.dumps(said.params)
        button = ask_again_button(said)
        assert (button["action_id"], button["value"]) == (ACTION_ASK_AGAIN, "cam1 last 2 days")
    for i in range(MENTIONS):
        [said] = [c for c in posts if c.params.get("thread_ts") == f"1700000{i}00.000100"]
        assert INTERRUPTED in json.dumps(said.params)
        assert ask_again_button(said)["value"] == "<@UBOTRECBOT> cam1 last 2 days"


def test_the_ask_again_button_answers_the_question(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    body = action_body(
        ACTION_ASK_AGAIN,
        "cam1 last 2 days",
        user="UALICE",
        channel="CMAIN",
        response_url=slack_api.response_url("again"),
    )
    assert served.post(body, FORM).status == 200
    [call] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/again")
    said = json.dumps(call.params)
    assert "cam1-now" in said
    assert INTERRUPTED not in said
