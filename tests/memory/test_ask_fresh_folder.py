"""`recbot ask` as a new user runs it first: an empty folder, no credentials, no settings.
The process makes the database (from the schema snapshot, tests/db), answers, records the
question and exits; the record is there once the process is gone, and the answer is the one a
second run gives over the database that now exists."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.db.schema_snapshot import code_head
from tests.support.environment import scrubbed_environ

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-07-27T10:00:00+00:00"


def _ask(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--now", NOW, "yesterday"],
        cwd=folder,
        env=scrubbed_environ() | {"HOME": str(folder), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "built-in CSS simulator" in done.stderr
    body: dict[str, Any] = json.loads(done.stdout)
    return body


def _records(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT surface, text, outcome FROM audit_events ORDER BY id"
        ).fetchall()


def test_first_ask_in_an_empty_folder_answers_and_records_it(tmp_path: Path) -> None:
    first = _ask(tmp_path)
    database = tmp_path / "recbot.sqlite3"
    assert database.is_file()
    assert _records(database) == [("cli", "yesterday", "answered")]
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (code_head(),)
        ]
    assert first["tasks"]

    second = _ask(tmp_path)
    assert second["tasks"] == first["tasks"]
    assert second["text"] == first["text"]
    assert _records(database) == [("cli", "yesterday", "answered")] * 2
