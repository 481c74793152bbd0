"""The one pipeline: window choice, scope narrowing, status filter, order, counts of the full
result. The source is our own TaskSource protocol served from a list (pure core)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.answer import AnswerContext, answer, window_for
from bot.errors import AccessDenied, ParseError
from bot.filters import Filters
from bot.request import Request, StatusFilter, parse_request
from bot.source import FetchResult
from bot.tasks import Status
from bot.timephrase import DateOrder
from bot.timephrase.window import Window
from tests.support.factory import NOW, TOKYO, ListSource, at, make_answer, request, task


def test_no_phrase_means_now_plus_minus_a_day() -> None:
    result = make_answer([task("old", at(-30)), task("in", at(-23)), task("late", at(23.5))])
    assert (result.plan.start, result.plan.end) == (at(-24), at(24))
    assert result.window.description.startswith("now ± 24 h, Jul 26 19:00 → Jul 28 19:00 JST")
    assert {t.task_id for t in result.tasks} == {"in", "late"}


def test_scheduled_without_phrase_means_the_next_seven_days() -> None:
    tasks = [task("soon", at(1)), task("week", at(24 * 6.9)), task("past", at(-5))]
    result = make_answer(tasks, request(status=StatusFilter.SCHEDULED))
    assert (result.plan.start, result.plan.end) == (NOW, at(24 * 7))
    assert [t.task_id for t in result.tasks] == ["week", "soon"]
    assert result.window.description.startswith("next 7 days")


def test_phrase_goes_to_the_time_engine_in_the_askers_zone() -> None:
    # NOW is Jul 27 19:00 in Tokyo: yesterday is Jul 26 00:00-24:00 JST = Jul 25 15:00 UTC ...
    start = datetime(2026, 7, 25, 15, tzinfo=NOW.tzinfo)
    tasks = [
        task("crossing-midnight", start - timedelta(hours=1), 2),
        task("inside", start + timedelta(hours=5)),
        task("day-before", start - timedelta(hours=3), 2),
        task("touching-end", start + timedelta(hours=24), 1),
    ]
    result = make_answer(tasks, parse_request("yesterday", NOW, TOKYO))
    assert (result.plan.start, result.plan.end) == (start, start + timedelta(hours=24))
    assert {t.task_id for t in result.tasks} == {"crossing-midnight", "inside"}


def test_unreadable_phrase_queries_nothing() -> None:
    source = ListSource([task("a", at(-1))])
    unread = Request(raw="next blursday", phrase="next blursday")
    with pytest.raises(ParseError, match="blursday"):
        answer(unread, AnswerContext(NOW, TOKYO, source))
    assert source.calls == []


def test_an_unread_phrase_is_read_in_the_workspace_date_order() -> None:
    """RECBOT_DATE_ORDER=DMY reaches the fallback read of a phrase (window_for): "3/8/2026"
    is 3 August, not 8 March, and says so."""
    unread = Request(raw="3/8/2026", phrase="3/8/2026")
    result = answer(unread, AnswerContext(NOW, TOKYO, ListSource([]), date_order=DateOrder.DMY))
    assert result.window.start == datetime(2026, 8, 3, tzinfo=TOKYO)
    assert result.window.description.endswith("dates read day/month")
    assert window_for(unread, NOW, TOKYO, DateOrder.DMY).start == datetime(2026, 8, 3, tzinfo=TOKYO)
    assert window_for(unread, NOW, TOKYO).start == datetime(2026, 3, 8, tzinfo=TOKYO)


def test_status_filter_keeps_counts_of_the_full_result() -> None:
    tasks = [
        task("run", at(-1)),
        task("fin", at(-5)),
        task("stop", at(-5), stopped=at(-4.5)),
        task("sched", at(3)),
    ]
    result = make_answer(tasks, request(status=StatusFilter.RUNNING))
    assert [t.task_id for t in result.tasks] == ["run"]
    assert dict(result.counts) == {
        Status.RUNNING: 1,
        Status.FINISHED: 1,
        Status.STOPPED: 1,
        Status.SCHEDULED: 1,
    }
    assert len(result.result.tasks) == 4
    assert result.status_of(tasks[2]) is Status.STOPPED


def test_tasks_are_grouped_by_stream_newest_first() -> None:
    tasks = [
        task("b-old", at(-10), stream="b"),
        task("a-old", at(-10), stream="a"),
        task("b-new", at(-2), stream="b"),
        task("a-new", at(-3), stream="a"),
    ]
    result = make_answer(tasks)
    assert [t.task_id for t in result.tasks] == ["a-new", "a-old", "b-new", "b-old"]


def test_scope_fills_open_filters_and_refuses_wider_ones() -> None:
    scope = Filters(domains=("a.push.example.com",))
    tasks = [task("mine", at(-1)), task("theirs", at(-1), domain="b.push.example.com")]
    result = make_answer(tasks, scope=scope)
    assert result.filters == scope
    assert [t.task_id for t in result.tasks] == ["mine"]
    with pytest.raises(AccessDenied):
        make_answer(tasks, parse_request("domain:b.push.example.com", NOW, TOKYO), scope=scope)


class LeakySource(ListSource):
    """A source that ignores filters: the answer must still keep to them."""

    def fetch_tasks(self, window: Window, filters: Filters, now: datetime) -> FetchResult:
        return super().fetch_tasks(window, Filters(), now)


def test_answer_rechecks_filters_and_window_of_what_the_source_returns() -> None:
    source = LeakySource([task("mine", at(-1)), task("other", at(-1), stream="other")])
    req = Request(raw="livetest", filters=Filters(streams=("livetest",)))
    result = answer(req, AnswerContext(NOW, TOKYO, source))
    assert [t.task_id for t in result.result.tasks] == ["mine"]
    assert [t.task_id for t in result.tasks] == ["mine"]


def test_findings_are_about_listed_tasks_but_see_the_full_result() -> None:
    # N14: an overlap of two unlisted tasks is not shown; one with a listed task is, though
    # the other task of the pair is not listed.
    tasks = [
        task("o1", at(-3)),
        task("o2", at(-2)),
        task("stop", at(-9), 4, stopped=at(-6.5)),
        task("under-stop", at(-8)),
    ]
    result = make_answer(tasks, request(status=StatusFilter.STOPPED))
    assert [t.task_id for t in result.tasks] == ["stop"]
    assert [f.task_ids for f in result.findings.overlaps] == [("stop", "under-stop")]
    assert [f.task_ids for f in result.findings.stopped_early] == [("stop",)]
    everything = make_answer(tasks)
    assert [f.task_ids for f in everything.findings.overlaps] == [
        ("stop", "under-stop"),
        ("o1", "o2"),
    ]


def test_clipping_is_said_in_the_first_line() -> None:
    from bot.render import check_message, render_answer

    result = make_answer([task("a", at(-1))], parse_request("last 120 days", NOW, TOKYO))
    assert result.plan.notes
    msg = render_answer(result)
    assert check_message(msg) == []
    first = msg.blocks[0]["text"]["text"]
    assert "_Only the last 90 days are kept: showing from " in first
