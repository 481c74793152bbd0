"""Index test fixtures: a database (SQLite file, or a fresh PostgreSQL one), a simulator whose
clock moves (deletions are judged by when a listing began, so time must pass between them),
and the live source, store and syncer over them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.index.store import IndexStore
from bot.index.sync import Syncer, SyncPolicy
from tests.support.css import FAST_RETRY
from tests.support.databases import database_url, engine

__all__ = ["database_url", "engine"]  # the shared fixtures, for the tests here

START = datetime(2026, 7, 27, 12, 30, tzinfo=UTC)


class MovingClock:
    """The simulator's clock: real time passing from START, plus whatever a test skips."""

    def __init__(self, start: datetime = START) -> None:
        self._start = start
        self._began = time.monotonic()
        self._skipped = timedelta()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._start + self._skipped + timedelta(seconds=time.monotonic() - self._began)

    def skip(self, span: timedelta) -> None:
        with self._lock:
            self._skipped += span


@pytest.fixture
def store(engine: Engine) -> IndexStore:
    return IndexStore(engine)


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def sim(clock: MovingClock) -> Iterator[Simulator]:
    with Simulator(clock=clock, seed=5, count=600, page_size=25, rate_limit=None) as simulator:
        yield simulator


@pytest.fixture
def live(sim: Simulator) -> Iterator[CssSource]:
    settings = Settings(recbot_query_deadline=20.0, recbot_api_timeout=5.0)
    source = open_source(
        settings,
        simulator=sim,
        limiter=SlidingWindowLimiter(500.0),
        cache=MemoryCache(),
        retry=FAST_RETRY,
    )
    yield source
    source.close()


@pytest.fixture
def syncer(store: IndexStore, live: CssSource) -> Syncer:
    return Syncer(store, live, SyncPolicy(), holder="test-replica")
