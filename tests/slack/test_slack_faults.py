"""Faults: the CSS API down or slow (the asker hears so within seconds, in plain words) and
SIGTERM while answering (answers already accepted are delivered before the server exits)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.css.simulator import Faults, Simulator
from tests.support.serving import FORM, ServedBot, free_port, slash_body
from tests.support.slack_api import SlackStandIn
from tests.support.world import SIM_ID, SIM_KEY, bot_env, known_tasks

pytestmark = pytest.mark.slow

# What "within seconds" means here: the query deadline is set to 3 s for these servers.
HEARD_WITHIN_S = 8.0


def _serve(slack: SlackStandIn, css_url: str, tmp: Path, **extra: str) -> ServedBot:
    env = bot_env(slack, css_url, tmp, RECBOT_QUERY_DEADLINE="3", RECBOT_API_TIMEOUT="1", **extra)
    return ServedBot(env, tmp / "serve.log").start()


def _ask(bot: ServedBot, slack: SlackStandIn, name: str) -> str:
    """The answer to one slash command, waited for up to HEARD_WITHIN_S (a deadline on a
    condition: the order of events, not a duration, is what the tests assert)."""
    body = slash_body(
        "cam1 last 2 days", user="UALICE", channel="CMAIN", response_url=slack.response_url(name)
    )
    assert bot.post(body, FORM).status == 200
    [call] = slack.wait_for(
        "response_url", where=lambda c: c.path == f"/response/{name}", timeout=HEARD_WITHIN_S
    )
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")})


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        stand_in.add_user("UALICE", tz="UTC")
        yield stand_in


def test_css_down_is_reported_plainly_within_seconds(slack: SlackStandIn, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    bot = _serve(slack, dead, tmp_path)
    try:
        said = _ask(bot, slack, "down")
    finally:
        bot.stop()
    assert ":warning:" in said
    assert "Traceback" not in said
    assert "cam1-now" not in said


def test_css_slow_is_reported_plainly_within_seconds(slack: SlackStandIn, tmp_path: Path) -> None:
    # The simulator answers nothing for a minute (daemon threads: stopping it does not wait).
    faults = Faults(latency_s=60.0)
    with Simulator(
        known_tasks(time_now()), secret_id=SIM_ID, secret_key=SIM_KEY, faults=faults
    ) as slow:
        bot = _serve(slack, slow.url, tmp_path)
        try:
            said = _ask(bot, slack, "slow")
            # The asker heard before the API answered any call: the bot's own deadline spoke.
            answered = slow.request_log.calls
        finally:
            bot.stop()
    assert answered == 0
    assert ":warning:" in said


def test_sigterm_lets_answers_in_flight_finish(slack: SlackStandIn, tmp_path: Path) -> None:
    faults = Faults(latency_s=0.7)  # the answer is still being fetched when SIGTERM lands
    with Simulator(
        known_tasks(time_now()), secret_id=SIM_ID, secret_key=SIM_KEY, faults=faults
    ) as slowish:
        bot = _serve(slack, slowish.url, tmp_path)
        body = slash_body(
            "cam1 last 2 days",
            user="UALICE",
            channel="CMAIN",
            response_url=slack.response_url("inflight"),
        )
        assert bot.post(body, FORM).status == 200
        code = bot.stop()
        calls = [c for c in slack.calls("response_url") if c.path == "/response/inflight"]
    assert code == 0
    assert len(calls) == 1
    assert "cam1" in json.dumps(calls[0].params)
    # One auth.test for the whole `recbot serve`: the token check before the server starts; the
    # worker's bot, its digests and Bolt reuse that answer (R20).
    assert len(slack.calls("auth.test")) == 1
    assert "will be ignored" not in bot.log()  # Bolt's token warning would only mislead


def time_now() -> datetime:
    return datetime.now(UTC)
