"""What a CSS recording callback tells, as values: one status change or one written file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

STATUS_EVENT_TYPE = 332
FILE_EVENT_TYPE = 100


class RecordEvent(StrEnum):
    """`record_event` of a 332 callback, plus FILE_WRITTEN for a 100 callback."""

    START_SUCCEEDED = "record_start_succeeded"
    START_FAILED = "record_start_failed"
    PAUSED = "record_paused"
    RESUMED = "record_resumed"
    ERROR = "record_error"
    ENDED = "record_ended"
    FILE_WRITTEN = "file_written"


@dataclass(frozen=True)
class RecordedFile:
    """One file a recording wrote. `start` is when its content starts (`end - duration`)."""

    file_id: str
    format: str
    start: datetime
    end: datetime
    duration_s: int
    size_bytes: int
    url: str


@dataclass(frozen=True)
class RecordingEvent:
    """One accepted callback. `key` is its idempotency key (CSS retries carry the same one);
    `task_id` is "" when the recording was not started by CreateRecordTask."""

    key: str
    event_type: int
    event: RecordEvent
    time: datetime
    task_id: str
    domain: str
    app: str
    stream: str
    detail: str = ""
    file: RecordedFile | None = None

    @property
    def is_failure(self) -> bool:
        return self.event in (RecordEvent.START_FAILED, RecordEvent.ERROR)
