"""Writes audit records off the reply's path: a bounded queue and one background thread.

`submit()` never blocks and never raises: a full queue drops the record (counted), so a slow
or failing database can never delay or lose an answer. The thread writes batches in one
transaction each, retries a failed batch with backoff, and prunes records past their age.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.memory.audit_record import AuditEvent
from bot.obs.metrics import AUDIT_WRITES

log = logging.getLogger(__name__)

CAPACITY = 10_000
BATCH = 500
RETRIES = 5
BACKOFF_S = 0.2
PRUNE_EVERY = timedelta(hours=1)


class AuditSink(Protocol):
    """Where records are kept (`bot.db.audit_store.AuditStore`)."""

    def append(self, events: Sequence[AuditEvent]) -> None: ...
    def prune(self, before: datetime) -> int: ...


class AuditWriter:
    def __init__(
        self,
        store: AuditSink,
        clock: Callable[[], datetime],
        *,
        keep: timedelta = timedelta(days=90),
        capacity: int = CAPACITY,
        backoff_s: float = BACKOFF_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.keep = keep
        self.backoff_s = backoff_s
        self._queue: queue.Queue[AuditEvent] = queue.Queue(maxsize=capacity)
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._pending = 0  # submitted and not yet written or dropped
        self._thread = threading.Thread(target=self._run, name="recbot-audit", daemon=True)
        self._pruned_at: datetime | None = None

    def start(self) -> AuditWriter:
        self._thread.start()
        return self

    def submit(self, event: AuditEvent) -> bool:
        """Queue one record; False (and counted as dropped) when the queue is full."""
        with self._idle:
            try:
                self._queue.put_nowait(event)
            except queue.Full:
                AUDIT_WRITES.labels(result="dropped").inc()
                return False
            self._pending += 1
            self._idle.notify_all()
        return True

    def flush(self, timeout: float) -> bool:
        """Wait until every queued record is written (or dropped); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued (up to `timeout`), then end the thread."""
        self.flush(timeout)
        self._stop.set()
        with self._idle:
            self._idle.notify_all()  # wakes the thread waiting for records: none are coming
        if self._thread.is_alive():
            self._thread.join(timeout)

    # --- the thread -----------------------------------------------------------------------

    def _take(self) -> list[AuditEvent]:
        with self._idle:  # a record (submit) or stop() wakes it; else it looks every 0.5 s
            self._idle.wait_for(lambda: self._stop.is_set() or not self._queue.empty(), 0.5)
        try:
            first = self._queue.get_nowait()
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        while not (self._stop.is_set() and self._queue.empty()):
            batch = self._take()
            if batch:
                self._write(batch)
                with self._idle:
                    self._pending -= len(batch)
                    self._idle.notify_all()
            self._prune_when_due()

    def _write(self, batch: list[AuditEvent]) -> None:
        for attempt in range(RETRIES + 1):
            try:
                self.store.append(batch)
            except Exception:
                if attempt == RETRIES:
                    log.exception("audit write failed; %d records dropped", len(batch))
                    AUDIT_WRITES.labels(result="dropped").inc(len(batch))
                    return
                AUDIT_WRITES.labels(result="retried").inc()
                log.warning("audit write failed; retrying", exc_info=True)
                self._stop.wait(self.backoff_s * 2**attempt)
                continue
            AUDIT_WRITES.labels(result="written").inc(len(batch))
            return

    def _prune_when_due(self) -> None:
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        try:
            removed = self.store.prune(now - self.keep)
        except Exception:
            log.warning("audit pruning failed; trying again later", exc_info=True)
            return
        if removed:
            log.info("audit records pruned", extra={"removed": removed})
