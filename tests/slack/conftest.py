"""Shared fixtures for the Slack tests: the Slack stand-in, a CSS simulator with known tasks,
an access file, and `recbot serve` running against both (one server per test module)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import ServedBot
from tests.support.slack_api import SlackStandIn
from tests.support.world import SIM_ID, SIM_KEY, bot_env, known_tasks


@pytest.fixture(scope="module")
def slack_api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        stand_in.add_user("UALICE", tz="Asia/Tokyo")
        stand_in.add_user("UBOB", tz="Europe/Berlin")
        stand_in.add_user("UCAROL", tz="UTC")
        stand_in.set_usergroup("SOPS", ("UCAROL",))
        yield stand_in


@pytest.fixture(scope="module")
def css() -> Iterator[Simulator]:
    with Simulator(known_tasks(datetime.now(UTC)), secret_id=SIM_ID, secret_key=SIM_KEY) as sim:
        yield sim


@pytest.fixture(scope="module")
def served(
    slack_api: SlackStandIn, css: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    tmp = tmp_path_factory.mktemp("served")
    bot = ServedBot(bot_env(slack_api, css.url, tmp), tmp / "serve.log").start()
    yield bot
    bot.stop()
