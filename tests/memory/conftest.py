"""Team memory fixtures: the stores on a SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db.team_memory import MemoryStores, open_memory
from tests.support.databases import database_url

__all__ = ["database_url"]  # the shared fixture, for the tests here


@pytest.fixture
def stores(database_url: str) -> Iterator[MemoryStores]:
    opened = open_memory(database_url)
    yield opened
    opened.close()
