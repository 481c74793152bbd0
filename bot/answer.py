"""The one pipeline every surface uses: Request + context -> Answer (window, tasks, findings).

CLI, Slack and digests all call `answer()`; they differ only in how they deliver the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from types import MappingProxyType

from bot.evidence.state import (
    Evidence,
    EvidenceSource,
    counts_as_recorded,
    evidence_findings,
    fetch_evidence,
)
from bot.filters import Filters, narrow_to_scope
from bot.findings import Findings, find, was_armed
from bot.plan import MAX_AHEAD, Plan, oldest_allowed
from bot.request import Request, StatusFilter
from bot.source import FetchResult, TaskSource
from bot.tasks import RecordTask, Status
from bot.timephrase import DateOrder, parse_phrase
from bot.timephrase.window import Grain, Window

DEFAULT_SPAN = timedelta(hours=24)
SCHEDULED_SPAN = timedelta(days=7)
TASK_ID_SPAN = "the last 90 days and the next 7"


@dataclass(frozen=True)
class AnswerContext:
    """Everything an answer depends on besides the request; `now` and `zone` are the asker's."""

    now: datetime
    zone: tzinfo
    source: TaskSource
    scope: Filters | None = None
    # CSS recording callbacks (bot/evidence); None when callbacks are off.
    evidence: EvidenceSource | None = None
    # Whether the answer lists each recording's files (`recbot ask --json`); without, files
    # are only counted and totalled, which a store does in SQL.
    evidence_files: bool = False
    # RECBOT_DATE_ORDER, for a request whose phrase was not read yet (window_for).
    date_order: DateOrder = DateOrder.MDY


@dataclass(frozen=True)
class Answer:
    """What was asked, what was fetched and what it means.

    `result` is the full fetch (every task overlapping the clipped window that matches the
    filters); `tasks` are those with the asked status, stream by stream, newest first;
    `statuses` maps every fetched TaskId to its status at `now`; `findings` cover `result`.
    """

    request: Request
    window: Window
    plan: Plan
    filters: Filters
    result: FetchResult
    tasks: tuple[RecordTask, ...]
    findings: Findings
    statuses: Mapping[str, Status]
    now: datetime
    zone: tzinfo
    counts: tuple[tuple[Status, int], ...] = field(default=())
    # What the recording callbacks said; None when callbacks are off (answers from the schedule).
    evidence: Evidence | None = None

    def status_of(self, task: RecordTask) -> Status:
        return self.statuses.get(task.task_id) or task.status_at(self.now)

    @property
    def missing_task_ids(self) -> tuple[str, ...]:
        """The asked TaskIds with no task in the result: unknown to the API (or the index)
        in the window, or outside the channel's scope (which is not said)."""
        found = {t.task_id for t in self.result.tasks}
        return tuple(i for i in self.filters.task_ids if i not in found)

    @property
    def verdict(self) -> Verdict:
        return verdict(self.request.status, self.tasks, self.now, self.evidence)


@dataclass(frozen=True)
class Verdict:
    """The answer to a yes/no question: `yes` and the `count` of tasks that back it.

    With callbacks on, `unrecorded` are the armed tasks that did not count for lack of
    evidence (failed, or nothing received): the reason a "No" gives."""

    yes: bool
    count: int
    unrecorded: tuple[RecordTask, ...] = ()


def verdict(
    status: StatusFilter,
    tasks: Sequence[RecordTask],
    now: datetime,
    evidence: Evidence | None = None,
) -> Verdict:
    """ "Did X record?" counts only tasks that were armed: a task cancelled before it began or
    one still to come recorded nothing. Asked about what is scheduled, the question is about
    the future: scheduled tasks count, cancelled ones still do not. With callbacks on, an
    armed task counts only with evidence of a recording."""
    if status is StatusFilter.SCHEDULED:
        counted = [t for t in tasks if t.stopped is None or t.stopped > t.start]
        return Verdict(bool(counted), len(counted))
    armed = [t for t in tasks if was_armed(t, now)]
    if evidence is None:
        return Verdict(bool(armed), len(armed))
    counted = [t for t in armed if counts_as_recorded(evidence.of(t.task_id))]
    missing = tuple(t for t in armed if not counts_as_recorded(evidence.of(t.task_id)))
    return Verdict(bool(counted), len(counted), missing)


def _span_text(start: datetime, end: datetime) -> str:
    return f"{start:%b} {start.day} {start:%H:%M} → {end:%b} {end.day} {end:%H:%M} {end:%Z}"


def default_window(status: StatusFilter, now: datetime, zone: tzinfo) -> Window:
    """No phrase: now ± 24 h, or the next 7 days when asking what is scheduled."""
    if status is StatusFilter.SCHEDULED:
        start, end, label = now, now + SCHEDULED_SPAN, "next 7 days"
    else:
        start, end, label = now - DEFAULT_SPAN, now + DEFAULT_SPAN, "now ± 24 h"
    # Added in UTC so "24 h" stays 24 real hours across a DST change, then shown locally.
    start, end = start.astimezone(zone), end.astimezone(zone)
    return Window(start, end, Grain.HOUR, f"{label}, {_span_text(start, end)}", "")


def task_id_window(now: datetime, zone: tzinfo) -> Window:
    """No phrase with a TaskId: every task the API still lists, 90 days back to 7 ahead."""
    start, end = oldest_allowed(now).astimezone(zone), (now + MAX_AHEAD).astimezone(zone)
    return Window(start, end, Grain.DAY, f"{TASK_ID_SPAN}, {_span_text(start, end)}", "")


def window_for(
    request: Request, now: datetime, zone: tzinfo, order: DateOrder = DateOrder.MDY
) -> Window:
    """The asked window: the time phrase read by the time-phrase engine (numeric dates in
    `order`, RECBOT_DATE_ORDER), else the default: with a TaskId, all the API keeps."""
    if request.phrase is None:
        if request.filters.task_ids:
            return task_id_window(now, zone)
        return default_window(request.status, now, zone)
    if request.window is not None:
        return request.window  # read once, by parse_request
    return parse_phrase(request.phrase, now, zone, order)


def _newest_first(tasks: list[RecordTask]) -> tuple[RecordTask, ...]:
    """Grouped by stream (streams in name order), newest start first within a stream."""
    tasks.sort(key=lambda t: (t.start, t.task_id), reverse=True)
    tasks.sort(key=lambda t: (t.stream, t.app, t.domain))
    return tuple(tasks)


def answer(request: Request, ctx: AnswerContext) -> Answer:
    """Raises ParseError (time phrase), AccessDenied (outside the scope) or ApiError (fetch)."""
    filters = narrow_to_scope(request.filters, ctx.scope)
    window = window_for(request, ctx.now, ctx.zone, ctx.date_order)
    result = ctx.source.fetch_tasks(window, filters, ctx.now)
    # The source already filters; checking again keeps a scope safe from a source's mistake.
    fetched = [
        t
        for t in result.tasks
        if filters.matches(t) and t.overlaps(result.plan.start, result.plan.end)
    ]
    statuses = {t.task_id: t.status_at(ctx.now) for t in fetched}
    counted = Counter(statuses.values())
    chosen = [t for t in fetched if request.status.admits(statuses[t.task_id])]
    findings = find(fetched, ctx.now)
    evidence = None
    if ctx.evidence is not None:
        start, end = result.plan.start, result.plan.end
        if filters.task_ids and fetched:
            # 97 days of the stream's callbacks would be read for nothing: only the tasks'.
            start, end = min(t.start for t in fetched), max(t.end for t in fetched)
        evidence = fetch_evidence(
            ctx.evidence, fetched, start, end, ctx.now, files=ctx.evidence_files
        )
        failed, silent = evidence_findings(fetched, evidence, ctx.now)
        findings = replace(findings, failed_to_record=failed, nothing_received=silent)
        if filters.task_ids:
            # Asked about tasks: the stream's recordings not from a task are another story.
            evidence = replace(evidence, untasked=())
    return Answer(
        request=request,
        window=window,
        plan=result.plan,
        filters=filters,
        result=FetchResult(tuple(fetched), result.stats, result.plan, result.notes)
        if len(fetched) != len(result.tasks)
        else result,
        tasks=_newest_first(chosen),
        # Findings need every fetched task (an overlap with an unlisted one), but only those
        # about a listed task are shown: `is cam1 recording now?` is not about last week.
        findings=findings.involving({t.task_id for t in chosen}),
        statuses=MappingProxyType(statuses),
        now=ctx.now,
        zone=ctx.zone,
        counts=tuple((s, counted[s]) for s in Status if counted[s]),
        evidence=evidence,
    )
