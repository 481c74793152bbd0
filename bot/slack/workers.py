"""The worker pool every listener hands its work to after the ack, drained on shutdown.

Listeners only ack and submit, so Bolt's request thread returns at once; answers run here.
Each job keeps the request id of the request that submitted it. A job submitted with
`on_interrupt` is an answer someone waits for: if `drain()` runs out of time before it is
delivered, `on_interrupt` tells the asker instead (and the job's late answer is dropped:
`may_deliver()` says which of the two speaks). Acks come first: a job waits
to start until no request has been acknowledged for `ack_quiet_s` (a burst of commands is
acked before any answer takes the GIL; Slack's 3 s ack deadline is hard, an answer a few
milliseconds later is not), for at most `ack_priority_s`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class _Ticket:
    """The one turn to speak to an asker: the finished answer's, or the interruption's."""

    def __init__(self, on_interrupt: Callable[[], None]) -> None:
        self.on_interrupt = on_interrupt
        self.context = contextvars.copy_context()
        self._lock = threading.Lock()
        self._taken = False

    def take(self) -> bool:
        with self._lock:
            if self._taken:
                return False
            self._taken = True
            return True


_TICKET: contextvars.ContextVar[_Ticket | None] = contextvars.ContextVar(
    "recbot_answer_ticket", default=None
)


def may_deliver() -> bool:
    """Called by a job just before it delivers: False when the asker was already told that
    the answer was interrupted (then the job must not deliver). True outside the pool."""
    ticket = _TICKET.get()
    return ticket is None or ticket.take()


# Answers are mostly CPU work under one GIL, so more threads mostly add contention with the
# acks (bench/slack.py: 16 threads pushed the ack p99 past 50 ms under load); 8 still lets
# answers waiting on a slow CSS API overlap.
DEFAULT_WORKERS = 8
# How long a job may be held back by acks; a burst of acks takes milliseconds.
ACK_PRIORITY_S = 0.25
# The next request of a burst is usually read within this long of the previous ack.
ACK_QUIET_S = 0.01


class WorkPool:
    """A thread pool that counts in-flight jobs and finishes them all on `drain()`."""

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        *,
        ack_priority_s: float = ACK_PRIORITY_S,
        ack_quiet_s: float = ACK_QUIET_S,
    ) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recbot-answer")
        self._in_flight = 0
        self._idle = threading.Condition()
        self._closed = False
        self._acking = 0
        self._acks_done = threading.Condition()
        self._ack_priority_s = ack_priority_s
        self._ack_quiet_s = ack_quiet_s
        self._last_ack = float("-inf")
        self._waiting: set[_Ticket] = set()
        self._holding = 0  # jobs waiting for acks right now
        self._held = 0  # jobs that ever had to wait for an ack

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        """Around the handling of one incoming request: jobs hold back until it is answered."""
        with self._acks_done:
            self._acking += 1
        try:
            yield
        finally:
            with self._acks_done:
                self._acking -= 1
                self._last_ack = time.monotonic()
                if self._acking == 0:
                    self._acks_done.notify_all()

    def _after_acks(self) -> None:
        deadline = time.monotonic() + self._ack_priority_s
        with self._acks_done:
            held = False
            try:
                while (now := time.monotonic()) < deadline:
                    if not self._acking and self._last_ack + self._ack_quiet_s <= now:
                        return
                    if not held:
                        held = True
                        self._holding += 1
                        self._held += 1
                        self._acks_done.notify_all()
                    if self._acking:
                        self._acks_done.wait(deadline - now)
                        continue
                    self._acks_done.wait(
                        min(self._last_ack + self._ack_quiet_s - now, deadline - now)
                    )
            finally:
                if held:
                    self._holding -= 1

    def held_back(self) -> tuple[int, int]:
        """(jobs waiting for acks now, jobs that ever waited): how tests see the priority."""
        with self._acks_done:
            return self._holding, self._held

    def wait_held(self, count: int, timeout: float) -> bool:
        """Wait until `count` jobs are being held back by acks; True if that happened in time."""
        with self._acks_done:
            return self._acks_done.wait_for(lambda: self._holding >= count, timeout)

    def submit(
        self,
        job: Callable[..., Any],
        *args: Any,
        on_interrupt: Callable[[], None] | None = None,
    ) -> Future[Any]:
        context = contextvars.copy_context()
        ticket = _Ticket(on_interrupt) if on_interrupt is not None else None
        with self._idle:
            self._in_flight += 1
            if ticket is not None:
                self._waiting.add(ticket)
        return self._executor.submit(context.run, self._run, ticket, job, *args)

    def _run(self, ticket: _Ticket | None, job: Callable[..., Any], *args: Any) -> None:
        _TICKET.set(ticket)
        try:
            self._after_acks()
            job(*args)
        except Exception:
            # The job's own handler answers the asker; this only keeps the worker alive.
            log.exception("answer job failed")
        finally:
            with self._idle:
                self._in_flight -= 1
                if ticket is not None:
                    self._waiting.discard(ticket)
                self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        with self._idle:
            return self._in_flight

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is running or queued; True if that happened in time."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def drain(self, timeout: float = 30.0) -> bool:
        """Finish every accepted job (up to `timeout`), then stop the threads. Askers whose
        answers did not finish in time are told so (their `on_interrupt`), none is dropped."""
        finished = self.wait_idle(timeout)
        if not finished:
            log.warning("shutting down with answers still running", extra={"jobs": self.in_flight})
        # Jobs not started yet never will; those running may finish, but may not deliver.
        self._executor.shutdown(wait=finished, cancel_futures=not finished)
        with self._idle:
            waiting = list(self._waiting)
        told = 0
        for ticket in waiting:
            if ticket.take():
                try:
                    ticket.context.run(ticket.on_interrupt)
                    told += 1
                except Exception:
                    log.exception("could not tell an asker that their answer was interrupted")
        if waiting:
            log.warning("answers interrupted by the shutdown", extra={"told": told})
        return finished
