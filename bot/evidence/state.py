"""What the callbacks say about each task: recorded, failed, in progress or no evidence; pure.

Events are matched to a task by TaskId (CreateRecordTask tasks carry it). Events whose TaskId
matches no listed task (recordings started by a template rule) are kept per stream, marked
as not from a task. Nothing is guessed: a task with no event has `no_evidence`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.evidence.events import RecordedFile, RecordEvent, RecordingEvent
from bot.findings import Finding, FindingKind, StreamKey, recorded_end, was_armed
from bot.tasks import RecordTask

# A task that began this long ago with no callback at all is "scheduled but nothing received".
NOTHING_RECEIVED_AFTER = timedelta(minutes=5)


class RecordingState(StrEnum):
    RECORDED = "recorded"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    NO_EVIDENCE = "no_evidence"


@dataclass(frozen=True)
class Recording:
    """What is known of one task's (or one stream's untasked) recording."""

    state: RecordingState
    files: tuple[RecordedFile, ...] = ()
    events: tuple[RecordingEvent, ...] = ()  # status events (332), oldest first

    @property
    def total_duration_s(self) -> int:
        return sum(f.duration_s for f in self.files)

    @property
    def total_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    @property
    def failure(self) -> RecordingEvent | None:
        """The failure that decided a FAILED state (the last one with no file after it)."""
        if self.state is not RecordingState.FAILED:
            return None
        failures = [e for e in self.events if e.is_failure]
        return failures[-1] if failures else None


NO_EVIDENCE = Recording(RecordingState.NO_EVIDENCE)


@dataclass(frozen=True)
class StreamEvidence:
    """Events of a stream that belong to no listed task (e.g. a template-started recording)."""

    stream: StreamKey
    recording: Recording


@dataclass(frozen=True)
class Evidence:
    """The evidence part of an answer: per TaskId, and per stream for untasked events."""

    recordings: Mapping[str, Recording]
    untasked: tuple[StreamEvidence, ...] = ()

    def of(self, task_id: str) -> Recording:
        return self.recordings.get(task_id, NO_EVIDENCE)


class EvidenceSource(Protocol):
    def events_for(
        self, tasks: Sequence[RecordTask], start: datetime, end: datetime
    ) -> Sequence[RecordingEvent]:
        """Events of these tasks (by TaskId), and of their streams in `[start, end]`."""
        ...


def recording_of(events: Iterable[RecordingEvent], running: bool) -> Recording:
    """The state of one recording from its events; `running`: its task is armed right now."""
    ordered = sorted(events, key=lambda e: (e.time, e.key))
    files = tuple(e.file for e in ordered if e.file is not None)
    status = tuple(e for e in ordered if e.file is None)
    if not ordered:
        return NO_EVIDENCE
    failures = [e for e in status if e.is_failure]
    if failures and not any(f.end > failures[-1].time for f in files):
        return Recording(RecordingState.FAILED, files, status)
    ended = any(e.event is RecordEvent.ENDED for e in status)
    started = any(e.event is RecordEvent.START_SUCCEEDED for e in status)
    if running and not ended and (started or files):
        return Recording(RecordingState.IN_PROGRESS, files, status)
    if files or started:
        return Recording(RecordingState.RECORDED, files, status)
    # Only pauses, resumes or an end with no start or file: something happened, not a recording.
    return Recording(
        RecordingState.IN_PROGRESS if running else RecordingState.NO_EVIDENCE, files, status
    )


def _armed_now(task: RecordTask, now: datetime) -> bool:
    return was_armed(task, now) and now < recorded_end(task)


def collect(
    tasks: Sequence[RecordTask], events: Iterable[RecordingEvent], now: datetime
) -> Evidence:
    """Sort events to their tasks (by TaskId) and the rest to their streams."""
    by_task: dict[str, list[RecordingEvent]] = defaultdict(list)
    by_stream: dict[StreamKey, list[RecordingEvent]] = defaultdict(list)
    ids = {t.task_id for t in tasks}
    for event in events:
        if event.task_id and event.task_id in ids:
            by_task[event.task_id].append(event)
        else:
            by_stream[StreamKey(event.stream, event.app, event.domain)].append(event)
    recordings = {
        t.task_id: recording_of(by_task.get(t.task_id, ()), _armed_now(t, now)) for t in tasks
    }
    untasked = tuple(
        StreamEvidence(key, recording_of(found, running=False))
        for key, found in sorted(by_stream.items())
    )
    return Evidence(recordings, untasked)


def fetch_evidence(
    source: EvidenceSource,
    tasks: Sequence[RecordTask],
    start: datetime,
    end: datetime,
    now: datetime,
) -> Evidence:
    """Ask the source about these tasks and their streams in the window, then sort."""
    return collect(tasks, source.events_for(tasks, start, end), now)


def evidence_findings(
    tasks: Sequence[RecordTask], evidence: Evidence, now: datetime
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(failed to record, scheduled but nothing received), oldest first."""
    failed: list[Finding] = []
    silent: list[Finding] = []
    for task in tasks:
        recording = evidence.of(task.task_id)
        key = StreamKey.of(task)
        failure = recording.failure
        if failure is not None:
            failed.append(
                Finding(
                    FindingKind.FAILED_TO_RECORD,
                    key,
                    (task.task_id,),
                    task.start,
                    recorded_end(task),
                    failure.time,
                    detail=failure.event.value,
                )
            )
        elif (
            recording.state is RecordingState.NO_EVIDENCE
            and was_armed(task, now)
            and now - task.start > NOTHING_RECEIVED_AFTER
        ):
            silent.append(
                Finding(
                    FindingKind.NOTHING_RECEIVED,
                    key,
                    (task.task_id,),
                    task.start,
                    recorded_end(task),
                )
            )
    order = lambda f: (f.start, f.task_ids)  # noqa: E731
    return tuple(sorted(failed, key=order)), tuple(sorted(silent, key=order))


def counts_as_recorded(recording: Recording) -> bool:
    """For the yes/no verdict with callbacks on: only evidence of a recording counts."""
    return recording.state in (RecordingState.RECORDED, RecordingState.IN_PROGRESS)
