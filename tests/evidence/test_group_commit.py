"""Group commit: callbacks arriving together share one transaction, each is answered only
after that transaction committed, a key twice in one batch is stored once, and one event the
database refuses fails alone. On SQLite and PostgreSQL (the replicas' database)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.group_commit import GroupCommit, NotStored
from bot.evidence.store import EvidenceStore
from tests.evidence.sender import status_event
from tests.support.factory import task

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
TASK = task("task-gc", NOW - timedelta(hours=2), 3)


class HeldStore:
    """The real store, whose first insert waits until `open()`: callbacks arriving meanwhile
    queue up and go in the next batch together. Records each batch's keys as they commit."""

    def __init__(self, store: EvidenceStore, refuse: str | None = None) -> None:
        self.store = store
        self.refuse = refuse  # a key the "database" refuses (in any batch holding it)
        self.gate = threading.Event()
        self.entered = threading.Event()  # the writer is inside its first insert
        self.batches: list[list[str]] = []

    def open(self) -> None:
        self.gate.set()

    def insert_new(
        self, events: Sequence[RecordingEvent], received: Sequence[datetime]
    ) -> dict[str, int]:
        self.entered.set()
        self.gate.wait(10)
        if self.refuse is not None and any(e.key == self.refuse for e in events):
            raise ValueError("refused by the database")
        new = self.store.insert_new(events, received)
        self.batches.append([e.key for e in events])
        return new


def event(n: int) -> RecordingEvent:
    return status_event(TASK, RecordEvent.START_SUCCEEDED, NOW + timedelta(seconds=n), seq=f"{n}")


def send_all(
    writer: GroupCommit, held: HeldStore, events: list[RecordingEvent]
) -> list[int | BaseException | None]:
    """Send `events` from threads while the first batch is held, then let it go."""
    with ThreadPoolExecutor(len(events) + 1) as pool:
        first = pool.submit(writer.store, event(0), NOW)
        assert held.entered.wait(10)  # the writer took event 0 and is held in its insert
        futures = [pool.submit(writer.store, e, NOW) for e in events]
        until(lambda: writer.waiting() == len(events))  # all wait behind the held batch
        held.open()
        first.result(10)
        return [_outcome(f) for f in futures]


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)  # polling a condition with a deadline


def _outcome(future: Future[int | None]) -> int | BaseException | None:
    try:
        return future.result(10)
    except NotStored as error:
        return error


def test_callbacks_arriving_together_share_one_transaction(store: EvidenceStore) -> None:
    held = HeldStore(store)
    writer = GroupCommit(held).start()
    try:
        results = send_all(writer, held, [event(n) for n in range(1, 21)])
    finally:
        writer.stop()
    assert all(isinstance(r, int) for r in results)
    assert len(set(results)) == 20
    assert [len(b) for b in held.batches] == [1, 20]  # event 0 alone, then the 20 at once
    assert store.count() == 21


def test_no_callback_is_answered_before_its_transaction_commits(store: EvidenceStore) -> None:
    held = HeldStore(store)
    writer = GroupCommit(held).start()
    try:
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(writer.store, event(1), NOW)
            assert held.entered.wait(10)
            time.sleep(0.2)  # giving a wrong early answer time to arrive; none may
            assert not answer.done()
            assert store.count() == 0
            held.open()
            row_id = answer.result(10)
    finally:
        writer.stop()
    assert row_id is not None
    assert store.event(event(1).key) is not None


def test_a_key_twice_in_one_batch_is_stored_once(store: EvidenceStore) -> None:
    held = HeldStore(store)
    writer = GroupCommit(held).start()
    again = event(1)
    try:
        results = send_all(writer, held, [again, event(2), again, again])
        retried = writer.store(again, NOW)
    finally:
        writer.stop()
    ids = [r for r in results if isinstance(r, int)]
    assert len(ids) == 2  # event 1 once (the others of it: None, already stored) and event 2
    assert results.count(None) == 2
    assert retried is None  # and a later retry is a duplicate too
    assert store.count() == 3


def test_an_event_already_stored_by_another_replica_is_a_duplicate(
    store: EvidenceStore,
) -> None:
    assert store.add(event(5), NOW) is not None  # stored by someone else
    writer = GroupCommit(store).start()
    try:
        assert writer.store(event(5), NOW) is None
        assert writer.store(event(6), NOW) is not None
    finally:
        writer.stop()
    assert store.count() == 2


def test_one_refused_event_fails_alone_and_the_rest_are_stored(store: EvidenceStore) -> None:
    bad = event(3)
    held = HeldStore(store, refuse=bad.key)
    writer = GroupCommit(held).start()
    try:
        results = send_all(writer, held, [event(1), event(2), bad, event(4)])
    finally:
        writer.stop()
    assert isinstance(results[2], NotStored)
    assert all(isinstance(r, int) for r in results[:2] + results[3:])
    assert store.event(bad.key) is None
    assert store.count() == 4  # event 0 and events 1, 2, 4


def test_every_hook_runs_after_the_commit_and_before_the_answer(store: EvidenceStore) -> None:
    seen: list[tuple[int, int]] = []  # (row id, events stored when the hook ran)

    def on_stored(row_id: int) -> None:
        seen.append((row_id, store.count()))

    writer = GroupCommit(store, on_stored=on_stored).start()
    try:
        row_id = writer.store(event(7), NOW)
    finally:
        writer.stop()
    assert seen == [(row_id, 1)]


def test_stopping_stores_what_waits_and_refuses_what_comes_after(store: EvidenceStore) -> None:
    held = HeldStore(store)
    writer = GroupCommit(held).start()
    with ThreadPoolExecutor(4) as pool:
        waiting = [pool.submit(writer.store, event(0), NOW)]
        assert held.entered.wait(10)
        waiting += [pool.submit(writer.store, event(n), NOW) for n in (1, 2)]
        until(lambda: writer.waiting() == 2)
        stopping = pool.submit(writer.stop)
        held.open()
        stopping.result(10)
        results = [f.result(10) for f in waiting]
    assert all(isinstance(r, int) for r in results)
    assert store.count() == 3
    with pytest.raises(NotStored):
        writer.store(event(9), NOW)
    assert store.count() == 3


def test_keys_longer_than_the_column_are_answered_as_stored(store: EvidenceStore) -> None:
    """The column keeps 255 characters: two keys alike that far are one event."""
    first = replace(event(1), key="332:" + "k" * 300 + "a")
    second = replace(event(2), key="332:" + "k" * 300 + "b")
    writer = GroupCommit(store).start()
    try:
        assert writer.store(first, NOW) is not None
        assert writer.store(second, NOW) is None
    finally:
        writer.stop()
    assert store.count() == 1


class ThreadNoting(HeldStore):
    """HeldStore that notes which thread ran each insert."""

    def __init__(self, store: EvidenceStore, refuse: str | None = None) -> None:
        super().__init__(store, refuse)
        self.threads: list[str] = []

    def insert_new(
        self, events: Sequence[RecordingEvent], received: Sequence[datetime]
    ) -> dict[str, int]:
        self.threads.append(threading.current_thread().name)
        return super().insert_new(events, received)


def test_batches_are_committed_by_the_callers_own_threads(store: EvidenceStore) -> None:
    """No writer thread: the first waiting caller commits its batch, then hands the lead to
    the first caller that arrived meanwhile, which commits the next batch."""
    held = ThreadNoting(store)
    writer = GroupCommit(held).start()
    try:
        with ThreadPoolExecutor(6, thread_name_prefix="caller") as pool:
            first = pool.submit(writer.store, event(0), NOW)
            assert held.entered.wait(10)
            later = [pool.submit(writer.store, event(n), NOW) for n in range(1, 6)]
            until(lambda: writer.waiting() == 5)
            held.open()
            results = [first.result(10)] + [f.result(10) for f in later]
    finally:
        writer.stop()
    assert all(isinstance(r, int) for r in results)
    assert [len(b) for b in held.batches] == [1, 5]
    assert len(held.threads) == 2
    assert all(t.startswith("caller") for t in held.threads)
    assert held.threads[0] != held.threads[1]  # the lead passed on
    assert writer.waiting() == 0


def test_a_refused_leaders_batch_fails_alone_and_the_lead_passes_on(
    store: EvidenceStore,
) -> None:
    bad = event(0)
    held = HeldStore(store, refuse=bad.key)
    writer = GroupCommit(held).start()
    try:
        with ThreadPoolExecutor(4) as pool:
            first = pool.submit(writer.store, bad, NOW)
            assert held.entered.wait(10)
            later = [pool.submit(writer.store, event(n), NOW) for n in (1, 2, 3)]
            until(lambda: writer.waiting() == 3)
            held.open()
            outcomes = [_outcome(first)] + [_outcome(f) for f in later]
    finally:
        writer.stop()
    assert isinstance(outcomes[0], NotStored)
    assert all(isinstance(r, int) for r in outcomes[1:])
    assert store.event(bad.key) is None
    assert store.count() == 3


def test_a_callback_that_gives_up_waiting_is_not_stored_and_others_still_are(
    store: EvidenceStore,
) -> None:
    """One waiting past `wait_s` is answered NotStored (CSS retries it) and leaves the queue,
    so it is not stored behind its answer's back; later callbacks are stored as before."""
    held = HeldStore(store)
    writer = GroupCommit(held, wait_s=0.3).start()
    try:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(writer.store, event(0), NOW)
            assert held.entered.wait(10)
            gave_up = pool.submit(writer.store, event(1), NOW)
            assert isinstance(_outcome(gave_up), NotStored)  # the first batch is still held
            assert writer.waiting() == 0  # it left the queue
            held.open()
            assert isinstance(first.result(10), int)
        assert isinstance(writer.store(event(2), NOW), int)  # the lead was given up
    finally:
        writer.stop()
    assert store.event(event(1).key) is None
    assert store.count() == 2
