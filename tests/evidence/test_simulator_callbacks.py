"""`recbot simulator --callback-url` POSTs its tasks' signed callbacks to a real `recbot serve`,
and retries like CSS when the receiver does not answer 200."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.css.dataset import dump_tasks
from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.evidence.callback import parse_callback
from bot.evidence.sender import CallbackSender
from bot.evidence.simulate import simulated_events
from bot.evidence.store import EvidenceStore
from tests.evidence.sender import KEY
from tests.support.served import serve_env
from tests.support.serving import REPO, ServedBot, clean_env
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a condition with a deadline


def test_simulator_callbacks_reach_serve_and_show_as_evidence(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    with SlackStandIn() as slack, Simulator(count=30) as sim:
        tasks_file = tmp_path / "tasks.json"
        dump_tasks(sim.tasks, tasks_file)
        bot = ServedBot(
            serve_env(slack, sim, url, tmp_path, RECBOT_CSS_CALLBACK_KEY=KEY),
            tmp_path / "serve.log",
        ).start()
        log = (tmp_path / "simulator.log").open("wb")
        sender = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "simulator",
                "--tasks",
                str(tasks_file),
                "--callback-url",
                f"{bot.url}/css/callbacks",
                "--callback-key",
                KEY,
                "--callback-failures",
                "0.3",
                "--callback-backfill-hours",
                "48",
            ],
            cwd=REPO,
            env=clean_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        engine = open_engine(url)
        migrate(engine)
        store = EvidenceStore(engine)
        try:
            now = datetime.now(UTC)
            expected = {
                e.key
                for e in simulated_events(sim.tasks, now, 0.3)
                if e.time >= now - timedelta(hours=48)
            }
            assert expected
            wait_until(lambda: store.count() >= len(expected), 60, "every callback stored")
            stored = store.events_of({t.task_id for t in sim.tasks}, set(), now, now)
            assert expected <= {e.key for e in stored}
            assert any(e.is_failure for e in stored)
            assert any(e.file is not None for e in stored)
        finally:
            sender.terminate()
            sender.wait(10)
            log.close()
            bot.stop()
            engine.dispose()


class _Flaky(BaseHTTPRequestHandler):
    """Answers 500 to the first two tries of each body (by its event), then 200."""

    tries: ClassVar[Counter[str]] = Counter()
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        event = parse_callback(raw, KEY, datetime.now(UTC))
        with self.lock:
            self.tries[event.key] += 1
            ok = self.tries[event.key] > 2
        self.send_response(200 if ok else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    _Flaky.tries = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/css/callbacks"
    server.shutdown()
    server.server_close()


def test_an_unanswered_callback_is_retried_until_answered(flaky: str) -> None:
    with Simulator(count=10) as sim:
        now = datetime.now(UTC)
        expected = {
            e.key
            for e in simulated_events(sim.tasks, now, 0.5)
            if e.time >= now - timedelta(days=2)
        }
        sender = CallbackSender(
            flaky,
            KEY,
            lambda: sim.tasks,
            lambda: datetime.now(UTC),
            since=now - timedelta(days=2),
            failure_share=0.5,
            retry_s=0.05,
        ).start()
        try:
            wait_until(lambda: sender.counts.delivered >= len(expected), 30, "every delivery")
        finally:
            sender.stop()
        assert set(_Flaky.tries) == expected
        assert set(_Flaky.tries.values()) == {3}
        assert sender.counts.attempts == 3 * len(expected)


def test_simulator_refuses_callback_url_without_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "simulator", "--callback-url", "http://127.0.0.1:9/x"],
        check=False,
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--callback-key" in done.stderr
    assert json.dumps(done.stdout) == '""'
