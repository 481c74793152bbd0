"""`recbot sync --backfill` then `recbot ask` answers from the index (no API call, the footer
says so); `recbot ask --live` asks the API; both give the same tasks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.css.simulator import Simulator


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Simulator]:
    """A simulator standing for Tencent Cloud (its clock is this machine's) and a database."""
    with Simulator(seed=9, count=300, page_size=25, rate_limit=None) as sim:
        monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", sim.secret_id)
        monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", sim.secret_key)
        monkeypatch.setenv("RECBOT_CSS_ENDPOINT", sim.url)
        monkeypatch.setenv("RECBOT_DATABASE_URL", f"sqlite:///{tmp_path}/recbot.sqlite3")
        monkeypatch.setenv("RECBOT_INDEX", "true")
        yield sim


def ask_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["ask", "--json", *args]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def test_sync_then_ask_answers_from_the_index_and_live_agrees(
    account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--backfill"]) == 0
    err = capsys.readouterr().err
    assert "index up to date: 3" in err  # 300 tasks, give or take the 90-day edge
    calls = account.request_log.calls
    from_index = ask_json(capsys, "yesterday")
    assert account.request_log.calls == calls
    assert "index, synced" in from_index["text"] or "index, synced" in json.dumps(
        from_index["blocks"]
    )
    live = ask_json(capsys, "--live", "yesterday")
    assert account.request_log.calls > calls
    assert "index, synced" not in json.dumps(live["blocks"])
    assert from_index["tasks"] == live["tasks"]


def test_ask_without_an_index_answers_live_and_syncs_nothing(
    account: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # `recbot ask` opens the database for the audit trail (docs/team-memory.md), but looking
    # for an index never fills one: the answer is live and the index stays empty.
    answered = ask_json(capsys, "yesterday")
    assert account.request_log.calls > 0
    assert "index, synced" not in json.dumps(answered["blocks"])
    from bot.config import Settings
    from bot.wiring import existing_index_store

    store = existing_index_store(Settings())
    if store is not None:
        try:
            assert store.accounts() == []
        finally:
            store.engine.dispose()


def test_sync_twice_spends_only_the_hot_refresh(
    account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync"]) == 0
    first = account.request_log.calls
    assert main(["sync"]) == 0
    # Nothing missing, nothing to reconcile: one listing of the hot part (two windows).
    assert 2 <= account.request_log.calls - first <= 4
    assert "index up to date" in capsys.readouterr().err
