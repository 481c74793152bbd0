"""Recording evidence in words and JSON: the compact task note ("3 files · 2h 58m · 1.2 GB"),
the reason a yes/no question is answered No, and `recbot ask --json`'s `Recording`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.evidence.state import Recording, RecordingState
from bot.render.format import EVENT_WORDS, TimeFormat, duration, plural, same_local_day
from bot.tasks import to_unix

if TYPE_CHECKING:
    from datetime import timedelta

    from bot.answer import Answer

FROM_SCHEDULE = "from the schedule; recording callbacks are off"
_FAILURE_SHORT = {"record_start_failed": "start failed", "record_error": "error"}


def size_text(size: int) -> str:
    """`1.2 GB`, `350 MB`, `12 KB`: decimal units, as storage consoles show them."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} B"


def _seconds(seconds: int) -> timedelta:
    from datetime import timedelta

    return timedelta(seconds=seconds)


def recording_note(recording: Recording, fmt: TimeFormat, *, plain: bool = False) -> str:
    """One short note: files and sizes, a failure and when, or that nothing was received."""
    cross = "✗" if plain else ":x:"
    failure = recording.failure
    if failure is not None:
        what = _FAILURE_SHORT.get(failure.event.value, "failed")
        return f"{cross} {what} {fmt(failure.time, False)}"
    if recording.file_count:
        return " · ".join(
            (
                plural(recording.file_count, "file"),
                duration(_seconds(recording.total_duration_s)),
                size_text(recording.total_bytes),
            )
        )
    if recording.state is RecordingState.IN_PROGRESS:
        return "recording, no file yet"
    if recording.state is RecordingState.RECORDED:
        return "recording started, no file yet"
    return "no callback received"


def no_reason(answer: Answer, fmt: TimeFormat) -> str | None:
    """Why a yes/no question is answered No although a task ran (callbacks on), e.g.
    "the task ran 20:00–23:00 but recording failed to start at 20:00"."""
    v = answer.verdict
    if answer.evidence is None or v.count or not v.unrecorded:
        return None
    task = v.unrecorded[0]
    end_date = not same_local_day(task.start, task.end, answer.zone)
    ran = f"the task ran {fmt(task.start, True)}–{fmt(task.end, end_date)}"
    failure = answer.evidence.of(task.task_id).failure
    if failure is not None:
        why = f"{EVENT_WORDS[failure.event.value]} at {fmt(failure.time, False)}"
    else:
        why = "no recording callback was received for it"
    more = len(v.unrecorded) - 1
    tail = f" (and {plural(more, 'other task')} the same way)" if more else ""
    return f"{ran} but {why}{tail}"


def recording_json(recording: Recording) -> dict[str, Any]:
    return {
        "state": recording.state.value,
        "files": [
            {
                "file_id": f.file_id,
                "format": f.format,
                "start": to_unix(f.start),
                "end": to_unix(f.end),
                "duration_s": f.duration_s,
                "size_bytes": f.size_bytes,
                "url": f.url,
            }
            for f in recording.files
        ],
        "events": [{"event": e.event.value, "time": to_unix(e.time)} for e in recording.events],
    }


def untasked_json(answer: Answer) -> list[dict[str, Any]]:
    """Evidence of recordings no listed task accounts for (template-started), per stream."""
    if answer.evidence is None:
        return []
    return [
        {
            "StreamName": u.stream.stream,
            "AppName": u.stream.app,
            "DomainName": u.stream.domain,
            "from_task": False,
            "Recording": recording_json(u.recording),
        }
        for u in answer.evidence.untasked
    ]


def untasked_lines(answer: Answer, fmt: TimeFormat, name: Any, *, plain: bool = False) -> list[str]:
    """ "`cam9`: 2 files · 1h · 300 MB (not from a task)" for each stream with untasked events."""
    if answer.evidence is None:
        return []
    return [
        f"{name(u.stream.stream)}: {recording_note(u.recording, fmt, plain=plain)}"
        " (not from a task)"
        for u in answer.evidence.untasked
    ]
