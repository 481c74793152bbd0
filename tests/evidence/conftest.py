"""The evidence store on each database it runs on: SQLite, and PostgreSQL (the replicas')."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db.database import migrate, open_engine
from bot.evidence.store import EvidenceStore
from tests.support.pg import fresh_postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EvidenceStore]:
    if request.param == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path}/e.sqlite3")
        migrate(engine)
        yield EvidenceStore(engine)
        engine.dispose()
        return
    with fresh_postgres_url() as url:
        engine = open_engine(url)
        migrate(engine)
        yield EvidenceStore(engine)
        engine.dispose()
