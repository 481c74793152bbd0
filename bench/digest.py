"""Digest figures: 1,000 subscriptions over 50 distinct requests, all due in one minute.

One scheduler posts the slot through the real wire: the CSS simulator (20 requests/s) via
the SDK, the Slack stand-in via slack-sdk, the store on a SQLite file (or PostgreSQL with
`--postgres`). Reported: time to post all, API calls against what the 50 requests need on
their own, the most posts to one channel within any second, DB round trips per digest.

    .venv/bin/python bench/digest.py [--postgres]
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.css.cache import MemoryCache  # noqa: E402
from bot.css.client import open_source  # noqa: E402
from bot.css.simulator import Simulator  # noqa: E402
from bot.db.database import RoundTrips, migrate, open_engine  # noqa: E402
from bot.digest.content import DigestQuery, compose_digest  # noqa: E402
from bot.digest.delivery import DigestPoster, LocalChannelPacer  # noqa: E402
from bot.digest.message import DigestMark  # noqa: E402
from bot.digest.schedule import Kind, Schedule  # noqa: E402
from bot.digest.scheduler import DigestScheduler  # noqa: E402
from bot.digest.store import DigestStore, NewSubscription, PostState  # noqa: E402
from bot.render.message import SlackMessage  # noqa: E402
from bot.tasks import RecordTask  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402

SUBSCRIPTIONS = 1000
REQUESTS = 50
PER_CHANNEL = 5  # so 200 channels, each getting 5 digests paced at ~1 a second
DOMAIN = "5000.live.push.example.com"


def tasks(now: datetime) -> list[RecordTask]:
    """Four 2-hour tasks a day for each of the 50 streams, 10 days back and 2 ahead."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=10)
    made = []
    for s in range(REQUESTS):
        for k in range(12 * 4):
            begin = start + timedelta(hours=6 * k, minutes=s)
            stopped = begin + timedelta(minutes=30) if k % 7 == 0 else None
            made.append(
                RecordTask(
                    f"task-{s:02d}-{k:03d}",
                    DOMAIN,
                    "live",
                    f"s{s:02d}",
                    begin,
                    begin + timedelta(hours=2),
                    0,
                    stopped,
                )
            )
    return made


class TimedPoster(DigestPoster):
    """Records when each post was sent, per channel (the stand-in records no times)."""

    def __init__(self, client: WebClient) -> None:
        super().__init__(client, LocalChannelPacer())
        self.sent: dict[str, list[float]] = defaultdict(list)

    def post(self, channel: str, message: SlackMessage, mark: DigestMark) -> str:
        self.sent[channel].append(time.monotonic())
        return super().post(channel, message, mark)


def min_gap(sent: dict[str, list[float]]) -> float:
    gaps = [b - a for times in sent.values() for a, b in itertools.pairwise(sorted(times))]
    return min(gaps) if gaps else 0.0


def peak_per_channel_second(sent: dict[str, list[float]]) -> int:
    peak = 0
    for times in sent.values():
        stamps = sorted(times)
        peak = max(peak, *(bisect_left(stamps, s + 1.0) - i for i, s in enumerate(stamps)))
    return peak


def measure(database_url: str | None = None) -> dict[str, float]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    slot = now - timedelta(seconds=30)  # due half a minute ago, the tick is now
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        url = database_url or f"sqlite:///{tmp}/digests.sqlite3"
        sim = stack.enter_context(Simulator(tasks(now), rate_limit=20.0))
        slack = stack.enter_context(SlackStandIn())
        settings = Settings()
        # What the 50 distinct requests need on their own, each asked once (a fresh cache).
        alone = stack.enter_context(open_source(settings, simulator=sim, cache=MemoryCache()))
        for r in range(REQUESTS):
            compose_digest(
                DigestQuery(Kind.DAILY, f"stream:s{r:02d}", "Europe/Berlin"), slot, now, alone
            )
        needed = sim.request_log.calls
        sim.request_log.clear()

        trips = RoundTrips()
        engine = open_engine(url, trips)
        migrate(engine)
        store = DigestStore(engine)
        local = slot.astimezone(Schedule(Kind.DAILY, slot.time(), "Europe/Berlin").zone)
        schedule = Schedule(Kind.DAILY, local.time(), "Europe/Berlin")
        for i in range(SUBSCRIPTIONS):
            store.add_subscription(
                NewSubscription(
                    "T1", f"C{i // PER_CHANNEL:04d}", "U1", schedule, f"stream:s{i % REQUESTS:02d}"
                ),
                slot - timedelta(days=1),
            )
        source = stack.enter_context(open_source(settings, simulator=sim, cache=MemoryCache()))
        poster = TimedPoster(WebClient(token="xoxb-bench", base_url=slack.base_url))
        scheduler = DigestScheduler(store, source, poster, clock=lambda: datetime.now(UTC))
        trips.count = 0
        started = time.monotonic()
        report = scheduler.tick(datetime.now(UTC))
        elapsed = time.monotonic() - started
        round_trips = trips.count
        scheduler.stop()
        posted = Counter(
            (c.params["metadata"]["event_payload"]["subscription_id"])
            for c in slack.ok_calls("chat.postMessage")
        )
        states = Counter(p.state for p in store.posts_since(slot - timedelta(hours=1)))
        engine.dispose()
        return {
            "elapsed_s": elapsed,
            "posted": float(report.posted),
            "distinct": float(len(posted)),
            "doubles": float(sum(1 for n in posted.values() if n > 1)),
            "recorded": float(states[PostState.POSTED]),
            "api_calls": float(sim.request_log.calls),
            "needed": float(needed),
            "composed": float(report.composed),
            "peak_per_channel": float(peak_per_channel_second(poster.sent)),
            "min_gap_s": min_gap(poster.sent),
            "round_trips": round_trips / SUBSCRIPTIONS,
        }


def run(database_url: str | None = None) -> list[tuple[str, str, str, bool]]:
    m = measure(database_url)
    once = m["distinct"] == SUBSCRIPTIONS and m["doubles"] == 0 and m["recorded"] == SUBSCRIPTIONS
    return [
        (
            "digest: 1,000 digests (50 requests) due in one minute, time to post all",
            "≤ 120 s",
            f"{m['elapsed_s']:.1f} s",
            m["elapsed_s"] <= 120,
        ),
        (
            "digest: posted exactly once and recorded",
            "1000 / 1000",
            f"{m['distinct']:.0f} / {m['recorded']:.0f}, {m['doubles']:.0f} doubled",
            once,
        ),
        (
            "digest: CSS API calls for the slot",
            f"≤ {m['needed']:.0f} (the 50 requests alone)",
            f"{m['api_calls']:.0f} ({m['composed']:.0f} digests composed)",
            m["api_calls"] <= m["needed"],
        ),
        (
            "digest: posts to one channel within any second",
            "≤ 1 (Slack: ~1 msg/s/channel)",
            f"{m['peak_per_channel']:.0f} (closest two: {m['min_gap_s']:.2f} s apart)",
            m["peak_per_channel"] <= 1,
        ),
        (
            "digest: DB round trips per digest",
            "≤ 3",
            f"{m['round_trips']:.2f}",
            m["round_trips"] <= 3,
        ),
    ]


if __name__ == "__main__":
    url = "postgresql://postgres@127.0.0.1:5432/test" if "--postgres" in sys.argv else None
    if url is not None:
        from tests.support.pg import fresh_postgres_url

        with fresh_postgres_url() as fresh:
            rows = run(fresh)
    else:
        rows = run()
    from run import report  # bench/run.py, beside this file

    raise SystemExit(report(rows))
