"""The recbot database as a SQLite file, opened with the standard library's sqlite3 alone.

SQLAlchemy costs a fresh `recbot ask` about a quarter of a second to import: more than the
rest of its answer. On the SQLite file recbot makes by default, the few statements a plain
question needs are made directly (`bot.db.direct_memory`; the index check in `bot.wiring`).
Only a URL in the plain form `sqlite:///path` is read here; any other form (options after `?`,
escapes, `:memory:`) and every other database go through SQLAlchemy's URL and engine.

`sqlite_pragmas` is the one set of connection settings: the engine applies it to each
connection it opens (`bot.db.database`), `connect` to its own.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

SQLITE_BUSY_MS = 15_000
_PLAIN = "sqlite:///"
# Characters after which SQLAlchemy's URL parsing could read the path differently.
_NOT_PLAIN = frozenset("?#%@:")


def sqlite_file(database_url: str) -> Path | None:
    """The file of a `sqlite:///path` URL, as SQLAlchemy reads it (relative to the working
    folder); None for any other URL, which only SQLAlchemy reads."""
    if not database_url.startswith(_PLAIN):
        return None
    path = database_url[len(_PLAIN) :]
    if not path or _NOT_PLAIN & set(path):
        return None
    return Path(path)


def sqlite_pragmas(connection: Any) -> None:
    """What every connection to the file sets (a sqlite3 connection, or the DBAPI connection
    the engine hands its "connect" listener)."""
    cursor = connection.cursor()
    # WAL lets readers run beside a writer; busy_timeout makes writers wait for each other
    # instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives any process crash; only an OS crash or power cut may lose the
    # last commits. FULL would fsync every claim and record (seconds per thousand digests).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the file if it exists; never makes one (sqlite3.OperationalError)."""
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=SQLITE_BUSY_MS / 1000
    )


def connect(path: Path) -> sqlite3.Connection:
    """A connection to an existing file, set up as the engine sets up its own."""
    connection = _open(path)
    try:
        sqlite_pragmas(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def tables(connection: sqlite3.Connection) -> frozenset[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return frozenset(str(row[0]) for row in rows)


def has_rows(database_url: str, table: str) -> bool | None:
    """Whether `table` of the database holds a row, when that is plain to see without
    SQLAlchemy: False for a `sqlite:///path` file that is missing or lacks the table or rows in
    it, True when it has one; None when it cannot be told here (another URL, or the file could
    not be read), for the caller to find out through SQLAlchemy."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    path = sqlite_file(database_url)
    if path is None:
        return None
    if not path.is_file():
        return False
    try:
        connection = _open(path)
        try:
            if table not in tables(connection):
                return False
            found = connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()  # noqa: S608
        finally:
            connection.close()
    except (sqlite3.Error, OSError):
        return None
    return found is not None
