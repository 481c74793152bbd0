"""What the answer layer asks of a task source (the CSS query engine), as plain values.

Core code depends on this protocol only, never on the SDK; `bot.css.query` implements it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.filters import Filters
from bot.plan import Plan
from bot.tasks import RecordTask
from bot.timephrase.window import Window


@dataclass(frozen=True)
class FetchStats:
    """What the footer reports: where the data came from and what it cost."""

    region: str
    api_calls: int = 0
    pages: int = 0
    retries: int = 0
    cache_hits: int = 0
    elapsed_s: float = 0.0
    cache_age_s: float | None = None  # age of the oldest cached page used, if any
    simulated: bool = False
    index_age_s: float | None = None  # answered from the synced index, synced this long ago
    # ... from a part the sync budget lists only this often (longer than configured)
    index_every_s: float | None = None


@dataclass(frozen=True)
class FetchResult:
    """Every task overlapping the (clipped) asked window that matches the filters."""

    tasks: tuple[RecordTask, ...]
    stats: FetchStats
    plan: Plan
    notes: tuple[str, ...] = ()


class TaskSource(Protocol):
    def fetch_tasks(self, window: Window, filters: Filters, now: datetime) -> FetchResult:
        """Raise `bot.errors.ApiError` with a plain-language message on failure."""
        ...
