"""Refreshing one stream in the index when a recording callback says it changed.

The callback receiver must answer CSS at once, so a refresh is queued on one worker thread
and never delays or fails the callback: streams already queued are not queued twice, and a
failed listing is logged (the next hot refresh covers the stream anyway)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.index.store import StreamKey
from bot.index.sync import Syncer
from bot.obs.log import request_context

log = logging.getLogger(__name__)


class StreamRefresher:
    """`refresh(domain, app, stream)` lists that stream's tasks that may still change."""

    def __init__(self, syncer: Syncer) -> None:
        self.syncer = syncer
        self._pending: set[StreamKey] = set()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-stream")

    def refresh(self, domain: str, app: str, stream: str) -> None:
        key = StreamKey(domain, app, stream)
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
        try:
            self._worker.submit(self._run, key)
        except RuntimeError:  # stopping: the next start's hot refresh covers it
            with self._lock:
                self._pending.discard(key)

    def _run(self, key: StreamKey) -> None:
        with self._lock:
            self._pending.discard(key)  # a callback arriving from now on lists it again
        with request_context():
            try:
                run = self.syncer.refresh_stream(key.domain, key.app, key.stream)
            except Exception as exc:
                log.warning("index stream refresh failed", extra={"error": type(exc).__name__})
                return
            log.info("index stream refreshed", extra={"calls": run.calls, "tasks": run.tasks})

    def stop(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)
