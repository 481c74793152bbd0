"""The evidence store on SQLite and PostgreSQL: one row per event however often it arrives
(also from threads racing), found by TaskId and by stream and time, pruned after 90 days."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.evidence.events import RecordEvent
from bot.evidence.simulate import task_events
from bot.evidence.store import EvidenceStore
from bot.findings import StreamKey
from tests.evidence.sender import status_event
from tests.support.factory import task

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
A = task("task-a", NOW - timedelta(hours=5), 3)
B = task("task-b", NOW - timedelta(hours=5), 3, stream="cam1")


def test_an_event_is_stored_once(store: EvidenceStore) -> None:
    event = task_events(A, NOW, 0.0)[1]
    first = store.add(event, NOW)
    assert first is not None
    assert store.add(event, NOW + timedelta(minutes=1)) is None
    assert store.count() == 1
    assert store.event(event.key) == event


def test_racing_threads_store_an_event_once(store: EvidenceStore) -> None:
    events = task_events(A, NOW, 0.0)
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda e: store.add(e, NOW), events * 4))
    assert len([i for i in ids if i is not None]) == len(events)
    assert store.count() == len(events)


def test_found_by_task_id_and_by_stream_and_time(store: EvidenceStore) -> None:
    store.add_many(task_events(A, NOW, 0.0) + task_events(B, NOW, 0.0), NOW)
    untasked = status_event(B, RecordEvent.START_SUCCEEDED, B.start, seq="tmpl")
    untasked = type(untasked)(**{**untasked.__dict__, "task_id": ""})
    store.add(untasked, NOW)
    by_task = store.events_of({"task-a"}, set(), NOW, NOW)
    assert {e.task_id for e in by_task} == {"task-a"}
    by_stream = store.events_of(set(), {StreamKey.of(B)}, B.start, B.end)
    assert {e.task_id for e in by_stream} == {"task-b", ""}
    elsewhere = store.events_of(
        set(), {StreamKey.of(B)}, NOW + timedelta(days=1), NOW + timedelta(days=2)
    )
    assert elsewhere == []
    assert store.events_for([A], A.start, A.end)[0].task_id == "task-a"


def test_pruned_after_90_days(store: EvidenceStore) -> None:
    store.add_many(task_events(A, NOW, 0.0), NOW)
    assert store.prune(NOW + timedelta(days=89)) == 0
    assert store.prune(NOW + timedelta(days=91)) == len(task_events(A, NOW, 0.0))
    assert store.count() == 0


def test_last_received(store: EvidenceStore) -> None:
    assert store.last_received() is None
    store.add(task_events(A, NOW, 0.0)[0], NOW)
    assert store.last_received() == NOW


def test_only_the_streams_asked_about_across_domains(store: EvidenceStore) -> None:
    """Tasks on domain a's cam1 and domain b's cam2: an untasked event on a's cam2 (a stream
    of neither) is not theirs, though each of its parts is asked about."""
    on_a = task("task-a1", NOW - timedelta(hours=2), 1, stream="cam1")
    on_b = task("task-b2", NOW - timedelta(hours=2), 1, stream="cam2", domain="b.push.example.com")
    stray = task("", NOW - timedelta(hours=2), 1, stream="cam2")  # a's cam2, no task
    kept = task("", NOW - timedelta(hours=2), 1, stream="cam1")  # a's cam1, no task
    for made, seq in ((on_a, "1"), (on_b, "2"), (stray, "3"), (kept, "4")):
        store.add(status_event(made, RecordEvent.START_SUCCEEDED, made.start, seq=seq), NOW)
        store.add_many([replace(e, key=f"{e.key}:{seq}") for e in task_events(made, NOW, 0.0)], NOW)
    listed = store.events_for([on_a, on_b], NOW - timedelta(hours=3), NOW)
    status, groups = store.summary_for([on_a, on_b], NOW - timedelta(hours=3), NOW)
    streams = {(e.domain, e.stream) for e in listed}
    assert streams == {("a.push.example.com", "cam1"), ("b.push.example.com", "cam2")}
    assert {(e.domain, e.stream) for e in status} == streams
    assert {(g.stream.domain, g.stream.stream) for g in groups} == streams
    assert {e.task_id for e in listed} == {"task-a1", "task-b2", ""}


def test_the_alert_feed_reads_what_is_new_and_the_last_moments_again(
    store: EvidenceStore,
) -> None:
    events = task_events(A, NOW, 0.0) + task_events(B, NOW, 0.0)
    old, recent = events[: len(events) // 2], events[len(events) // 2 :]
    store.add_many(old, NOW - timedelta(seconds=60))
    first = store.received_since(NOW - timedelta(minutes=2))
    assert {s.event.key for s in first} == {e.key for e in old}
    last = max(s.id for s in first)
    store.add_many(recent, NOW - timedelta(seconds=1))
    # Only the rows after the last one seen, with nothing unsure...
    newer = store.received_since(NOW - timedelta(minutes=2), after_id=last)
    assert {s.event.key for s in newer} == {e.key for e in recent}
    # ...and the rows of the last seconds again, however low their ids (a late commit).
    unsure = store.received_since(
        NOW - timedelta(minutes=2), after_id=10**9, unsure_since=NOW - timedelta(seconds=3)
    )
    assert {s.event.key for s in unsure} == {e.key for e in recent}
    assert store.received_since(NOW - timedelta(minutes=2), after_id=10**9) == []
