"""Progress of a long live question, for whoever is waiting: a terminal bar, a Slack message.

The query engine reports after every page to the listener of the asking context (a
ContextVar, so concurrent questions each reach their own asker, and sync listings nobody's).
`Throttled` turns that into what a person should see: nothing for a question that will be
quick, then an update at most every few seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

SHOW_AFTER_S = 3.0  # questions expected to take less are not worth a progress message
EVERY_S = 5.0  # Slack's message is updated at most this often


@dataclass(frozen=True)
class QueryProgress:
    """`calls_known` grows as pages hand back ScrollTokens; the estimate follows the limit."""

    label: str  # "13 weeks", "3 days"
    calls_done: int
    calls_known: int
    elapsed_s: float
    rate: float

    @property
    def expected_s(self) -> float:
        """The whole question, as far as is known: its calls at the rate limit."""
        return max(self.elapsed_s, self.calls_known / self.rate)

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.expected_s - self.elapsed_s)

    def text(self) -> str:
        remaining = round(self.remaining_s)
        about = f"about {remaining} s" if remaining >= 1 else "almost done"
        return f"Looking through {self.label}… ({about})"


Listener = Callable[[QueryProgress], None]
_listener: ContextVar[Listener | None] = ContextVar("recbot_query_progress", default=None)


@contextmanager
def reporting(listener: Listener) -> Iterator[None]:
    """Questions asked in this block report their progress to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def current_listener() -> Listener | None:
    return _listener.get()


def span_label(seconds: float) -> str:
    days = seconds / 86400
    if days >= 14:
        return f"{round(days / 7)} weeks"
    if days >= 2:
        return f"{round(days)} days"
    return f"{max(1, round(seconds / 3600))} hours"


class Throttled:
    """Pass progress on once the question is expected to take over SHOW_AFTER_S, then at
    most every `every_s` seconds; `shown` says whether anything was passed on."""

    def __init__(
        self,
        listener: Listener,
        every_s: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._listener = listener
        self._every_s = every_s
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()

    @property
    def shown(self) -> bool:
        return self._last is not None

    def __call__(self, progress: QueryProgress) -> None:
        if progress.expected_s < SHOW_AFTER_S:
            return
        now = self._clock()
        with self._lock:
            if self._last is not None and now - self._last < self._every_s:
                return
            self._last = now
        self._listener(progress)
