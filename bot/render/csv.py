"""Answer -> CSV of every matching task (not a page): the API fields, status and local times."""

from __future__ import annotations

import csv
import io

from bot.answer import Answer
from bot.tasks import to_unix

COLUMNS = (
    "TaskId",
    "DomainName",
    "AppName",
    "StreamName",
    "StartTime",
    "EndTime",
    "TemplateId",
    "Stopped",
    "Status",
    "StartLocal",
    "EndLocal",
    "StoppedLocal",
    # From CSS recording callbacks (empty when callbacks are off).
    "RecordingState",
    "Files",
    "RecordedSeconds",
    "RecordedBytes",
)
# A cell starting with one of these is a formula to a spreadsheet. Only the names (domain, app,
# stream: free text someone typed) get the `'` guard. TaskIds are base64 (a leading `+` is
# common, but no `(`, `!` or `|` a formula needs), so a guard would only corrupt them; the
# numbers and times are ours.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _name(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _recording_cells(answer: Answer, task_id: str) -> tuple[str | int, ...]:
    if answer.evidence is None:
        return ("", "", "", "")
    recording = answer.evidence.of(task_id)
    return (
        recording.state.value,
        recording.file_count,
        recording.total_duration_s,
        recording.total_bytes,
    )


def render_csv(answer: Answer) -> bytes:
    """UTF-8 CSV; Unix seconds as the API gives them plus ISO 8601 in the asker's zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    zone = answer.zone
    for task in answer.tasks:
        stopped = task.stopped
        writer.writerow(
            (
                task.task_id,
                _name(task.domain),
                _name(task.app),
                _name(task.stream),
                to_unix(task.start),
                to_unix(task.end),
                task.template_id,
                to_unix(stopped) if stopped else 0,
                answer.status_of(task).value,
                task.start.astimezone(zone).isoformat(),
                task.end.astimezone(zone).isoformat(),
                stopped.astimezone(zone).isoformat() if stopped else "",
                *_recording_cells(answer, task.task_id),
            )
        )
    return out.getvalue().encode("utf-8")
