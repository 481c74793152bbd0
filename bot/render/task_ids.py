"""How an answer about pasted TaskIds reads: who the question is about, a TaskId nobody
knows, and why "did <TaskId> record?" is No although the task exists (docs/requests.md).

Shared by the Slack and terminal renderers: `name` draws one id (a code span, or plain).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.findings import was_armed
from bot.render.format import TimeFormat, short_id
from bot.tasks import Status

if TYPE_CHECKING:
    from bot.answer import Answer

Name = Callable[[str], str]
WHOLE_RANGE = "in the last 90 days or the next 7"


def ids_label(task_ids: tuple[str, ...], name: Name) -> str:
    """`TaskId `…3Xy9abc=`` or `TaskIds `…a`, `…b``: the tail tells ids apart."""
    shown = ", ".join(name(short_id(i)) for i in task_ids)
    return f"TaskId{'s' if len(task_ids) > 1 else ''} {shown}"


def _where(answer: Answer) -> str:
    """Where the TaskIds were looked for, in words."""
    if answer.request.phrase is None:
        return WHOLE_RANGE
    when = answer.window.phrase or answer.window.description.split(",")[0]
    return f"overlapping {when} (without a time, recbot looks 90 days back and 7 ahead)"


def not_found(answer: Answer) -> str | None:
    """ "No task with that TaskId in the last 90 days or the next 7" when none of the asked
    TaskIds was found; None when there are none asked, or some were found."""
    ids = answer.filters.task_ids
    if not ids or answer.result.tasks:
        return None
    that = "that TaskId" if len(ids) == 1 else "those TaskIds"
    return f"No task with {that} {_where(answer)}"


def missing_note(answer: Answer, name: Name) -> str | None:
    """For several TaskIds of which some were found: the ones that were not."""
    missing = answer.missing_task_ids
    if not missing or not answer.result.tasks:
        return None
    return f"No task with {ids_label(missing, name)} {_where(answer)}"


def task_no_reason(answer: Answer, fmt: TimeFormat, name: Name) -> str | None:
    """Why "did <TaskId> record?" is No: no such task, or it exists but never recorded
    (still to begin, or cancelled before it began). None for other questions."""
    if not answer.filters.task_ids or answer.verdict.count:
        return None
    gone = not_found(answer)
    if gone is not None:
        return gone[0].lower() + gone[1:]
    for task in answer.result.tasks:
        if was_armed(task, answer.now):
            continue
        label = f"task {name(short_id(task.task_id))}"
        if answer.status_of(task) is Status.SCHEDULED:
            return f"{label} has not begun: it starts {fmt(task.start, True)}"
        return f"{label} was cancelled before it began"
    return None
