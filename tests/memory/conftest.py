"""Team memory fixtures: the stores on a SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db.team_memory import MemoryStores, open_memory
from tests.support.pg import fresh_postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/memory/recbot.sqlite3"
        return
    with fresh_postgres_url() as url:
        yield url


@pytest.fixture
def stores(database_url: str) -> Iterator[MemoryStores]:
    opened = open_memory(database_url)
    yield opened
    opened.close()
