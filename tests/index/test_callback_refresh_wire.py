"""A recording callback refreshes its stream in the index at once, over the real wire: a
signed CSS callback POSTed to a real `recbot serve` makes the index list that stream, long
before the next hot refresh (an hour away here)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.evidence.events import RecordEvent
from bot.index.tables import IndexRunRow, IndexTaskRow
from bot.tasks import RecordTask
from tests.evidence.sender import KEY, body_of, post_callback, status_event
from tests.support.served import serve_env
from tests.support.serving import ServedBot
from tests.support.slack_api import SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = pytest.mark.slow


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a condition with a deadline


def indexed_ids(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(select(IndexTaskRow.task_id)).scalars())


def stream_runs(engine: Engine) -> list[bool]:
    with engine.connect() as connection:
        query = select(IndexRunRow.ok).where(IndexRunRow.kind == "stream")
        return list(connection.execute(query).scalars())


def test_a_callback_refreshes_its_stream_in_the_index_at_once(tmp_path: Path) -> None:
    enable_history()
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    with SlackStandIn(scopes=HISTORY_SCOPES) as slack, Simulator(count=60) as sim:
        env = serve_env(
            slack,
            sim,
            url,
            tmp_path,
            RECBOT_CSS_CALLBACK_KEY=KEY,
            RECBOT_INDEX="true",
            RECBOT_INDEX_HOT_S="3600",  # no hot refresh during the test: only the callback
        )
        bot = ServedBot(env, tmp_path / "serve.log").start()
        engine = open_engine(url)
        migrate(engine)
        try:
            now = datetime.now(UTC)
            listed = {t.task_id for t in sim.tasks if t.start > now - timedelta(days=89)}
            wait_until(lambda: listed <= indexed_ids(engine), 60, "the backfill")
            new = RecordTask(
                "callback-" + "n" * 40,
                "d.example.com",
                "live",
                "called-back",
                now,
                now + timedelta(hours=1),
                0,
                None,
            )
            sim.add_task(new)
            assert new.task_id not in indexed_ids(engine)
            assert stream_runs(engine) == []

            event = status_event(new, RecordEvent.START_SUCCEEDED, now)
            assert post_callback(bot.url, body_of(event)).status == 200

            wait_until(lambda: new.task_id in indexed_ids(engine), 30, "the stream refresh")
            assert stream_runs(engine) == [True]
        finally:
            bot.stop()
            engine.dispose()
    assert "index stream refreshed" in bot.log()
