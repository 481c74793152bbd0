"""Made-up but consistent recording callbacks for simulated tasks; pure and deterministic.

A task's fate (recorded, or failed to start) follows from its TaskId, so `recbot ask` on the
embedded simulator and `recbot simulator --callback-url` tell the same story about a task.
Only what has happened by `now` exists: a start at the task's start, one file per whole
hour written, a last file and an end when the recording stops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.evidence.events import (
    FILE_EVENT_TYPE,
    STATUS_EVENT_TYPE,
    RecordedFile,
    RecordEvent,
    RecordingEvent,
)
from bot.findings import recorded_end, was_armed
from bot.tasks import RecordTask

SEGMENT = timedelta(hours=1)
BYTES_PER_SECOND = 112_000  # ~0.9 Mbit/s, a 720p stream
DEFAULT_FAILURE_SHARE = 0.1
_DETAIL = (
    '{"file_format":3,"record_bps":0,"start_model":5,"record_content":1,'
    '"source_type":1,"codec_temp_id":0}'
)


def _roll(task_id: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{task_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _number(task_id: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}:{task_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**19)


@dataclass(frozen=True)
class Fate:
    """How a simulated task's recording goes: fails to start, or records."""

    fails: bool


def fate(task: RecordTask, failure_share: float) -> Fate:
    return Fate(fails=_roll(task.task_id, "fate") < failure_share)


def _status(task: RecordTask, event: RecordEvent, at: datetime) -> RecordingEvent:
    seq = _number(task.task_id, f"seq:{event.value}:{int(at.timestamp())}")
    return RecordingEvent(
        key=f"{STATUS_EVENT_TYPE}:{seq}:{event.value}:{int(at.timestamp())}",
        event_type=STATUS_EVENT_TYPE,
        event=event,
        time=at,
        task_id=task.task_id,
        domain=task.domain,
        app=task.app,
        stream=task.stream,
        detail=_DETAIL,
    )


def _file(task: RecordTask, start: datetime, end: datetime, index: int) -> RecordingEvent:
    file_id = "1250000001_" + hashlib.sha256(f"{task.task_id}:{index}".encode()).hexdigest()[:32]
    # Content starts a few seconds after writing began, as with real recordings.
    seconds = max(1, int((end - start).total_seconds()) - 5)
    recorded = RecordedFile(
        file_id=file_id,
        format="mp4",
        start=end - timedelta(seconds=seconds),
        end=end,
        duration_s=seconds,
        size_bytes=seconds * BYTES_PER_SECOND,
        url=f"https://1250000001.vod-qcloud.com/sim/{file_id[-12:]}/f0.mp4",
    )
    return RecordingEvent(
        key=f"{FILE_EVENT_TYPE}:{file_id}",
        event_type=FILE_EVENT_TYPE,
        event=RecordEvent.FILE_WRITTEN,
        time=end,
        task_id=task.task_id,
        domain=task.domain,
        app=task.app,
        stream=task.stream,
        detail="1001",
        file=recorded,
    )


def task_events(
    task: RecordTask, now: datetime, failure_share: float = DEFAULT_FAILURE_SHARE
) -> list[RecordingEvent]:
    """Every callback this task's recording has sent by `now`, oldest first."""
    if not was_armed(task, now):
        return []
    if fate(task, failure_share).fails:
        return [_status(task, RecordEvent.START_FAILED, task.start)]
    events = [_status(task, RecordEvent.START_SUCCEEDED, task.start)]
    stop = recorded_end(task)
    begin, index = task.start, 0
    while begin + SEGMENT <= min(stop, now) and begin + SEGMENT < stop:
        events.append(_file(task, begin, begin + SEGMENT, index))
        begin, index = begin + SEGMENT, index + 1
    if stop <= now:
        if stop > begin:
            events.append(_file(task, begin, stop, index))
        events.append(_status(task, RecordEvent.ENDED, stop))
    return events


def simulated_events(
    tasks: Iterable[RecordTask], now: datetime, failure_share: float = DEFAULT_FAILURE_SHARE
) -> list[RecordingEvent]:
    found = [e for t in tasks for e in task_events(t, now, failure_share)]
    return sorted(found, key=lambda e: (e.time, e.key))


class SimulatedEvidence:
    """An `EvidenceSource` for the embedded simulator: the callbacks its tasks would have sent
    by `now` (nothing is stored; the same task always tells the same story)."""

    def __init__(self, now: datetime, failure_share: float = DEFAULT_FAILURE_SHARE) -> None:
        self.now = now
        self.failure_share = failure_share

    def events_for(
        self, tasks: Sequence[RecordTask], start: datetime, end: datetime
    ) -> list[RecordingEvent]:
        del start, end  # every event of the given tasks; they already overlap the window
        return simulated_events(tasks, self.now, self.failure_share)
