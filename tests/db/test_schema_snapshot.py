"""A new SQLite database made from the schema snapshot is the database Alembic's migrations
make, and a database already at the head is left alone without loading Alembic."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from bot.db import schema_snapshot
from bot.db.database import (
    _alembic_config,
    migrate,
    migrate_with_alembic,
    open_engine,
    schema_heads,
)
from bot.db.schema_snapshot import (
    code_head,
    create_from_snapshot,
    database_revisions,
    migrated_snapshot,
    sqlite_schema,
)
from tests.support.environment import scrubbed_environ
from tests.support.pg import fresh_postgres_url

ROOT = Path(__file__).resolve().parents[2]


def _engine(folder: Path, name: str) -> Engine:
    return open_engine(f"sqlite:///{folder / name}")


def _state(engine: Engine) -> tuple[list[tuple[str, str, str, str]], frozenset[str] | None]:
    with engine.connect() as connection:
        return sqlite_schema(connection), database_revisions(connection)


def _migrate_in_a_new_process(url: str) -> str:
    """Runs `migrate` in a fresh interpreter; prints which of Alembic's modules it loaded."""
    script = textwrap.dedent(
        f"""
        import sys
        from bot.db.database import migrate, open_engine
        engine = open_engine({url!r})
        migrate(engine)
        engine.dispose()
        print("alembic" if "alembic" in sys.modules else "no alembic")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=scrubbed_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_code_head_is_alembics_head() -> None:
    assert schema_heads() == {code_head()}


def test_snapshot_is_the_migrated_schema_of_today() -> None:
    # Fails after a new migration until `python -m bot.db.schema_snapshot` is run.
    assert schema_snapshot.SNAPSHOT.read_text(encoding="utf-8") == migrated_snapshot()


def test_new_sqlite_database_is_the_migrated_one(tmp_path: Path) -> None:
    made, migrated = _engine(tmp_path, "made.sqlite3"), _engine(tmp_path, "migrated.sqlite3")
    try:
        migrate(made)
        migrate_with_alembic(migrated)
        schema, revisions = _state(made)
        assert revisions == {code_head()}
        assert (schema, revisions) == _state(migrated)
        tables = set(inspect(made).get_table_names())
        assert {"audit_events", "digest_posts", "index_tasks"} <= tables
    finally:
        made.dispose()
        migrated.dispose()


def test_new_sqlite_database_is_made_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'recbot.sqlite3'}"
    assert _migrate_in_a_new_process(url) == "no alembic"
    assert _migrate_in_a_new_process(url) == "no alembic"  # at the head: one query
    engine = open_engine(url)
    try:
        assert _state(engine)[1] == {code_head()}
    finally:
        engine.dispose()


def test_older_sqlite_database_is_upgraded_by_alembic(tmp_path: Path) -> None:
    from alembic import command

    older, migrated = _engine(tmp_path, "older.sqlite3"), _engine(tmp_path, "migrated.sqlite3")
    try:
        with older.begin() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        assert _state(older)[1] == {"0004"}
        migrate(older)
        migrate_with_alembic(migrated)
        assert _state(older) == _state(migrated)
    finally:
        older.dispose()
        migrated.dispose()


def test_snapshot_of_another_head_is_not_used(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "recbot.sqlite3")
    try:
        with engine.begin() as connection:
            assert not create_from_snapshot(connection, "not-the-head")
            assert inspect(connection).get_table_names() == []
    finally:
        engine.dispose()


def test_a_snapshot_failing_halfway_leaves_the_database_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = code_head()
    assert head is not None
    broken = tmp_path / "broken.sql"
    good = schema_snapshot.SNAPSHOT.read_text(encoding="utf-8")
    broken.write_text(good + "CREATE TABLE audit_events (id INTEGER);\n", encoding="utf-8")
    monkeypatch.setattr(schema_snapshot, "SNAPSHOT", broken)
    engine = _engine(tmp_path, "recbot.sqlite3")
    try:
        with pytest.raises(Exception, match="already exists"), engine.begin() as connection:
            create_from_snapshot(connection, head)
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_postgres_database_at_head_is_not_migrated_again() -> None:
    with fresh_postgres_url() as url:
        assert _migrate_in_a_new_process(url) == "alembic"  # new: Alembic's scripts
        assert _migrate_in_a_new_process(url) == "no alembic"  # at the head: one query
        engine = open_engine(url)
        try:
            with engine.connect() as connection:
                assert database_revisions(connection) == {code_head()}
        finally:
            engine.dispose()
