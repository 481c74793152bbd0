"""RecordTask, the domain type for one recording task, and its status at a given time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

# A TaskId as DescribeRecordTask lists it: an opaque string of about 56 base64 characters
# (A–Z, a–z, 0–9, '+', '/'; often starting with '+'), as a whole word of a message.
_TASK_ID = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,100}={0,2}(?![A-Za-z0-9+/=])")
_TASK_ID_WORD = re.compile(r"[A-Za-z0-9+/]{40,100}={0,2}")
# What a TaskId looks like, for messages that refuse something else.
TASK_ID_SHAPE = (
    "a TaskId is the 40 to 100 base64 characters DescribeRecordTask lists (letters and "
    "digits, '+', '/', up to two '=' at the end), e.g. +Ab3…Xy9="
)


class Status(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"


def _mixed(word: str) -> bool:
    return any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def task_ids_in(text: str) -> list[str]:
    """The TaskId-shaped words of `text` (a pasted message), in order, each once. Shape
    only: a long word of letters and digits alone is not one (it needs a digit and a letter)."""
    found = (m.group(0) for m in _TASK_ID.finditer(text))
    return list(dict.fromkeys(w for w in found if _mixed(w)))


def is_task_id(word: str) -> bool:
    """Whether one whole word is TaskId-shaped, by the rule of `task_ids_in`."""
    return _TASK_ID_WORD.fullmatch(word) is not None and _mixed(word)


def from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def to_unix(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class RecordTask:
    """One task as DescribeRecordTask lists it. Aware UTC datetimes inside; ints at the edge.

    `stopped` is when StopRecordTask was called (None when never); it may lie before `start`.
    The scheduled window is half-open `[start, end)`.
    """

    task_id: str
    domain: str
    app: str
    stream: str
    start: datetime
    end: datetime
    template_id: int
    stopped: datetime | None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> RecordTask:
        stopped = int(item.get("Stopped") or 0)
        return cls(
            task_id=str(item["TaskId"]),
            domain=str(item["DomainName"]),
            app=str(item["AppName"]),
            stream=str(item["StreamName"]),
            start=from_unix(int(item["StartTime"])),
            end=from_unix(int(item["EndTime"])),
            template_id=int(item.get("TemplateId") or 0),
            stopped=from_unix(stopped) if stopped else None,
        )

    def to_api(self) -> dict[str, Any]:
        return {
            "TaskId": self.task_id,
            "DomainName": self.domain,
            "AppName": self.app,
            "StreamName": self.stream,
            "StartTime": to_unix(self.start),
            "EndTime": to_unix(self.end),
            "TemplateId": self.template_id,
            "Stopped": to_unix(self.stopped) if self.stopped else 0,
        }

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Half-open overlap of the scheduled window with `[start, end)`."""
        return self.start < end and self.end > start

    def status_at(self, now: datetime) -> Status:
        """docs/requests.md: a stop wins, even one made before the task began."""
        if self.stopped is not None:
            return Status.STOPPED
        if now < self.start:
            return Status.SCHEDULED
        if now < self.end:
            return Status.RUNNING
        return Status.FINISHED
