"""Open team memory's stores on the recbot database, migrated to the newest schema."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, inspect

from bot.db.audit_store import AuditStore
from bot.db.database import migrate, open_engine
from bot.db.memory_store import MemoryStore

_TABLES = ("team_names", "saved_questions", "audit_events")


@dataclass(frozen=True)
class MemoryStores:
    names: MemoryStore
    audit: AuditStore
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()


def open_memory(database_url: str, *, quick: bool = False) -> MemoryStores:
    """`quick`: skip Alembic when the tables are already there, since loading it
    costs more than most answers; the server always runs the migrations."""
    engine = open_engine(database_url)
    try:
        present = set(inspect(engine).get_table_names()) if quick else set()
        if not set(_TABLES) <= present:
            migrate(engine)
    except Exception:
        engine.dispose()
        raise
    return MemoryStores(MemoryStore(engine), AuditStore(engine), engine)
