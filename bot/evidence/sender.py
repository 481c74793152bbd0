"""The simulator's side of callbacks: POST its tasks' recording callbacks, signed, as CSS does.

Every tick the simulated tasks' callbacks up to now are worked out (`bot.evidence.simulate`);
each new one is POSTed once, and retried like CSS (up to 12 times, a minute apart) until it
is answered 200. Each attempt is signed afresh with `t` 10 minutes ahead.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.evidence.events import RecordingEvent
from bot.evidence.payload import callback_bytes
from bot.evidence.simulate import simulated_events
from bot.tasks import RecordTask, to_unix

log = logging.getLogger(__name__)

RETRIES = 12
RETRY_EVERY_S = 60.0
EXPIRY = timedelta(minutes=10)
TIMEOUT_S = 20.0


@dataclass
class SendCounts:
    delivered: int = 0
    attempts: int = 0
    given_up: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_json(url: str, body: bytes) -> int:
    """POST and return the HTTP status (0 when nothing answered)."""
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL checked by the command
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - operator's URL
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return 0


class CallbackSender:
    def __init__(
        self,
        url: str,
        key: str,
        tasks: Callable[[], Sequence[RecordTask]],
        clock: Callable[[], datetime],
        *,
        since: datetime,
        failure_share: float,
        retry_s: float = RETRY_EVERY_S,
        retries: int = RETRIES,
        tick_s: float = 1.0,
        workers: int = 4,
        post: Callable[[str, bytes], int] = post_json,
    ) -> None:
        self.url = url
        self._key = key
        self._tasks = tasks
        self._clock = clock
        self.since = since
        self.failure_share = failure_share
        self.retry_s = retry_s
        self.retries = retries
        self.tick_s = tick_s
        self._post = post
        self.counts = SendCounts()
        self._seen: set[str] = set()
        self._due: list[tuple[float, int, RecordingEvent, int]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._work, name=f"callback-send-{i}", daemon=True)
            for i in range(workers)
        ]
        self._threads.append(
            threading.Thread(target=self._watch, name="callback-watch", daemon=True)
        )

    def start(self) -> CallbackSender:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(5)

    def new_events(self, now: datetime) -> list[RecordingEvent]:
        """The callbacks that happened by `now` (since `since`) and were not queued yet."""
        fresh = [
            e
            for e in simulated_events(self._tasks(), now, self.failure_share)
            if e.time >= self.since and e.key not in self._seen
        ]
        self._seen.update(e.key for e in fresh)
        return fresh

    def _watch(self) -> None:
        while not self._stop.is_set():
            fresh = self.new_events(self._clock())
            if fresh:
                with self._cond:
                    for event in fresh:
                        heapq.heappush(self._due, (time.monotonic(), next(self._order), event, 0))
                    self._cond.notify_all()
            self._stop.wait(self.tick_s)

    def _work(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._stop.is_set() and (
                    not self._due or self._due[0][0] > time.monotonic()
                ):
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    self._cond.wait(wait)
                if self._stop.is_set():
                    return
                _, _, event, attempt = heapq.heappop(self._due)
            self._send(event, attempt)

    def _send(self, event: RecordingEvent, attempt: int) -> None:
        t = to_unix(self._clock() + EXPIRY)
        status = self._post(self.url, callback_bytes(event, self._key, t))
        with self.counts.lock:
            self.counts.attempts += 1
            if status == 200:
                self.counts.delivered += 1
        if status == 200:
            return
        if attempt >= self.retries:
            with self.counts.lock:
                self.counts.given_up += 1
            log.warning("callback given up", extra={"event": event.event.value, "status": status})
            return
        with self._cond:
            due = time.monotonic() + self.retry_s
            heapq.heappush(self._due, (due, next(self._order), event, attempt + 1))
            self._cond.notify_all()
