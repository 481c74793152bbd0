"""The receiver gives each newly stored callback to its `on_event` hook (the index refreshes
that stream); a duplicate is not given again, and a failing hook never refuses the callback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.database import migrate, open_engine
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.receiver import CallbackReceiver
from bot.evidence.store import EvidenceStore
from tests.evidence.sender import KEY, body_of, status_event
from tests.support.factory import task


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EvidenceStore]:
    engine = open_engine(f"sqlite:///{tmp_path}/e.sqlite3")
    migrate(engine)
    yield EvidenceStore(engine)
    engine.dispose()


def event_now() -> RecordingEvent:
    now = datetime.now(UTC).replace(microsecond=0)
    return status_event(
        task("task-h", now - timedelta(minutes=5)), RecordEvent.START_SUCCEEDED, now
    )


def clock() -> datetime:
    return datetime.now(UTC)


def test_each_new_event_is_given_to_the_hook_once(store: EvidenceStore) -> None:
    given: list[RecordingEvent] = []
    receiver = CallbackReceiver(store, KEY, clock, on_event=given.append)
    event = event_now()
    body = body_of(event)
    assert receiver.handle(body)[0] == 200
    assert receiver.handle(body)[0] == 200  # CSS retrying: stored once, given once
    assert [(e.key, e.domain, e.app, e.stream) for e in given] == [
        (event.key, event.domain, event.app, event.stream)
    ]


def test_a_failing_hook_still_accepts_the_callback(store: EvidenceStore) -> None:
    def broken(event: RecordingEvent) -> None:
        raise RuntimeError("index down")

    receiver = CallbackReceiver(store, KEY, clock, on_event=broken)
    assert receiver.handle(body_of(event_now())) == (200, b'{"code":0}')
    assert store.count() == 1
