"""Evidence figures: CSS callbacks into a real `recbot serve`, alerts out to Slack, and what
evidence costs `recbot ask`.

1. Throughput: signed callbacks POSTed at 1,000/s (open loop, keep-alive connections) to one
   `recbot serve` (gunicorn) on a SQLite file; p99 answer time, and none lost (every one
   answered 200 and stored). The default run lasts 10 s to spare the shared machine;
   `BENCH_CALLBACK_SECONDS=30` runs the issue's 30 s.
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
import threading
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
from tests.support.served import serve_env  # noqa: E402
from tests.support.serving import ServedBot  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402

KEY = "benchKey123"
RATE = 1000
CONNECTIONS = 24


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


def _send_all(port: int, bodies: list[bytes], rate: float) -> tuple[list[float], list[int], float]:
    """Open loop: body i leaves at start + i/rate; each connection sends in turn."""
    latencies: list[float] = [0.0] * len(bodies)
    statuses: list[int] = [0] * len(bodies)
    counter = iter(range(len(bodies)))
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # the open-loop schedule, not a wait for a result
            sent = time.perf_counter()
            try:
                conn.request(
                    "POST", "/css/callbacks", bodies[i], {"Content-Type": "application/json"}
                )
                response = conn.getresponse()
                response.read()
                statuses[i] = response.status
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                statuses[i] = 0
            latencies[i] = time.perf_counter() - sent
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - start


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
            latencies, statuses, elapsed = _send_all(bot.port, bodies, RATE)
            engine = open_engine(url)
            stored = EvidenceStore(engine).count()
            engine.dispose()
            alert = measure_alerts(bot, slack, url)
        finally:
            bot.stop()
    ordered = sorted(latencies)
    return {
        "sent": count,
        "ok": sum(1 for s in statuses if s == 200),
        "stored": stored,
        "p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
        "p50_ms": statistics.median(ordered) * 1000,
        "rate": count / elapsed,
        **alert,
    }


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
    seconds = float(os.environ.get("BENCH_CALLBACK_SECONDS", "10"))
    served = measure_serve(seconds)
    ask = measure_ask()
    none_lost = served["ok"] == served["sent"] == served["stored"]
    return [
        (
            f"evidence: callbacks at 1,000/s for {seconds:.0f} s to one serve, p99 answer",
            "≤ 50 ms",
            f"{served['p99_ms']:.1f} ms (p50 {served['p50_ms']:.1f} ms, "
            f"{served['rate']:.0f}/s achieved)",
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
