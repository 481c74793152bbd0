"""Database fixtures shared by the areas that keep state (digests, the index): each test gets
a SQLite file of its own, or (marked `postgres`) a fresh PostgreSQL database, migrated.

A conftest takes them with `from tests.support.databases import database_url, engine`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db.database import migrate, open_engine
from tests.support.pg import fresh_postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The SQLite file lies in a folder named for the test's area (tests/<area>/)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/{request.path.parent.name}/recbot.sqlite3"
        return
    with fresh_postgres_url() as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
