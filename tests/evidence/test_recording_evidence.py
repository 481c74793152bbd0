"""What callbacks mean for an answer: each task's state, the verdict, the findings and the
renderers (terminal, Slack, CSV, JSON). The evidence source is a list (our own protocol)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from rich.console import Console

from bot.answer import Answer, AnswerContext, answer
from bot.commands.ask import to_json
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.simulate import task_events
from bot.evidence.state import RecordingState, recording_of
from bot.findings import FindingKind
from bot.render.blocks import render_answer, yes_no
from bot.render.csv import render_csv
from bot.render.text import render_terminal, yes_no_line
from bot.request import parse_request
from bot.tasks import RecordTask
from tests.evidence.sender import status_event
from tests.support.factory import NOW, TOKYO, ListSource, at, task


@dataclass
class ListEvidence:
    events: list[RecordingEvent]

    def events_for(
        self, tasks: Sequence[RecordTask], start: datetime, end: datetime
    ) -> list[RecordingEvent]:
        return list(self.events)


def ask(text: str, tasks: list[RecordTask], events: list[RecordingEvent] | None) -> Answer:
    evidence = ListEvidence(events) if events is not None else None
    request = parse_request(text, NOW, TOKYO)
    return answer(request, AnswerContext(NOW, TOKYO, ListSource(tasks), evidence=evidence))


def done(t: RecordTask) -> list[RecordingEvent]:
    """The callbacks of a recording that went well (the simulator's, no failures)."""
    return task_events(t, NOW, failure_share=0.0)


OK = task("ok-task", at(-5), 3)
BAD = task("bad-task", at(-5), 3, stream="cam1")
SILENT = task("silent-task", at(-2), 3, stream="cam2")


def test_states_from_events() -> None:
    assert recording_of(done(OK), running=False).state is RecordingState.RECORDED
    failed = [status_event(BAD, RecordEvent.START_FAILED, BAD.start)]
    assert recording_of(failed, running=False).state is RecordingState.FAILED
    assert recording_of([], running=True).state is RecordingState.NO_EVIDENCE
    started = [status_event(SILENT, RecordEvent.START_SUCCEEDED, SILENT.start)]
    assert recording_of(started, running=True).state is RecordingState.IN_PROGRESS


def test_an_error_followed_by_a_file_is_not_a_failure() -> None:
    events = done(OK)
    error = status_event(OK, RecordEvent.ERROR, OK.start + timedelta(minutes=10))
    assert recording_of([*events, error], running=False).state is RecordingState.RECORDED
    late_error = status_event(OK, RecordEvent.ERROR, OK.end + timedelta(minutes=1))
    assert recording_of([*events, late_error], running=False).state is RecordingState.FAILED


def test_verdict_counts_only_evidence_when_callbacks_are_on() -> None:
    events = [status_event(BAD, RecordEvent.START_FAILED, BAD.start)]
    result = ask("did cam1 record today", [BAD], events)
    assert not result.verdict.yes
    assert "failed to start" in yes_no_line(result)
    assert yes_no_line(result).startswith("No — the task ran")
    assert yes_no(result).startswith("*No* — the task ran")
    off = ask("did cam1 record today", [BAD], None)
    assert off.verdict.yes
    assert "from the schedule" in yes_no_line(off)


def test_nothing_received_is_said_never_guessed() -> None:
    result = ask("did cam2 record today", [SILENT], [])
    assert not result.verdict.yes
    assert "no recording callback was received" in yes_no_line(result)
    [finding] = result.findings.nothing_received
    assert finding.task_ids == ("silent-task",)


def test_findings_failed_and_nothing_received_only_with_callbacks_on() -> None:
    events = [*done(OK), status_event(BAD, RecordEvent.START_FAILED, BAD.start)]
    result = ask("today", [OK, BAD, SILENT], events)
    kinds = [f.kind for f in result.findings.all()]
    assert FindingKind.FAILED_TO_RECORD in kinds
    assert FindingKind.NOTHING_RECEIVED in kinds
    off = ask("today", [OK, BAD, SILENT], None)
    assert not off.findings.failed_to_record
    assert not off.findings.nothing_received


def test_json_csv_slack_and_terminal_carry_the_evidence() -> None:
    untasked = status_event(
        task("template-started", at(-3), 1, stream="cam9"), RecordEvent.START_SUCCEEDED, at(-3)
    )
    events = [*done(OK), status_event(BAD, RecordEvent.START_FAILED, BAD.start), untasked]
    result = ask("today", [OK, BAD], events)
    body = to_json(result, "Asia/Tokyo")
    by_id = {t["TaskId"]: t["Recording"] for t in body["tasks"]}
    assert by_id["ok-task"]["state"] == "recorded"
    assert len(by_id["ok-task"]["files"]) == 3
    assert set(by_id["ok-task"]["files"][0]) == {
        "file_id",
        "format",
        "start",
        "end",
        "duration_s",
        "size_bytes",
        "url",
    }
    assert by_id["bad-task"] == {
        "state": "failed",
        "files": [],
        "events": [{"event": "record_start_failed", "time": int(BAD.start.timestamp())}],
    }
    [stray] = body["untasked_recordings"]
    assert (stray["StreamName"], stray["from_task"]) == ("cam9", False)
    rows = list(csv.DictReader(io.StringIO(render_csv(result).decode())))
    ok_row = next(r for r in rows if r["TaskId"] == "ok-task")
    assert ok_row["Files"] == "3"
    assert int(ok_row["RecordedSeconds"]) > 3 * 3600 - 60
    slack = json.dumps(render_answer(result).blocks, ensure_ascii=False)
    assert "3 files · 2h 59m" in slack
    assert "start failed" in slack
    assert "not from a task" in slack
    console = Console(width=200, record=True)
    render_terminal(result, console)
    text = console.export_text()
    assert "✗ start failed" in text
    assert "cam9" in text


def test_without_callbacks_json_has_no_recording_and_csv_cells_are_empty() -> None:
    result = ask("today", [OK], None)
    body = to_json(result, "Asia/Tokyo")
    assert "Recording" not in body["tasks"][0]
    assert "untasked_recordings" not in body
    [row] = list(csv.DictReader(io.StringIO(render_csv(result).decode())))
    assert row["Files"] == ""


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_the_simulated_story_of_a_task_is_stable(share: float) -> None:
    first = task_events(OK, NOW, share)
    assert first == task_events(OK, NOW, share)
    assert (first[0].event is RecordEvent.START_FAILED) == (share == 1.0)
