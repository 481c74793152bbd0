"""Findings (docs/requests.md) as tables: early stops, double recording, gaps, ending soon,
stats."""

from __future__ import annotations

from datetime import date

import pytest

from bot.findings import (
    FindingKind,
    StreamKey,
    ending_soon,
    find,
    gaps,
    overlaps,
    stats,
    stopped_early,
)
from bot.tasks import RecordTask, Status
from tests.support.factory import NOW, TOKYO, at, task


def ids(findings: tuple[object, ...]) -> list[tuple[str, ...]]:
    return [f.task_ids for f in findings]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ([task("a", at(-3))], []),
        ([task("a", at(-3), stopped=at(-2))], [("a",)]),
        # stopped before it began: the whole task is lost
        ([task("a", at(5), stopped=at(1))], [("a",)]),
        # a stop at (or after) the scheduled end cut nothing off
        ([task("a", at(-3), 2, stopped=at(-1))], []),
        ([task("b", at(-1), stopped=at(0)), task("a", at(-5), stopped=at(-4))], [("a",), ("b",)]),
    ],
)
def test_stopped_early(tasks: list[RecordTask], expected: list[tuple[str, ...]]) -> None:
    assert ids(stopped_early(tasks)) == expected


def test_stopped_early_interval_is_the_part_cut_off() -> None:
    (finding,) = stopped_early([task("a", at(-3), 2, stopped=at(-2.5))])
    assert (finding.start, finding.end, finding.at) == (at(-2.5), at(-1), at(-2.5))
    (cancelled,) = stopped_early([task("b", at(2), 2, stopped=at(1))])
    assert (cancelled.start, cancelled.end, cancelled.at) == (at(2), at(4), at(1))


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ([task("a", at(0)), task("b", at(2))], []),  # back to back is not double
        ([task("a", at(0)), task("b", at(1))], [("a", "b")]),
        (
            [task("a", at(0), 5), task("b", at(1)), task("c", at(2))],
            [("a", "b"), ("a", "c"), ("b", "c")],
        ),
        ([task("a", at(0)), task("b", at(1), stream="other")], []),  # other stream
        ([task("a", at(0)), task("b", at(1), domain="b.push.example.com")], []),  # other domain
        # a stop ends the double recording; a cancelled task never records at all
        ([task("a", at(0), stopped=at(0.5)), task("b", at(1))], []),
        ([task("a", at(0), stopped=at(-1)), task("b", at(1))], []),
    ],
)
def test_overlaps(tasks: list[RecordTask], expected: list[tuple[str, ...]]) -> None:
    assert ids(overlaps(tasks)) == expected


def test_overlap_interval_is_the_doubly_recorded_part() -> None:
    (finding,) = overlaps([task("a", at(0), 3), task("b", at(1), 1)])
    assert (finding.kind, finding.start, finding.end) == (FindingKind.OVERLAP, at(1), at(2))
    assert finding.stream == StreamKey("livetest", "live", "a.push.example.com")


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ([task("a", at(0)), task("b", at(2))], []),
        ([task("a", at(0)), task("b", at(2.25))], [("a", "b")]),
        ([task("a", at(0)), task("b", at(3.5))], []),  # a long pause is a schedule, not a gap
        ([task("b", at(2.5)), task("a", at(0))], [("a", "b")]),  # order of input is irrelevant
        # the early stop opens the hole
        ([task("a", at(0), stopped=at(1.5)), task("b", at(2))], [("a", "b")]),
        # a long task covering a short one: the hole is measured from the latest end
        ([task("a", at(0), 5), task("b", at(1)), task("c", at(5.5))], [("a", "c")]),
        ([task("a", at(0)), task("b", at(2.25), stream="other")], []),
    ],
)
def test_gaps(tasks: list[RecordTask], expected: list[tuple[str, ...]]) -> None:
    assert ids(gaps(tasks)) == expected


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ([task("a", at(-1), 1.5)], [("a",)]),
        ([task("a", at(-1), 2)], [("a",)]),  # ends exactly one hour from now
        ([task("a", at(-1), 2.1)], []),
        ([task("a", at(-2), 2)], []),  # already finished
        ([task("a", at(0.2), 0.5)], []),  # not started: scheduled, not recording
        ([task("a", at(-1), 1.5, stopped=at(-0.5))], []),
    ],
)
def test_ending_soon(tasks: list[RecordTask], expected: list[tuple[str, ...]]) -> None:
    assert ids(ending_soon(tasks, NOW)) == expected


def test_find_collects_every_kind() -> None:
    tasks = [
        task("stop", at(-6), stopped=at(-5)),
        task("o1", at(-3)),
        task("o2", at(-2)),
        task("g1", at(-10), stream="gappy"),
        task("g2", at(-7.75), stream="gappy"),
        task("soon", at(-0.5), 1, stream="short"),
    ]
    findings = find(tasks, NOW)
    assert [f.kind for f in findings.all()] == [
        FindingKind.STOPPED_EARLY,
        FindingKind.OVERLAP,
        FindingKind.GAP,
        FindingKind.ENDING_SOON,
    ]
    assert len(findings) == 4


def test_stats_counts_by_status_stream_template_and_local_day() -> None:
    tasks = [
        task("a", at(-20), template=3),
        task("b", at(-3), stream="cam1"),
        task("c", at(5), stream="cam1", template=3),
        task("d", at(-1), stopped=at(-0.5)),
        task("e", at(-0.5)),
    ]
    s = stats(tasks, NOW, TOKYO)
    assert s.total == 5
    assert dict(s.by_status) == {
        Status.FINISHED: 2,
        Status.SCHEDULED: 1,
        Status.STOPPED: 1,
        Status.RUNNING: 1,
    }
    assert s.by_stream == (("livetest", 3), ("cam1", 2))
    assert s.by_template == ((0, 3), (3, 2))
    # at(-20) is Jul 26 23:00 in Tokyo and at(5) Jul 28 00:00: days are the asker's
    assert s.by_day == ((date(2026, 7, 26), 1), (date(2026, 7, 27), 3), (date(2026, 7, 28), 1))


def test_overlaps_stay_fast_on_many_tasks() -> None:
    many = [task(f"t{i}", at(i * 2), 1, stream=f"s{i % 50}") for i in range(5000)]
    assert overlaps(many) == ()
    assert len(gaps(many)) == 0
