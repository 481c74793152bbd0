"""Digest test fixtures: a SQLite file or a fresh PostgreSQL database per test, the Slack
stand-in (with conversations.history), the CSS simulator and a task source over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.digest.store import DigestStore
from tests.support.pg import fresh_postgres_url
from tests.support.slack_api import SlackStandIn, running
from tests.support.slack_history import HISTORY_SCOPES, enable_history


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/digests/recbot.sqlite3"
        return
    with fresh_postgres_url() as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


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
