"""Callbacks stored in shared transactions (group commit), each answered only once its own
transaction has committed.

A request thread hands its event to `store()`. If no batch is being committed, that thread
becomes the leader: it takes everything waiting (up to `BATCH` events, its own first),
stores it with one multi-row `INSERT … ON CONFLICT DO NOTHING` in one transaction, commits,
and only then releases each waiter with its answer: the row id of a new event, or None for
one stored before (by any replica) or earlier in the same batch. If callbacks arrived while it
was committing, it hands the lead to the first of them (whose event is then in the next
batch) and answers its own request. Otherwise a thread waits for its batch's commit. There is
no writer thread to hand each event to and back from: the thread switches per callback are
the ones the batch's own waiters cost, plus one per batch. "Accepted → 200 only after it is
stored" holds for every request, while a thousand callbacks a second cost tens of commits
instead of a thousand. There is no timer: a batch is whatever arrived while the previous one
was committing, so a lone callback is stored at once.

A failed batch is tried again event by event (each its own transaction), so one event the
database refuses cannot fail the others; a waiter whose event could not be stored gets the
error (the receiver answers 500 and CSS sends it again).

After each commit, before releasing the batch, each new event is given to `on_stored(row_id)`
and `on_event(event)` (the alert loop's nudge, the index refresh) on the leader's thread:
neither may block. Design and durability: docs/evidence.md.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.errors import RecbotError
from bot.evidence.events import RecordingEvent
from bot.evidence.store import stored_key

log = logging.getLogger(__name__)

# Events stored by one INSERT (16 parameters each: far below SQLite's 32,766).
BATCH = 500
# Events waiting at most: each is a request thread waiting, so this is only a backstop.
CAPACITY = 2000
# How long a request waits for its commit before it is answered 500 (CSS waits 20 s; if the
# commit lands later, CSS's retry finds the event stored and is answered 200).
WAIT_S = 15.0


class NotStored(RecbotError):
    """A callback whose event was not (or not known to be) stored: answer 500, CSS retries."""


class EventSink(Protocol):
    """Where events are stored (`bot.evidence.store.EvidenceStore`)."""

    def insert_new(
        self, events: Sequence[RecordingEvent], received: Sequence[datetime]
    ) -> dict[str, int]: ...


@dataclass(eq=False)
class _Waiting:
    """One callback waiting for its commit. `done` is held until its batch commits or the
    lead is handed to it (a bare lock: the cheapest wait CPython has, and each callback pays
    it)."""

    event: RecordingEvent
    received: datetime
    done: threading.Lock = field(default_factory=threading.Lock)
    released: bool = False
    leads: bool = False  # handed the lead: commit the next batch (its own event in it)
    row_id: int | None = None
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.done.acquire()

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.done.release()


class GroupCommit:
    """`store(event, received)` blocks until the event is committed (row id) or known to be
    stored already (None); NotStored otherwise. `stop()` waits until what is waiting is
    committed and refuses what comes after."""

    def __init__(
        self,
        sink: EventSink,
        *,
        on_stored: Callable[[int], None] | None = None,
        on_event: Callable[[RecordingEvent], None] | None = None,
        batch: int = BATCH,
        capacity: int = CAPACITY,
        wait_s: float = WAIT_S,
    ) -> None:
        self._sink = sink
        self._on_stored = on_stored
        self._on_event = on_event
        self._batch = batch
        self._capacity = capacity
        self._wait_s = wait_s
        self._pending: list[_Waiting] = []
        self._leading = False  # a thread is committing a batch (or has just been handed one)
        self._closed = False
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # notified when no one leads any more

    def start(self) -> GroupCommit:
        """Nothing to start (the callers' own threads commit); kept so callers read alike."""
        return self

    def store(self, event: RecordingEvent, received: datetime) -> int | None:
        waiting = _Waiting(event, received)
        with self._lock:
            if self._closed:
                raise NotStored("recbot is stopping")
            if len(self._pending) >= self._capacity:
                raise NotStored("too many callbacks waiting to be stored")
            self._pending.append(waiting)
            lead = not self._leading
            self._leading = True
        if not lead:
            lead = self._wait(waiting)
        if lead:
            self._lead(waiting)
        if waiting.error is not None:
            raise NotStored("the database refused it") from waiting.error
        return waiting.row_id

    def waiting(self) -> int:
        """Callbacks queued for the next batch (not those in the batch being committed)."""
        with self._lock:
            return len(self._pending)

    def stop(self, timeout: float = 10.0) -> None:
        """Refuse new callbacks; wait (up to `timeout`) until those waiting are committed."""
        with self._lock:
            self._closed = True
            if not self._idle.wait_for(lambda: not self._leading, timeout):
                log.warning("evidence batches not committed in time; unanswered callbacks retry")

    # --- waiting, leading -----------------------------------------------------------------

    def _wait(self, waiting: _Waiting) -> bool:
        """Wait for the batch's commit; True when handed the lead instead. NotStored after
        `wait_s` (if its commit lands later, CSS's retry finds the event stored)."""
        if waiting.done.acquire(timeout=self._wait_s):
            return waiting.leads
        with self._lock:
            if waiting.leads:  # handed the lead just as the wait ended: no one else will lead
                return True
            if waiting in self._pending:
                self._pending.remove(waiting)
        raise NotStored(f"not committed within {self._wait_s:.0f} s")

    def _lead(self, own: _Waiting) -> None:
        """Commit one batch (the leader's own event first in it), then hand the lead to the
        first callback that arrived meanwhile, or give it up when none did."""
        with self._lock:
            batch = self._pending[: self._batch]
            del self._pending[: self._batch]
        try:
            self._commit(batch)
        except Exception as error:  # never leave a waiter hanging, nor the lead held
            log.exception("evidence batch failed")
            # The leader's own event may be released already (it was handed the lead).
            self._fail([w for w in batch if not w.released or w is own], error)
        finally:
            with self._lock:
                if self._pending:
                    heir = self._pending[0]
                    heir.leads = True
                    heir.release()  # its answer then comes from the batch it commits
                else:
                    self._leading = False
                    self._idle.notify_all()

    def _commit(self, batch: list[_Waiting]) -> None:
        firsts: dict[str, _Waiting] = {}
        for waiting in batch:
            firsts.setdefault(stored_key(waiting.event), waiting)
        try:
            new = self._insert(list(firsts.values()))
        except Exception as error:
            if len(firsts) == 1:
                self._fail(batch, error)
                return
            log.warning(
                "evidence batch not stored; storing its events one by one",
                extra={"events": len(firsts), "error": type(error).__name__},
            )
            new = self._one_by_one(firsts)
        for waiting in batch:
            key = stored_key(waiting.event)
            first = firsts[key]
            if first.error is not None:
                waiting.error = first.error
            elif first is waiting:
                waiting.row_id = new.get(key)
        stored = [w for w in firsts.values() if w.row_id is not None]
        self._after_commit(stored)
        failed = sum(1 for w in batch if w.error is not None)
        log.info(
            "css callbacks stored",
            extra={"stored": len(stored), "duplicates": len(batch) - len(stored) - failed},
        )
        for waiting in batch:
            waiting.release()

    def _insert(self, waiting: list[_Waiting]) -> dict[str, int]:
        return self._sink.insert_new([w.event for w in waiting], [w.received for w in waiting])

    def _one_by_one(self, firsts: dict[str, _Waiting]) -> dict[str, int]:
        new: dict[str, int] = {}
        for waiting in firsts.values():
            try:
                new.update(self._insert([waiting]))
            except Exception as error:
                log.warning(
                    "css callback not stored; CSS will retry",
                    extra={"error": type(error).__name__},
                )
                waiting.error = error
        return new

    def _fail(self, batch: list[_Waiting], error: BaseException) -> None:
        log.warning(
            "css callback not stored; CSS will retry", extra={"error": type(error).__name__}
        )
        for waiting in batch:
            waiting.error = error
            waiting.release()

    def _after_commit(self, stored: list[_Waiting]) -> None:
        for waiting in stored:
            try:
                if self._on_stored is not None and waiting.row_id is not None:
                    self._on_stored(waiting.row_id)
                if self._on_event is not None:
                    self._on_event(waiting.event)
            except Exception as exc:  # the event is stored: CSS must not send it again
                log.warning("css callback hook failed", extra={"error": type(exc).__name__})
