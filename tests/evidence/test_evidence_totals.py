"""An answer that lists no files reads file totals summed by the store: the same states,
counts, durations, sizes, failures and untasked streams as from every file row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.evidence.events import RecordEvent
from bot.evidence.simulate import task_events
from bot.evidence.state import Evidence, FileTotals, Recording, SummarySource, fetch_evidence
from bot.evidence.store import EvidenceStore
from tests.evidence.sender import status_event
from tests.support.factory import task

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
DONE = task("task-done", NOW - timedelta(hours=5), 3)
FAILED = task("task-failed", NOW - timedelta(hours=5), 3, stream="cam1")
RUNNING = task("task-running", NOW - timedelta(hours=1), 3, stream="cam2")
SILENT = task("task-silent", NOW - timedelta(hours=2), 1, stream="cam3")
TASKS = [DONE, FAILED, RUNNING, SILENT]


def _shown(recording: Recording) -> tuple[object, ...]:
    """Everything an answer without a file list shows of a recording."""
    return (
        recording.state,
        recording.file_count,
        recording.total_duration_s,
        recording.total_bytes,
        recording.failure,
        recording.events,
    )


def _summary(evidence: Evidence) -> tuple[object, ...]:
    return (
        {k: _shown(v) for k, v in evidence.recordings.items()},
        [(u.stream, _shown(u.recording)) for u in evidence.untasked],
    )


def test_totals_tell_what_the_file_rows_tell(store: EvidenceStore) -> None:
    events = task_events(DONE, NOW, 0.0) + task_events(RUNNING, NOW, 0.0)
    events += task_events(FAILED, NOW, 0.0)
    events.append(status_event(FAILED, RecordEvent.ERROR, FAILED.end + timedelta(minutes=1)))
    untasked = status_event(SILENT, RecordEvent.START_SUCCEEDED, SILENT.start, seq="tmpl")
    events.append(type(untasked)(**{**untasked.__dict__, "task_id": ""}))
    store.add_many(events, NOW)
    start, end = NOW - timedelta(hours=6), NOW

    listed = fetch_evidence(store, TASKS, start, end, NOW, files=True)
    totalled = fetch_evidence(store, TASKS, start, end, NOW)

    assert isinstance(store, SummarySource)
    assert _summary(totalled) == _summary(listed)
    assert listed.of("task-done").files
    assert not totalled.of("task-done").files
    assert totalled.of("task-done").totals == FileTotals.of(listed.of("task-done").files)
    assert totalled.of("task-done").file_count > 0
    assert totalled.of("task-failed").failure is not None
    assert totalled.of("task-silent").file_count == 0
    assert [u.stream.stream for u in totalled.untasked] == ["cam3"]
