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
from typing import Protocol, runtime_checkable

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
class FileTotals:
    """How many files a recording wrote, their total duration and size, and when the last
    one ended: all an answer shows of them unless it lists them (`recbot ask --json`)."""

    count: int = 0
    duration_s: int = 0
    size_bytes: int = 0
    last_end: datetime | None = None

    @classmethod
    def of(cls, files: Iterable[RecordedFile]) -> FileTotals:
        listed = tuple(files)
        return cls(
            len(listed),
            sum(f.duration_s for f in listed),
            sum(f.size_bytes for f in listed),
            max((f.end for f in listed), default=None),
        )

    def __add__(self, other: FileTotals) -> FileTotals:
        ends = [e for e in (self.last_end, other.last_end) if e is not None]
        return FileTotals(
            self.count + other.count,
            self.duration_s + other.duration_s,
            self.size_bytes + other.size_bytes,
            max(ends, default=None),
        )


NO_FILES = FileTotals()


@dataclass(frozen=True)
class Recording:
    """What is known of one task's (or one stream's untasked) recording. `files` is listed
    only when the answer shows the list; `totals` always counts every file."""

    state: RecordingState
    files: tuple[RecordedFile, ...] = ()
    events: tuple[RecordingEvent, ...] = ()  # status events (332), oldest first
    totals: FileTotals = NO_FILES

    @property
    def file_count(self) -> int:
        return self.totals.count

    @property
    def total_duration_s(self) -> int:
        return self.totals.duration_s

    @property
    def total_bytes(self) -> int:
        return self.totals.size_bytes

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


@dataclass(frozen=True)
class FileGroup:
    """The files of one (TaskId, stream), totalled by the store."""

    task_id: str
    stream: StreamKey
    totals: FileTotals


@runtime_checkable
class SummarySource(Protocol):
    """A source that can total files itself (the database), so an answer that shows no file
    list reads only status events and one row per task."""

    def summary_for(
        self, tasks: Sequence[RecordTask], start: datetime, end: datetime
    ) -> tuple[Sequence[RecordingEvent], Sequence[FileGroup]]:
        """(status events, file totals per TaskId and stream), as `events_for` would select."""
        ...


def recording_of(
    events: Iterable[RecordingEvent], running: bool, totals: FileTotals | None = None
) -> Recording:
    """The state of one recording from its events; `running`: its task is armed right now.
    With `totals` the files are given as totals only (and `events` holds status events)."""
    ordered = sorted(events, key=lambda e: (e.time, e.key))
    files = tuple(e.file for e in ordered if e.file is not None)
    status = tuple(e for e in ordered if e.file is None)
    counted = totals if totals is not None else FileTotals.of(files)
    if not status and not counted.count:
        return NO_EVIDENCE

    def made(state: RecordingState) -> Recording:
        return Recording(state, files, status, counted)

    failures = [e for e in status if e.is_failure]
    last_end = counted.last_end
    if failures and not (last_end is not None and last_end > failures[-1].time):
        return made(RecordingState.FAILED)
    ended = any(e.event is RecordEvent.ENDED for e in status)
    started = any(e.event is RecordEvent.START_SUCCEEDED for e in status)
    if running and not ended and (started or counted.count):
        return made(RecordingState.IN_PROGRESS)
    if counted.count or started:
        return made(RecordingState.RECORDED)
    # Only pauses, resumes or an end with no start or file: something happened, not a recording.
    return made(RecordingState.IN_PROGRESS if running else RecordingState.NO_EVIDENCE)


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


def collect_totals(
    tasks: Sequence[RecordTask],
    status: Iterable[RecordingEvent],
    groups: Iterable[FileGroup],
    now: datetime,
) -> Evidence:
    """As `collect`, from status events and file totals (no file list)."""
    by_task: dict[str, list[RecordingEvent]] = defaultdict(list)
    by_stream: dict[StreamKey, list[RecordingEvent]] = defaultdict(list)
    task_totals: dict[str, FileTotals] = defaultdict(FileTotals)
    stream_totals: dict[StreamKey, FileTotals] = defaultdict(FileTotals)
    ids = {t.task_id for t in tasks}
    for event in status:
        if event.task_id and event.task_id in ids:
            by_task[event.task_id].append(event)
        else:
            by_stream[StreamKey(event.stream, event.app, event.domain)].append(event)
    for group in groups:
        if group.task_id and group.task_id in ids:
            task_totals[group.task_id] += group.totals
        else:
            stream_totals[group.stream] += group.totals
    recordings = {
        t.task_id: recording_of(
            by_task.get(t.task_id, ()), _armed_now(t, now), task_totals.get(t.task_id, NO_FILES)
        )
        for t in tasks
    }
    untasked = tuple(
        StreamEvidence(key, recording_of(by_stream.get(key, ()), False, stream_totals.get(key)))
        for key in sorted(set(by_stream) | set(stream_totals))
    )
    return Evidence(recordings, untasked)


def fetch_evidence(
    source: EvidenceSource,
    tasks: Sequence[RecordTask],
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    files: bool = False,
) -> Evidence:
    """Ask the source about these tasks and their streams in the window, then sort. Without
    `files` (the answer lists none) a source that totals files itself is asked for totals."""
    if not files and isinstance(source, SummarySource):
        status, groups = source.summary_for(tasks, start, end)
        return collect_totals(tasks, status, groups, now)
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
