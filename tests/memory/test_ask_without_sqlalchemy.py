"""A question in the terminal, once recbot's SQLite file exists, is read, answered and recorded
without loading SQLAlchemy (docs/team-memory.md): names and the record through sqlite3, and
an index never synced seen to be empty the same way. The first run makes the database (that
is SQLAlchemy's job); a memory command still goes through the SQLAlchemy stores.

Each run is a real `python -m bot` process; `-X importtime` lists every module it loaded."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from tests.support.environment import scrubbed_environ

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-07-27T10:00:00+00:00"  # the embedded simulator's clock (Tencent Cloud's is real)
DATABASE_PACKAGES = frozenset({"sqlalchemy", "alembic"})


@pytest.fixture
def shared() -> Iterator[Simulator]:
    with Simulator(count=None) as sim:
        yield sim


def _ask(folder: Path, env: dict[str, str], *words: str) -> tuple[dict[str, object], set[str]]:
    """The JSON answer and the top-level packages the process imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "ask", "--json", *words],
        cwd=folder,
        env=scrubbed_environ() | {"HOME": str(folder), "PYTHONPATH": str(ROOT)} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "bot" in loaded  # the listing is there to read
    body: dict[str, object] = json.loads(done.stdout)
    return body, loaded


def _records(folder: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(folder / "recbot.sqlite3") as connection:
        return connection.execute("SELECT text, outcome FROM audit_events ORDER BY id").fetchall()


def test_embedded_simulator_second_question_loads_no_sqlalchemy(tmp_path: Path) -> None:
    first, loaded_first = _ask(tmp_path, {}, "--now", NOW, "yesterday")
    assert loaded_first & DATABASE_PACKAGES  # the first run made the database
    second, loaded = _ask(tmp_path, {}, "--now", NOW, "yesterday")
    assert not loaded & DATABASE_PACKAGES
    assert second["tasks"] == first["tasks"]
    assert _records(tmp_path) == [("yesterday", "answered")] * 2


def test_credentials_and_an_unsynced_index_load_no_sqlalchemy_but_names_still_work(
    tmp_path: Path, shared: Simulator
) -> None:
    env = {
        "TENCENTCLOUD_SECRET_ID": shared.secret_id,
        "TENCENTCLOUD_SECRET_KEY": shared.secret_key,
        "RECBOT_CSS_ENDPOINT": shared.url,
    }
    _ask(tmp_path, env, "yesterday")  # makes the database
    # A memory command writes through the SQLAlchemy stores.
    named, loaded = _ask(tmp_path, env, "name studio-a stream:cam1,cam2")
    assert "studio-a = cam1, cam2" in str(named["text"])
    assert "sqlalchemy" in loaded
    # The question that uses the name reads it, answers (live: the index was never synced)
    # and records itself through sqlite3 alone.
    answered, loaded = _ask(tmp_path, env, "studio-a yesterday")
    assert not loaded & DATABASE_PACKAGES
    assert answered["names"] == ["studio-a = cam1, cam2"]
    assert answered["request"]["streams"] == ["cam1", "cam2"]  # type: ignore[index]
    assert _records(tmp_path)[-1] == ("studio-a yesterday", "answered")
