"""What a plain `recbot ask` question needs of team memory, read and written on the SQLite file
with the standard library's sqlite3 (`bot.db.sqlite_file`): the names and saved questions the
place may use, and the question's audit record. The same statements the SQLAlchemy stores make
(`bot.db.memory_store`, `bot.db.audit_store`), giving and taking the same rows
(tests/db/test_direct_memory.py holds the two to that).

Only a database that already has team memory's tables is opened here; making or migrating one,
the memory commands (which write names) and PostgreSQL stay with the SQLAlchemy stores.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bot.db.sqlite_file import connect, sqlite_file, tables
from bot.filters import Filters
from bot.memory.audit_record import AuditEvent
from bot.memory.names import NamedFilters, SavedQuestion

MEMORY_TABLES = frozenset({"team_names", "saved_questions", "audit_events"})
# The columns of a name's row, in the order `visible_from_rows` reads them.
NAME_COLUMNS = ("name", "owner", "streams", "apps", "domains", "everywhere", "created_by")
AUDIT_COLUMNS = tuple(AuditEvent.__dataclass_fields__)
# How SQLAlchemy's SQLite DATETIME keeps a (naive UTC) datetime: `bot.db.base.UTCDateTime`.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
# The statements, made of the constant column names above (the values are always parameters).
_VISIBLE_NAMES = (
    f"SELECT {', '.join(NAME_COLUMNS)} FROM team_names "  # noqa: S608
    "WHERE owner = ? OR everywhere IS 1"
)
_SAVED_QUESTIONS = (
    "SELECT name, request_text, owner, created_by FROM saved_questions "
    "WHERE owner = ? ORDER BY name"
)
_APPEND_AUDIT = (
    f"INSERT INTO audit_events ({', '.join(AUDIT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in AUDIT_COLUMNS)})"
)


def split_values(text: str) -> tuple[str, ...]:
    """A filter column's comma-joined values."""
    return tuple(v for v in text.split(",") if v)


def visible_from_rows(rows: Iterable[Sequence[object]], owner: str) -> dict[str, NamedFilters]:
    """Names usable by `owner` from its own rows and the workspace-wide ones (NAME_COLUMNS):
    its own name wins over a workspace-wide one of the same spelling."""
    names: dict[str, NamedFilters] = {}
    for name, row_owner, streams, apps, domains, everywhere, created_by in sorted(
        rows, key=lambda r: r[1] == owner
    ):  # own rows last: they win
        names[str(name)] = NamedFilters(
            str(name),
            Filters(*(split_values(str(values)) for values in (streams, apps, domains))),
            str(row_owner),
            bool(everywhere),
            str(created_by),
        )
    return names


def sqlite_datetime(value: datetime) -> str:
    """An aware datetime as the SQLAlchemy stores keep it in SQLite."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database")
    return value.astimezone(UTC).replace(tzinfo=None).strftime(_SQLITE_DATETIME)


class DirectMemory:
    """Team memory's reads (`bot.memory.desk.NameReader`) and the audit append, on one
    sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def visible_names(self, owner: str) -> dict[str, NamedFilters]:
        rows = self.connection.execute(_VISIBLE_NAMES, (owner,)).fetchall()
        return visible_from_rows(rows, owner)

    def saved_questions(self, owner: str) -> dict[str, SavedQuestion]:
        rows = self.connection.execute(_SAVED_QUESTIONS, (owner,)).fetchall()
        return {str(r[0]): SavedQuestion(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows}

    def append(self, events: Sequence[AuditEvent]) -> None:
        """One transaction for the batch: all rows or none."""
        if not events:
            return
        rows = [
            tuple(
                sqlite_datetime(e.at) if name == "at" else getattr(e, name)
                for name in AUDIT_COLUMNS
            )
            for e in events
        ]
        with self.connection:  # commits, or rolls back on an error
            self.connection.executemany(_APPEND_AUDIT, rows)

    def close(self) -> None:
        self.connection.close()


def open_direct_memory(database_url: str) -> DirectMemory | None:
    """Team memory on a `sqlite:///path` file that has its tables already; None for anything
    else (no such file, tables to make, another database, a file sqlite3 cannot open): the
    SQLAlchemy stores then open it, and say why if they cannot."""
    path = sqlite_file(database_url)
    if path is None or not path.is_file():
        return None
    try:
        connection = connect(path)
    except (sqlite3.Error, OSError):
        return None
    try:
        present = tables(connection)
    except sqlite3.Error:
        present = frozenset()
    if not present >= MEMORY_TABLES:
        connection.close()
        return None
    return DirectMemory(connection)
