"""The worker pool every listener hands its work to after the ack, drained on shutdown.

Listeners only ack and submit, so Bolt's request thread returns at once; answers run here.
Each job keeps the request id of the request that submitted it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

# Answers are mostly CPU work under one GIL, so more threads mostly add contention with the
# acks (bench/slack.py: 16 threads pushed the ack p99 past 50 ms under load); 8 still lets
# answers waiting on a slow CSS API overlap.
DEFAULT_WORKERS = 8


class WorkPool:
    """A thread pool that counts in-flight jobs and finishes them all on `drain()`."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recbot-answer")
        self._in_flight = 0
        self._idle = threading.Condition()
        self._closed = False

    def submit(self, job: Callable[..., Any], *args: Any) -> Future[Any]:
        context = contextvars.copy_context()
        with self._idle:
            self._in_flight += 1
        return self._executor.submit(context.run, self._run, job, *args)

    def _run(self, job: Callable[..., Any], *args: Any) -> None:
        try:
            job(*args)
        except Exception:
            # The job's own handler answers the asker; this only keeps the worker alive.
            log.exception("answer job failed")
        finally:
            with self._idle:
                self._in_flight -= 1
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
        """Finish every accepted job (up to `timeout`), then stop the threads."""
        finished = self.wait_idle(timeout)
        if not finished:
            log.warning("shutting down with answers still running", extra={"jobs": self.in_flight})
        self._executor.shutdown(wait=finished, cancel_futures=not finished)
        return finished
