"""Evidence figures: CSS callbacks into a real `recbot serve`, alerts out to Slack, and what
evidence costs `recbot ask`.

1. Throughput: signed callbacks POSTed at 1,000/s (open loop, 32 keep-alive connections, an
   asyncio client: `tests/support/http_load.py`) to one `recbot serve` (waitress) on a SQLite file;
   p99 answer time counted from when each callback was due, and none lost (every one
   answered 200 and stored). The client's own ceiling is measured first against a server
   that answers at once, so a slow client cannot pass for a slow server. The run lasts the
   issue's 30 s; `BENCH_CALLBACK_SECONDS=10` shortens it on a shared machine.
2. Alert latency: a failure callback → its alert at the Slack stand-in (chat.postMessage).
3. `recbot ask` over a day with 10,000 stored events, against the same answer without.

    .venv/bin/python bench/evidence.py
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alerts.rules import Level  # noqa: E402
from bot.alerts.store import AlertStore  # noqa: E402
from bot.answer import AnswerContext, answer  # noqa: E402
from bot.css.simulator import Simulator  # noqa: E402
from bot.db.database import migrate, open_engine  # noqa: E402
from bot.evidence.events import RecordEvent, RecordingEvent  # noqa: E402
from bot.evidence.payload import callback_bytes  # noqa: E402
from bot.evidence.simulate import task_events  # noqa: E402
from bot.evidence.store import EvidenceStore  # noqa: E402
from bot.render.blocks import render_answer  # noqa: E402
from bot.request import parse_request  # noqa: E402
from bot.tasks import RecordTask  # noqa: E402
from tests.support.factory import ListSource  # noqa: E402
from tests.support.http_load import Load, capacity, offer  # noqa: E402
from tests.support.served import serve_env  # noqa: E402
from tests.support.serving import ServedBot  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402

KEY = "benchKey123"
RATE = 1000
CONNECTIONS = 32


def _file_event(i: int, now: datetime) -> RecordingEvent:
    base = task_events(_task(i % 50, now - timedelta(hours=3)), now, 0.0)
    event = next(e for e in base if e.file is not None)
    assert event.file is not None
    file = type(event.file)(**{**event.file.__dict__, "file_id": f"bench_{i:08d}"})
    return type(event)(**{**event.__dict__, "key": f"100:bench_{i:08d}", "file": file})


def _task(n: int, start: datetime, stream: str | None = None) -> RecordTask:
    return RecordTask(
        f"bench-task-{n:04d}-{int(start.timestamp())}",
        "5000.live.push.example.com",
        "live",
        stream or f"s{n % 50:02d}",
        start,
        start + timedelta(hours=2),
        0,
        None,
    )


def measure_serve(seconds: float) -> dict[str, float]:
    now = datetime.now(UTC)
    t = int((now + timedelta(minutes=30)).timestamp())
    count = int(RATE * seconds)
    bodies = [callback_bytes(_file_event(i, now), KEY, t) for i in range(count)]
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack, Simulator(count=20) as sim:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        env = serve_env(slack, sim, url, Path(tmp), RECBOT_CSS_CALLBACK_KEY=KEY)
        env["RECBOT_LOG_LEVEL"] = "WARNING"
        bot = ServedBot(env, Path(tmp) / "serve.log").start()
        try:
            load = offer(bot.port, "/css/callbacks", bodies, RATE, CONNECTIONS)
            engine = open_engine(url)
            stored = EvidenceStore(engine).count()
            engine.dispose()
            alert = measure_alerts(bot, slack, url)
        finally:
            bot.stop()
    return {
        "sent": count,
        "ok": sum(1 for s in load.statuses if s == 200),
        "stored": stored,
        "p99_ms": load.quantile(0.99) * 1000,
        "p50_ms": load.quantile(0.5) * 1000,
        "rate": load.rate,
        "late": load.late,
        **alert,
    }


def measure_client(seconds: float) -> Load:
    """The load client's own ceiling: the same bodies offered at 5,000/s to a server that
    answers at once (`tests/support/http_load.py`); it must reach well over 1,000/s."""
    now = datetime.now(UTC)
    t = int((now + timedelta(minutes=30)).timestamp())
    count = int(5 * RATE * min(seconds, 2.0))
    return capacity([callback_bytes(_file_event(i, now), KEY, t) for i in range(count)])


def measure_alerts(
    bot: ServedBot, slack: SlackStandIn, url: str, count: int = 20
) -> dict[str, float]:
    """Each failure on its own stream, each stream's alert in its own channel (no pacing)."""
    engine = open_engine(url)
    migrate(engine)
    alerts = AlertStore(engine)
    now = datetime.now(UTC)
    for n in range(count):
        alerts.add(
            "T0RECBOT",
            f"CB{n:03d}",
            creator_id="U1",
            request_text=f"stream:alert{n:03d}",
            level=Level.FAILURES,
            tz="UTC",
            now=now - timedelta(seconds=5),
        )
    t = int((now + timedelta(minutes=30)).timestamp())
    latencies = []
    for n in range(count):
        task = _task(n, now - timedelta(minutes=5), stream=f"alert{n:03d}")
        event = RecordingEvent(
            key=f"332:alert{n}:record_start_failed:{int(task.start.timestamp())}",
            event_type=332,
            event=RecordEvent.START_FAILED,
            time=task.start,
            task_id=task.task_id,
            domain=task.domain,
            app=task.app,
            stream=task.stream,
        )
        conn = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=20)
        sent = time.monotonic()
        conn.request("POST", "/css/callbacks", callback_bytes(event, KEY, t))
        conn.getresponse().read()
        conn.close()
        [call] = slack.wait_for(
            "chat.postMessage",
            where=lambda c, key=event.key: (
                (c.params.get("metadata") or {}).get("event_payload", {}).get("event") == key
            ),
            timeout=30,
        )
        latencies.append(call.at - sent)
    engine.dispose()
    ordered = sorted(latencies)
    return {"alert_p99_s": ordered[int(0.99 * (len(ordered) - 1))], "alerts": len(ordered)}


def measure_ask(events: int = 10_000) -> dict[str, float]:
    """A day of 200 tasks (50 streams); 10,000 events for them in a SQLite store."""
    now = datetime(2026, 7, 27, 23, 59, tzinfo=UTC)
    day = now.replace(hour=0, minute=0)
    tasks = [_task(n, day + timedelta(hours=(n // 50) * 6)) for n in range(200)]
    per_task = events // len(tasks)
    made: list[RecordingEvent] = []
    for task in tasks:
        for k in range(per_task):
            at = task.start + timedelta(seconds=k * 7200 // per_task)
            made.append(
                RecordingEvent(
                    key=f"100:{task.task_id}:{k}",
                    event_type=100,
                    event=RecordEvent.FILE_WRITTEN,
                    time=at,
                    task_id=task.task_id,
                    domain=task.domain,
                    app=task.app,
                    stream=task.stream,
                    file=next(e.file for e in task_events(task, now, 0.0) if e.file),
                )
            )
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(f"sqlite:///{tmp}/ask.sqlite3")
        migrate(engine)
        store = EvidenceStore(engine)
        for start in range(0, len(made), 1000):
            store.add_many(made[start : start + 1000], now)
        source = ListSource(tasks)
        request = parse_request("today", now, UTC)

        def once(evidence: EvidenceStore | None) -> float:
            began = time.perf_counter()
            result = answer(request, AnswerContext(now, UTC, source, evidence=evidence))
            render_answer(result)
            return time.perf_counter() - began

        for _ in range(3):  # warm both paths
            once(None)
            once(store)
        without = statistics.median(once(None) for _ in range(15))
        with_evidence = statistics.median(once(store) for _ in range(15))
        stored = store.count()
        engine.dispose()
    return {"overhead_ms": (with_evidence - without) * 1000, "events": stored}


def run() -> list[tuple[str, str, str, bool]]:
    seconds = float(os.environ.get("BENCH_CALLBACK_SECONDS", "30"))
    client = measure_client(seconds)
    served = measure_serve(seconds)
    ask = measure_ask()
    none_lost = served["ok"] == served["sent"] == served["stored"]
    return [
        (
            "evidence: the load client's own ceiling (a server answering at once)",
            "≥ 2,000/s",
            f"{client.rate:.0f}/s offered 5,000/s (p99 {client.quantile(0.99) * 1000:.1f} ms)",
            client.rate >= 2000,
        ),
        (
            f"evidence: callbacks at 1,000/s for {seconds:.0f} s to one serve, p99 answer",
            "≤ 50 ms",
            f"{served['p99_ms']:.1f} ms (p50 {served['p50_ms']:.1f} ms, "
            f"{served['rate']:.0f}/s achieved, {served['late']:.0f} sent late)",
            served["p99_ms"] <= 50,
        ),
        (
            "evidence: callbacks answered 200 and stored",
            "all",
            f"{served['ok']:.0f} / {served['stored']:.0f} of {served['sent']:.0f}",
            none_lost,
        ),
        (
            "evidence: alert latency, callback → Slack, p99",
            "≤ 2 s",
            f"{served['alert_p99_s']:.2f} s ({served['alerts']:.0f} alerts)",
            served["alert_p99_s"] <= 2.0,
        ),
        (
            "evidence: ask over a day with 10,000 events, extra time",
            "≤ 20 ms",
            f"{ask['overhead_ms']:.1f} ms ({ask['events']:.0f} events)",
            ask["overhead_ms"] <= 20,
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(str(x) for x in row))
