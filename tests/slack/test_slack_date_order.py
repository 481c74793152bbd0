"""RECBOT_DATE_ORDER=DMY in a real `recbot serve`: a slash command's numeric date is read
day/month and the reply's first line says so (docs/time-phrases.md, "More decisions")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import FORM, ServedBot, slash_body
from tests.support.slack_api import SlackStandIn
from tests.support.world import bot_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(
    slack_api: SlackStandIn, css: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    tmp = tmp_path_factory.mktemp("served_dmy")
    env = bot_env(slack_api, css.url, tmp, RECBOT_DATE_ORDER="DMY")
    bot = ServedBot(env, tmp / "serve.log").start()
    yield bot
    bot.stop()


def test_slash_reads_numeric_date_day_month(served: ServedBot, slack_api: SlackStandIn) -> None:
    body = slash_body(
        "cam1 3/8/2025", user="UCAROL", channel="CMAIN", response_url=slack_api.response_url("dmy")
    )
    assert served.post(body, FORM).status == 200
    [call] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/dmy")
    said = str(call.params.get("text")) + str(call.params.get("blocks"))
    assert "Aug 3 2025" in said
    assert "dates read day/month" in said
