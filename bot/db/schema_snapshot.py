"""Cheap schema checks that spare a command loading Alembic (about a second on a new machine).

- `code_head()`: the newest revision in bot/db/migrations, read from the scripts' own
  `revision = …` / `down_revision = …` lines (None when that is not one plain chain; the caller
  then asks Alembic).
- `database_revisions()`: what `alembic_version` holds, in one query.
- `create_from_snapshot()`: a new, empty SQLite database gets the schema the migrations would
  give it, replayed from `sqlite_schema.sql` in one transaction and stamped at the head. The
  snapshot is the `sqlite_master` of a database that Alembic migrated, so the result is the
  same schema, text for text (tests/db/test_schema_snapshot.py compares them). A snapshot
  older than the migrations is not used.

After adding a migration, write the snapshot again:

    .venv/bin/python -m bot.db.schema_snapshot
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text

VERSIONS = Path(__file__).parent / "migrations" / "versions"
SNAPSHOT = Path(__file__).parent / "sqlite_schema.sql"
VERSION_TABLE = "alembic_version"  # Alembic's default, which bot/db/migrations/env.py keeps

_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(None|['\"]([^'\"]+)['\"])", re.MULTILINE)
_HEAD_LINE = re.compile(r"^-- head: (\S+)$", re.MULTILINE)


def code_head() -> str | None:
    """The one head of the migration scripts, or None if they are not a plain chain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None:
            continue  # __init__.py
        if down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(2):
            parents.add(down.group(2))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def database_revisions(connection: Connection) -> frozenset[str] | None:
    """The revisions stamped in the database; None when it has no version table."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(str(row[0]) for row in rows)


def snapshot_head(snapshot: Path = SNAPSHOT) -> str | None:
    try:
        found = _HEAD_LINE.search(snapshot.read_text(encoding="utf-8"))
    except OSError:
        return None
    return None if found is None else found.group(1)


def create_from_snapshot(connection: Connection, head: str) -> bool:
    """Give an empty SQLite database the schema at `head`; False (nothing done) when the
    database is not empty or the snapshot is not at `head`. Call it holding the migration
    lock, as Alembic would be."""
    if connection.dialect.name != "sqlite" or snapshot_head() != head:
        return False
    if inspect(connection).get_table_names():
        return False
    statements = SNAPSHOT.read_text(encoding="utf-8")
    raw: Any = connection.connection.driver_connection
    # One script, one transaction: a crash halfway leaves the database empty, not half made.
    raw.executescript(
        f"BEGIN;\n{statements}\nINSERT INTO {VERSION_TABLE} (version_num) VALUES ('{head}');\n"
        "COMMIT;"
    )
    return True


def sqlite_schema(connection: Connection) -> list[tuple[str, str, str, str]]:
    """(type, name, table, sql) of every object SQLite keeps, in the order they were made."""
    rows = connection.execute(
        text(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    )
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def render_snapshot(schema: list[tuple[str, str, str, str]], head: str) -> str:
    lines = [
        "-- The schema bot/db/migrations give a new SQLite database (its sqlite_master, in order).",
        "-- Written by `python -m bot.db.schema_snapshot`; do not edit by hand.",
        f"-- head: {head}",
    ]
    lines += [f"{sql};" for _type, _name, _table, sql in schema]
    return "\n".join(lines) + "\n"


def migrated_snapshot() -> str:
    """The snapshot text of a new SQLite database migrated by Alembic to the code's head."""
    from bot.db.database import migrate_with_alembic, open_engine

    head = code_head()
    if head is None:
        raise SystemExit("bot/db/migrations is not one chain; cannot name its head")
    with tempfile.TemporaryDirectory() as folder:
        engine = open_engine(f"sqlite:///{folder}/snapshot.sqlite3")
        try:
            migrate_with_alembic(engine)
            with engine.connect() as connection:
                return render_snapshot(sqlite_schema(connection), head)
        finally:
            engine.dispose()


if __name__ == "__main__":
    SNAPSHOT.write_text(migrated_snapshot(), encoding="utf-8")
    print(f"wrote {SNAPSHOT} at head {snapshot_head()}")
