"""Alerts about tasks rather than callbacks: a task cut short by a stop, and a task that began
more than 5 minutes ago with no callback at all ("scheduled but nothing received").

No callback announces these, so the alert loop looks for them: every check period it reads the
tasks of the last hour from the task source it is given (the synced index when it is on: no
API call; else the live query engine, whose 60 s page cache is shared by replicas through
Redis) and the evidence of those tasks (one summary query), and finds them as answers do
(`bot.findings.stopped_early`, `bot.evidence.state.evidence_findings`). docs/evidence.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.evidence.state import evidence_findings, fetch_evidence
from bot.evidence.store import EvidenceStore
from bot.filters import Filters
from bot.findings import Finding, recorded_end, stopped_early
from bot.source import TaskSource
from bot.tasks import RecordTask
from bot.timephrase.window import Grain, Window

# Tasks whose recording ended (or was stopped) longer ago than this are not alerted any more.
TASK_LOOKBACK = timedelta(hours=1)


class TaskAlertKind(StrEnum):
    STOPPED_EARLY = "stopped_early"
    NOTHING_RECEIVED = "nothing_received"


@dataclass(frozen=True)
class TaskAlert:
    """One task worth an alert. `finding` is the answer's own finding about it."""

    kind: TaskAlertKind
    task: RecordTask
    finding: Finding

    @property
    def key(self) -> str:
        """The claim key: one alert per task and kind, per subscription."""
        return f"task:{self.task.task_id}:{self.kind.value}"

    @property
    def time(self) -> datetime:
        """The moment the alert is about: the stop, or the task's start."""
        return self.finding.at or self.finding.start

    @property
    def ended(self) -> datetime:
        """When recording stopped being armed (the stop, or the scheduled end)."""
        return recorded_end(self.task)


def is_task_key(key: str) -> bool:
    return key.startswith("task:")


def check_span(now: datetime) -> tuple[datetime, datetime]:
    """The last hour, to the whole minute: successive checks (and replicas) ask the same
    window, so the live engine's page cache answers them; it ends before now, so the index
    answers it without a refresh of its own (docs/index.md, "about now")."""
    end = now.replace(second=0, microsecond=0)
    return end - TASK_LOOKBACK, end


def task_alerts(
    tasks: Sequence[RecordTask], evidence: EvidenceStore, now: datetime
) -> list[TaskAlert]:
    """The alertable tasks among these: stopped after they began, or silent since 5 min."""
    by_id = {t.task_id: t for t in tasks}
    found = [
        TaskAlert(TaskAlertKind.STOPPED_EARLY, task, finding)
        for finding in stopped_early(tasks)
        if (task := by_id[finding.task_ids[0]]).stopped is not None
        and task.stopped > task.start  # a stop before the start cancels it: nothing was cut
    ]
    start, end = check_span(now)
    _, silent = evidence_findings(tasks, fetch_evidence(evidence, tasks, start, end, now), now)
    found += [TaskAlert(TaskAlertKind.NOTHING_RECEIVED, by_id[f.task_ids[0]], f) for f in silent]
    return [a for a in found if a.ended > now - TASK_LOOKBACK]


def check_tasks(source: TaskSource, evidence: EvidenceStore, now: datetime) -> list[TaskAlert]:
    """Read the last hour's tasks and their evidence; the task alerts due now."""
    start, end = check_span(now)
    result = source.fetch_tasks(Window(start, end, Grain.MINUTE, "alert check"), Filters(), now)
    recent = [t for t in result.tasks if t.overlaps(start, end)]
    return task_alerts(recent, evidence, now) if recent else []
