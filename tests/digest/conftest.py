"""Digest test fixtures: a SQLite file or a fresh PostgreSQL database per test, the Slack
stand-in (with conversations.history), the CSS simulator and a task source over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.digest.store import DigestStore
from tests.support.databases import database_url, engine
from tests.support.slack_api import SlackStandIn, running
from tests.support.slack_history import HISTORY_SCOPES, enable_history

__all__ = ["database_url", "engine"]  # the shared fixtures, for the tests here


@pytest.fixture
def store(engine: Engine) -> DigestStore:
    return DigestStore(engine)


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    enable_history()
    yield from running(scopes=HISTORY_SCOPES)


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator(count=120) as sim:
        yield sim


@pytest.fixture
def source(simulator: Simulator) -> Iterator[CssSource]:
    with open_source(Settings(), simulator=simulator) as src:
        yield src
