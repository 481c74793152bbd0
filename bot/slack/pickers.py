"""Options for the stream, app and domain pickers: the names the account recorded lately.

One CSS query over the last days fills a small in-memory cache; typeahead filters it. A stale
cache answers at once while one refresh runs on the worker pool, so a picker never waits on
the CSS API except the very first time.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.filters import Filters
from bot.source import TaskSource
from bot.tasks import RecordTask, task_ids_in
from bot.timephrase import parse_phrase

log = logging.getLogger(__name__)

RECENT = "last 7 days"
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.]*[A-Za-z0-9_]|[A-Za-z0-9]")
FRESH_S = 300.0
KINDS = ("stream", "app", "domain")


@dataclass(frozen=True)
class Recent:
    """The tasks of the recent window (names are read from them per picker and scope)."""

    tasks: tuple[RecordTask, ...]
    at: float


def _name(task: RecordTask, kind: str) -> str:
    return {"stream": task.stream, "app": task.app, "domain": task.domain}[kind]


class RecentNames:
    def __init__(
        self,
        source: TaskSource,
        clock: Callable[[], datetime],
        submit: Callable[[Callable[[], None]], object],
        fresh_s: float = FRESH_S,
    ) -> None:
        self._source = source
        self._clock = clock
        self._submit = submit
        self._fresh_s = fresh_s
        self._recent: Recent | None = None
        self._refreshing = False
        self._lock = threading.Lock()

    def _load(self) -> Recent:
        now = self._clock()
        window = parse_phrase(RECENT, now, UTC)
        result = self._source.fetch_tasks(window, Filters(), now)
        return Recent(result.tasks, time.monotonic())

    def _refresh(self) -> None:
        try:
            recent = self._load()
            with self._lock:
                self._recent = recent
        except Exception:
            log.warning("picker refresh failed; the old names stay", exc_info=True)
        finally:
            with self._lock:
                self._refreshing = False

    def warm_if_cold(self) -> None:
        """Fill the cache in the background if it was never filled: called as a modal opens,
        so the names are there by the time someone types in a picker."""
        with self._lock:
            cold = self._recent is None
        if cold:
            self.warm()

    def warm(self) -> None:
        """Refresh the cache in the background."""
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
        self._submit(self._refresh)

    def _tasks(self) -> tuple[RecordTask, ...]:
        with self._lock:
            recent = self._recent
        if recent is None:
            recent = self._load()  # before any fill finished: wait for one query
            with self._lock:
                self._recent = recent
        elif time.monotonic() - recent.at > self._fresh_s:
            self.warm()
        return recent.tasks

    def streams_named_in(self, text: str, scope: Filters | None) -> list[str]:
        """Recent stream names that appear as words in `text` (a message a shortcut was used
        on), from the cache only: an empty list when it was never filled."""
        with self._lock:
            recent = self._recent
        if recent is None:
            return []
        words = set(_WORD.findall(text))
        return sorted(
            {
                t.stream
                for t in recent.tasks
                if t.stream in words and (scope is None or scope.matches(t))
            }
        )

    def task_named_in(self, text: str, scope: Filters | None) -> RecordTask | None:
        """The recent task whose TaskId `text` pastes (the first found within `scope`), or
        None. Only a text with a TaskId-shaped word looks: then the cache is filled first if
        it never was (one CSS query, well within a shortcut's 3 s trigger)."""
        wanted = task_ids_in(text)
        if not wanted:
            return None
        by_id = {t.task_id: t for t in self._tasks() if scope is None or scope.matches(t)}
        return next((by_id[i] for i in wanted if i in by_id), None)

    def names(self, kind: str, typed: str, scope: Filters | None, limit: int = 100) -> list[str]:
        """Names of `kind` within `scope`, those containing `typed` (any case), most recent
        first."""
        if kind not in KINDS:
            return []
        needle = typed.strip().lower()
        tasks = sorted(self._tasks(), key=lambda t: t.start, reverse=True)
        seen: dict[str, None] = {}
        for task in tasks:
            if scope is not None and not scope.matches(task):
                continue
            name = _name(task, kind)
            if name and needle in name.lower():
                seen.setdefault(name, None)
                if len(seen) >= limit:
                    break
        return list(seen)
