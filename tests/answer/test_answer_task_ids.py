"""Questions about pasted TaskIds through the one pipeline and both renderers: the window
(everything the API keeps, unless a time is given), the yes/no verdict on that task, and
plain answers for a TaskId nobody knows (docs/requests.md)."""

from __future__ import annotations

from datetime import timedelta

from bot.answer import Answer, AnswerContext, answer
from bot.filters import Filters
from bot.plan import oldest_allowed
from bot.render import check_message, render_answer
from bot.render.text import header_lines
from bot.request import parse_request
from bot.tasks import RecordTask
from tests.support.factory import NOW, TOKYO, ListSource, at, task

ID_OLD = "+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs="
ID_SOON = "7b+IRl8Dre0pqxTCVufYUFZ5GjhDIMQ0lWhy1yyIa8uPrhZmAtIcwQ=="
ID_CANCELLED = "pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg"
UNKNOWN = "7ui5mX9cfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1"
TASKS = [
    task(ID_OLD, at(-24 * 80), stream="cam1"),  # finished 80 days ago
    task(ID_SOON, at(24 * 6), stream="cam2"),  # scheduled in 6 days
    task(ID_CANCELLED, at(-5), stream="cam1", stopped=at(-30)),  # stopped before it began
    task("cam1-recent-" + "x" * 40, at(-3), stream="cam1"),
]


def ask(text: str, *, scope: Filters | None = None, tasks: list[RecordTask] = TASKS) -> Answer:
    source = ListSource(tasks)
    return answer(parse_request(text, NOW, TOKYO), AnswerContext(NOW, TOKYO, source, scope))


def said(result: Answer) -> tuple[str, str]:
    """(the Slack message's text, the terminal's header), every Slack limit checked."""
    message = render_answer(result)
    assert check_message(message) == []
    return str(message.blocks), "\n".join(header_lines(result))


def test_without_a_time_a_task_id_is_looked_for_in_everything_the_api_keeps() -> None:
    result = ask(f"did {ID_OLD} record?")
    assert [t.task_id for t in result.tasks] == [ID_OLD]
    assert result.plan.start == oldest_allowed(NOW)
    assert result.plan.end == NOW + timedelta(days=7)
    assert result.plan.notes == ()  # nothing clipped: the range is the API's own
    assert result.window.description.startswith("the last 90 days and the next 7, ")
    assert result.verdict.yes
    slack, terminal = said(result)
    assert "*Yes* — 1 task for TaskId `…" + ID_OLD[-8:] + "`" in slack
    assert f"task `{ID_OLD}`" in slack  # the Understood line shows the whole TaskId
    assert terminal.startswith(f"Yes — 1 task for TaskId …{ID_OLD[-8:]}, the last 90 days")
    assert f"task {ID_OLD}" in terminal


def test_a_task_id_nobody_knows_is_answered_plainly() -> None:
    result = ask(f"did {UNKNOWN} record?")
    assert result.tasks == ()
    assert result.missing_task_ids == (UNKNOWN,)
    slack, terminal = said(result)
    assert "*No* — no task with that TaskId in the last 90 days or the next 7." in slack
    assert "No task with that TaskId in the last 90 days or the next 7." in slack
    assert "No recording tasks match" not in slack
    assert terminal.splitlines()[0] == (
        "No — no task with that TaskId in the last 90 days or the next 7."
    )
    assert (
        terminal.splitlines()[-1] == "No task with that TaskId in the last 90 days or the next 7."
    )


def test_with_a_time_the_window_applies_and_the_answer_says_where_it_looked() -> None:
    result = ask(f"did {ID_OLD} record yesterday?")
    assert result.tasks == ()
    assert (result.plan.end - result.plan.start) == timedelta(days=1)
    slack, _ = said(result)
    assert (
        "*No* — no task with that TaskId overlapping yesterday (without a time, recbot looks "
        "90 days back and 7 ahead)." in slack
    )


def test_a_scheduled_task_did_not_record_yet_and_says_when_it_starts() -> None:
    result = ask(f"did {ID_SOON} record?")
    assert [t.task_id for t in result.tasks] == [ID_SOON]
    assert not result.verdict.yes
    _, terminal = said(result)
    start = (NOW + timedelta(days=6)).astimezone(TOKYO)
    assert terminal.splitlines()[0] == (
        f"No — task …{ID_SOON[-8:]} has not begun: it starts {start:%b} {start.day} {start:%H:%M}."
    )
    # Asked what is scheduled, what is to come counts.
    assert ask(f"is {ID_SOON} scheduled?").verdict.yes


def test_a_task_cancelled_before_it_began_never_recorded() -> None:
    result = ask(f"did {ID_CANCELLED} record?")
    slack, _ = said(result)
    assert f"*No* — task `…{ID_CANCELLED[-8:]}` was cancelled before it began." in slack


def test_of_several_task_ids_the_missing_ones_are_named() -> None:
    result = ask(f"task:{ID_OLD},{UNKNOWN}")
    assert [t.task_id for t in result.tasks] == [ID_OLD]
    assert result.missing_task_ids == (UNKNOWN,)
    slack, terminal = said(result)
    assert f"_No task with TaskId `…{UNKNOWN[-8:]}` in the last 90 days or the next 7_" in slack
    assert f"No task with TaskId …{UNKNOWN[-8:]} in the last 90 days or the next 7" in terminal


def test_a_task_outside_the_channels_scope_is_not_found_and_not_hinted_at() -> None:
    scope = Filters(domains=("other.push.example.com",))
    result = ask(f"did {ID_OLD} record?", scope=scope)
    assert result.tasks == ()
    assert result.filters == Filters(domains=("other.push.example.com",), task_ids=(ID_OLD,))
    slack, _ = said(result)
    assert "no task with that TaskId" in slack
    assert "cam1" not in slack


def test_a_stream_with_the_task_id_narrows_further() -> None:
    assert ask(f"cam1 {ID_OLD}").tasks[0].task_id == ID_OLD
    assert ask(f"cam2 {ID_OLD}").tasks == ()
