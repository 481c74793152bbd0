"""Long live questions report their progress to their asker (and sync listings to nobody);
`Throttled` shows nothing for a quick question and then at most every few seconds."""

from __future__ import annotations

from datetime import timedelta

from bot.css.progress import QueryProgress, Throttled, reporting, span_label
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.plan import ApiWindow
from tests.support.css import NOW, SourceFactory, days


def test_a_question_reports_every_page_to_its_asker(
    sim: Simulator, make_source: SourceFactory
) -> None:
    source = make_source(sim)
    seen: list[QueryProgress] = []
    with reporting(seen.append):
        result = source.fetch_tasks(days(-89, 0), Filters(), NOW)
    assert seen
    assert [p.calls_done for p in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].calls_done == result.stats.pages
    assert seen[-1].calls_known == result.stats.api_calls
    assert seen[-1].label == "13 weeks"
    assert seen[-1].text().startswith("Looking through 13 weeks… (")


def test_sync_listings_and_unobserved_questions_report_nothing(
    sim: Simulator, make_source: SourceFactory
) -> None:
    source = make_source(sim)
    seen: list[QueryProgress] = []
    source.fetch_tasks(days(-3, 0), Filters(), NOW)  # nobody listening: fine
    with reporting(seen.append):
        start = int((NOW - timedelta(days=5)).timestamp())
        source.list_windows([ApiWindow(start, start + 86400)], {})
    assert seen == []


def progress(elapsed: float, known: int, rate: float = 20.0) -> QueryProgress:
    return QueryProgress("13 weeks", 1, known, elapsed, rate)


def test_throttled_waits_for_a_long_question_then_updates_every_five_seconds() -> None:
    clock = [0.0]
    shown: list[float] = []
    throttled = Throttled(lambda p: shown.append(clock[0]), every_s=5.0, clock=lambda: clock[0])
    throttled(progress(0.1, 20))  # 1 s of calls: not worth a message
    assert not throttled.shown
    for second in range(12):
        clock[0] = float(second)
        throttled(progress(second, 541))  # 27 s of calls
    assert shown == [0.0, 5.0, 10.0]


def test_span_labels() -> None:
    assert span_label(90 * 86400) == "13 weeks"
    assert span_label(3 * 86400) == "3 days"
    assert span_label(5 * 3600) == "5 hours"
