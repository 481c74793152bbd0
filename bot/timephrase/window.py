"""Window: what a time phrase means, a half-open `[start, end)` with either end possibly open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Grain(StrEnum):
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Window:
    """`start`/`end` are aware datetimes in the asker's zone; None means that end is open.

    `description` is the short human text for replies, e.g.
    "yesterday, Jul 26 00:00 → Jul 27 00:00 JST".
    """

    start: datetime | None
    end: datetime | None
    grain: Grain
    description: str
    phrase: str = ""
