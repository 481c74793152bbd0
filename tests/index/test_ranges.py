"""The synced-range arithmetic: newest sync wins, coverage has no gaps, gaps are named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.index.ranges import Synced, covering, gaps, overlay, windows_for

T0 = datetime(2026, 7, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def piece(start: float, end: float, synced: float) -> Synced:
    return Synced(at(start), at(end), at(synced))


@pytest.mark.parametrize(
    ("before", "new", "after"),
    [
        ([], piece(0, 10, 1), [piece(0, 10, 1)]),
        ([piece(0, 10, 1)], piece(4, 6, 2), [piece(0, 4, 1), piece(4, 6, 2), piece(6, 10, 1)]),
        ([piece(0, 10, 3)], piece(4, 6, 2), [piece(0, 10, 3)]),  # an older listing loses
        ([piece(0, 4, 1)], piece(6, 8, 1), [piece(0, 4, 1), piece(6, 8, 1)]),  # gap kept
        ([piece(0, 4, 2)], piece(4, 8, 2), [piece(0, 8, 2)]),  # equal neighbours merge
        (
            [piece(0, 4, 1), piece(4, 8, 3)],
            piece(2, 6, 2),
            [piece(0, 2, 1), piece(2, 4, 2), piece(4, 8, 3)],
        ),
    ],
)
def test_overlay_keeps_the_newest_sync_of_every_instant(
    before: list[Synced], new: Synced, after: list[Synced]
) -> None:
    assert overlay(before, new) == after


def test_covering_needs_every_instant() -> None:
    pieces = [piece(0, 4, 1), piece(4, 8, 2), piece(9, 12, 1)]
    assert covering(pieces, at(1), at(7)) == [piece(0, 4, 1), piece(4, 8, 2)]
    assert covering(pieces, at(1), at(10)) is None
    assert covering([], at(1), at(2)) is None


def test_gaps_name_what_is_missing_in_order() -> None:
    pieces = [piece(2, 4, 1), piece(6, 8, 1)]
    assert gaps(pieces, at(0), at(10)) == [(at(0), at(2)), (at(4), at(6)), (at(8), at(10))]
    assert gaps(pieces, at(2), at(4)) == []


def test_windows_list_each_start_whole_within_a_week() -> None:
    spans = windows_for(at(0), at(24 * 13))
    assert all(end - start <= 7 * 86400 for start, end in spans)
    # Every start in the range lies in some window whose end is a whole task later.
    starts = [int(at(h).timestamp()) for h in range(0, 24 * 13, 5)]
    assert all(any(a <= s and s + 86400 <= b for a, b in spans) for s in starts)
