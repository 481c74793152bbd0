"""Refreshing one stream in the index when a recording callback says it changed.

The callback receiver must answer CSS at once, so a refresh is queued for one worker thread
and never delays or fails the callback: a stream already queued is not queued twice, and a
failed listing is logged (the next hot refresh covers the stream anyway).

A stream is listed at most once per `REFRESH_GAP_S`: the first callback of a quiet stream
lists it at once; callbacks arriving within the gap after that listing are served by one more
listing when the gap has passed. A callback storm (a thousand a second over fifty streams)
therefore costs each stream one listing per gap, not one per callback: each listing is
API calls and an index write sharing the database with the callbacks' own commits.

Listings of all streams together are also spaced `REFRESH_SPACING_S` apart: a stream listing
is two DescribeRecordTask calls, so a storm over many streams spends at most about 2 calls a
second (a tenth of the account's 20 a second, which questions share); streams waiting
meanwhile are listed in turn, and the next near refresh covers them all anyway."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.index.store import StreamKey
from bot.index.sync import Syncer
from bot.obs.log import request_context

log = logging.getLogger(__name__)

REFRESH_GAP_S = 5.0
REFRESH_SPACING_S = 1.0


class StreamRefresher:
    """`refresh(domain, app, stream)` lists that stream's tasks that may still change."""

    def __init__(
        self,
        syncer: Syncer,
        *,
        gap_s: float = REFRESH_GAP_S,
        spacing_s: float = REFRESH_SPACING_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.syncer = syncer
        self._gap = gap_s
        self._spacing = spacing_s
        self._last = float("-inf")  # when any stream was last listed
        self._clock = clock
        self._due: dict[StreamKey, float] = {}  # queued streams → when they may be listed
        self._listed: dict[StreamKey, float] = {}  # when each stream was last listed
        self._stopped = False
        self._wake = threading.Condition()
        self._worker = threading.Thread(target=self._loop, name="index-stream", daemon=True)
        self._worker.start()

    def refresh(self, domain: str, app: str, stream: str) -> None:
        key = StreamKey(domain, app, stream)
        with self._wake:
            if self._stopped or key in self._due:
                return
            self._due[key] = self._listed.get(key, float("-inf")) + self._gap
            self._wake.notify()

    def _next(self) -> StreamKey | None:
        """The next stream whose gap has passed (waiting for it); None once stopped."""
        with self._wake:
            while not self._stopped:
                if not self._due:
                    self._wake.wait()
                    continue
                key, when = min(self._due.items(), key=lambda item: item[1])
                when = max(when, self._last + self._spacing)
                now = self._clock()
                if when > now:
                    self._wake.wait(when - now)
                    continue
                del self._due[key]
                cutoff = now - self._gap  # a stream listed longer ago may be listed at once
                self._listed = {k: t for k, t in self._listed.items() if t > cutoff}
                self._listed[key] = self._last = now
                return key
            return None

    def _loop(self) -> None:
        while (key := self._next()) is not None:
            self._run(key)

    def _run(self, key: StreamKey) -> None:
        with request_context():
            try:
                run = self.syncer.refresh_stream(key.domain, key.app, key.stream)
            except Exception as exc:
                log.warning("index stream refresh failed", extra={"error": type(exc).__name__})
                return
            log.info("index stream refreshed", extra={"calls": run.calls, "tasks": run.tasks})

    def stop(self) -> None:
        """Drop what is queued and wait for a listing under way (the next start's hot refresh
        covers the rest)."""
        with self._wake:
            self._stopped = True
            self._due.clear()
            self._wake.notify_all()
        self._worker.join()
