"""Digest content over the CSS simulator with known tasks: what a daily and a weekly digest
contain, that one fetch serves it, and that the message stays within Slack's limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.digest.content import DigestQuery, compose_digest, digest_period
from bot.digest.schedule import Kind
from bot.errors import AccessDenied
from bot.filters import Filters
from bot.render.digest_message import render_digest
from bot.render.limits import check_message
from bot.tasks import RecordTask

BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 2026-07-02 09:00 Berlin (07:00 UTC): the slot; the digest is made a minute later.
SLOT = datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
NOW = SLOT + timedelta(minutes=1)
DOMAIN = "5000.live.push.example.com"


def task(
    tid: str,
    stream: str,
    start: datetime,
    hours: float,
    *,
    stopped: datetime | None = None,
    domain: str = DOMAIN,
) -> RecordTask:
    return RecordTask(
        tid, domain, "live", stream, start, start + timedelta(hours=hours), 0, stopped
    )


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 7, day, hour, tzinfo=BERLIN).astimezone(UTC)


TASKS = [
    task("fin-yesterday", "livetest", local(1, 10), 2),
    task("stopped-yesterday", "livetest", local(1, 14), 4, stopped=local(1, 15)),
    task("overlap-a", "cam1", local(1, 8), 3),
    task("overlap-b", "cam1", local(1, 10), 3),
    task("day-before", "cam1", local(1, 0) - timedelta(hours=22), 1),
    task("today-later", "livetest", local(2, 20), 1),
    task("tomorrow", "livetest", local(3, 10), 1),
    task("hostile", "<!channel>", local(1, 12), 1),
    task("elsewhere", "secret", local(1, 12), 1, domain="other.push.example"),
]


@pytest.fixture
def known_source() -> Iterator[tuple[CssSource, Simulator]]:
    with Simulator(TASKS, now=NOW) as sim, open_source(Settings(), simulator=sim) as src:
        yield src, sim


def test_daily_digest_covers_yesterday_and_todays_schedule(
    known_source: tuple[CssSource, Simulator],
) -> None:
    source, sim = known_source
    query = DigestQuery(Kind.DAILY, "", "Europe/Berlin", Filters(domains=(DOMAIN,)))
    digest = compose_digest(query, SLOT, NOW, source)
    assert {t.task_id for t in digest.done} == {
        "fin-yesterday",
        "stopped-yesterday",
        "overlap-a",
        "overlap-b",
        "hostile",
    }
    assert [t.task_id for t in digest.upcoming] == ["today-later"]
    assert len(digest.findings.overlaps) == 1
    assert len(digest.findings.stopped_early) == 1
    assert digest.stats.api_calls == sim.request_log.calls
    assert sim.request_log.calls == 1  # a 4-day window with 9 tasks: one page
    message = render_digest(digest)
    assert check_message(message) == []
    text = str(message.blocks)
    assert "<!channel>" not in text
    assert "&lt;!channel&gt;" in text
    assert "secret" not in text
    assert message.blocks[0]["text"]["text"].startswith("Daily digest: Wed Jul 1")


def test_weekly_digest_counts_per_stream(known_source: tuple[CssSource, Simulator]) -> None:
    source, _ = known_source
    digest = compose_digest(DigestQuery(Kind.WEEKLY, "", "Europe/Berlin"), SLOT, NOW, source)
    counts = {r.stream.stream: (r.finished, r.stopped) for r in digest.per_stream}
    assert counts == {"cam1": (3, 0), "livetest": (1, 1), "<!channel>": (1, 0), "secret": (1, 0)}
    assert digest.upcoming == ()
    message = render_digest(digest, late_by=timedelta(hours=2))
    assert check_message(message) == []
    assert message.blocks[0]["text"]["text"].endswith("· late")
    assert "Posted late" in str(message.blocks)


def test_scope_is_enforced_on_digests(known_source: tuple[CssSource, Simulator]) -> None:
    source, _ = known_source
    scoped = Filters(domains=(DOMAIN,))
    with pytest.raises(AccessDenied):
        compose_digest(
            DigestQuery(Kind.DAILY, "domain:other.push.example", "UTC", scoped), SLOT, NOW, source
        )


def test_periods_are_local_days_across_dst() -> None:
    ny = ZoneInfo("America/New_York")
    # The daily digest on the spring-forward day covers the 24 h Saturday.
    start, end = digest_period(Kind.DAILY, datetime(2026, 3, 8, 7, 0, tzinfo=UTC), ny)
    assert (start.astimezone(ny).isoformat(), end - start) == (
        "2026-03-07T00:00:00-05:00",
        timedelta(hours=24),
    )
    # The one after it covers the 23 h Sunday.
    start, end = digest_period(Kind.DAILY, datetime(2026, 3, 9, 13, 0, tzinfo=UTC), ny)
    assert end - start == timedelta(hours=23)
    start, end = digest_period(
        Kind.WEEKLY, datetime(2026, 3, 9, 3, 15, tzinfo=UTC), ZoneInfo("Asia/Kathmandu")
    )
    kathmandu = ZoneInfo("Asia/Kathmandu")
    assert (start.astimezone(kathmandu).isoformat(), end.astimezone(kathmandu).isoformat()) == (
        "2026-03-02T00:00:00+05:45",
        "2026-03-09T00:00:00+05:45",
    )


def test_a_long_digest_stays_within_slacks_limits() -> None:
    many = [
        task(
            f"t{i:04d}",
            f"s{i % 60}",
            local(1, 0) + timedelta(minutes=7 * i),
            0.5,
            stopped=local(1, 0) + timedelta(minutes=7 * i + 5) if i % 3 == 0 else None,
        )
        for i in range(180)
    ]
    with Simulator(many, now=NOW) as sim, open_source(Settings(), simulator=sim) as src:
        for kind in (Kind.DAILY, Kind.WEEKLY):
            digest = compose_digest(DigestQuery(kind, "", "Europe/Berlin"), SLOT, NOW, src)
            message = render_digest(digest)
            assert check_message(message) == []
            assert "more (ask" in str(message.blocks)  # cut, and said so
