"""Tencent Cloud out of reach: the Slack asker reads one plain sentence, never the raw
transport error or the endpoint URL; the detail is in the server's log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.css.errors import CSS_DID_NOT_ANSWER
from tests.support.serving import FORM, ServedBot, free_port, slash_body
from tests.support.slack_api import SlackStandIn
from tests.support.world import bot_env

pytestmark = pytest.mark.slow


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        stand_in.add_user("UALICE", tz="UTC")
        yield stand_in


def test_css_out_of_reach_is_one_plain_sentence_in_slack(
    slack: SlackStandIn, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = bot_env(slack, dead, tmp_path, RECBOT_QUERY_DEADLINE="3", RECBOT_API_TIMEOUT="1")
    bot = ServedBot(env, tmp_path / "serve.log").start()
    try:
        body = slash_body(
            "cam1 last 2 days", user="UALICE", channel="CMAIN", response_url=slack.response_url("d")
        )
        assert bot.post(body, FORM).status == 200
        [call] = slack.wait_for("response_url", where=lambda c: c.path == "/response/d")
    finally:
        bot.stop()
    said = json.dumps({k: call.params.get(k) for k in ("text", "blocks")})
    assert CSS_DID_NOT_ANSWER in said
    for leak in (dead, "127.0.0.1", "HTTPConnectionPool", "urllib3", "Errno", "RECBOT_CSS"):
        assert leak not in said
    assert dead in bot.log()  # the operator finds the detail in the log
