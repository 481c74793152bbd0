"""Callbacks that arrived together are stored in one transaction (`commit_batch`): a key twice
in one batch is stored once, an event stored before (by any replica) is a duplicate, one
event the database refuses fails alone, and the hooks see each new event after its commit.
On SQLite and PostgreSQL (the replicas' database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.evidence.batch import Hooks, commit_batch
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.store import EvidenceStore
from tests.evidence.sender import status_event
from tests.support.factory import task

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
TASK = task("task-gc", NOW - timedelta(hours=2), 3)
NO_HOOKS = Hooks()


class NotingStore:
    """The real store, noting each INSERT's events, refusing any batch that holds `refuse`."""

    def __init__(self, store: EvidenceStore, refuse: str | None = None) -> None:
        self.store = store
        self.refuse = refuse
        self.inserts: list[list[str]] = []

    def insert_new(
        self, events: Sequence[RecordingEvent], received: Sequence[datetime]
    ) -> dict[str, int]:
        self.inserts.append([e.key for e in events])
        if self.refuse is not None and any(e.key == self.refuse for e in events):
            raise ValueError("refused by the database")
        return self.store.insert_new(events, received)


def event(n: int) -> RecordingEvent:
    return status_event(TASK, RecordEvent.START_SUCCEEDED, NOW + timedelta(seconds=n), seq=f"{n}")


def test_a_batch_is_one_insert_and_each_new_event_gets_its_row(store: EvidenceStore) -> None:
    noting = NotingStore(store)
    outcomes = commit_batch(noting, [event(n) for n in range(20)], NOW, NO_HOOKS)
    assert len(noting.inserts) == 1
    assert all(isinstance(o, int) for o in outcomes)
    assert len(set(outcomes)) == 20
    assert store.count() == 20


def test_a_key_twice_in_one_batch_is_stored_once(store: EvidenceStore) -> None:
    again = event(1)
    outcomes = commit_batch(store, [again, event(2), again, again], NOW, NO_HOOKS)
    assert isinstance(outcomes[0], int)
    assert isinstance(outcomes[1], int)
    assert outcomes[2:] == [None, None]
    assert commit_batch(store, [again], NOW, NO_HOOKS) == [None]  # a later retry too
    assert store.count() == 2


def test_an_event_already_stored_by_another_replica_is_a_duplicate(
    store: EvidenceStore,
) -> None:
    assert store.add(event(5), NOW) is not None  # stored by someone else
    outcomes = commit_batch(store, [event(5), event(6)], NOW, NO_HOOKS)
    assert outcomes[0] is None
    assert isinstance(outcomes[1], int)
    assert store.count() == 2


def test_one_refused_event_fails_alone_and_the_rest_are_stored(store: EvidenceStore) -> None:
    bad = event(3)
    noting = NotingStore(store, refuse=bad.key)
    outcomes = commit_batch(noting, [event(1), event(2), bad, event(4)], NOW, NO_HOOKS)
    assert isinstance(outcomes[2], ValueError)
    assert all(isinstance(o, int) for o in outcomes[:2] + outcomes[3:])
    assert store.event(bad.key) is None
    assert store.count() == 3
    assert len(noting.inserts) == 5  # the batch, then each of its events on its own


def test_a_lone_refused_event_is_not_tried_twice(store: EvidenceStore) -> None:
    bad = event(3)
    noting = NotingStore(store, refuse=bad.key)
    [outcome] = commit_batch(noting, [bad], NOW, NO_HOOKS)
    assert isinstance(outcome, ValueError)
    assert noting.inserts == [[bad.key]]


def test_every_hook_runs_after_the_commit_once_per_new_event(store: EvidenceStore) -> None:
    seen: list[tuple[int, int]] = []  # (row id, events stored when the hook ran)
    given: list[str] = []
    hooks = Hooks(
        lambda row_id: seen.append((row_id, store.count())), lambda e: given.append(e.key)
    )
    outcomes = commit_batch(store, [event(7), event(8), event(7)], NOW, hooks)
    assert seen == [(outcomes[0], 2), (outcomes[1], 2)]
    assert given == [event(7).key, event(8).key]
    assert commit_batch(store, [event(7)], NOW, hooks) == [None]
    assert len(seen) == 2  # a duplicate is not given again


def test_a_failing_hook_does_not_refuse_the_stored_event(store: EvidenceStore) -> None:
    def broken(_row_id: int) -> None:
        raise RuntimeError("alert loop gone")

    [outcome] = commit_batch(store, [event(9)], NOW, Hooks(on_stored=broken))
    assert isinstance(outcome, int)
    assert store.count() == 1


def test_keys_longer_than_the_column_are_answered_as_stored(store: EvidenceStore) -> None:
    """The column keeps 255 characters: two keys alike that far are one event."""
    first = replace(event(1), key="332:" + "k" * 300 + "a")
    second = replace(event(2), key="332:" + "k" * 300 + "b")
    assert isinstance(commit_batch(store, [first], NOW, NO_HOOKS)[0], int)
    assert commit_batch(store, [second], NOW, NO_HOOKS) == [None]
    assert commit_batch(store, [first, second], NOW, NO_HOOKS) == [None, None]
    assert store.count() == 1
