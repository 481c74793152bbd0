"""The simulator against clients we did not write: `recbot simulator` as a process, and tccli.

tccli (the official CLI, in the dev extra) must get the same answers as our client.
"""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tencentcloud.common import credential

from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import SdkPages, build_live_client, open_source, parse_endpoint
from bot.css.dataset import dump_tasks, generate
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.plan import ApiWindow, plan_windows
from bot.tasks import to_unix
from tests.conftest import scrubbed_environ
from tests.support.css import window

pytestmark = pytest.mark.slow


class Lines:
    """The child's stdout lines via a reader thread, so a silent child fails, not hangs."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout

        def pump() -> None:
            for line in stream:
                self._queue.put(line)

        threading.Thread(target=pump, daemon=True).start()

    def next(self, deadline_s: float = 20.0) -> str:
        try:
            return self._queue.get(timeout=deadline_s)
        except queue.Empty:
            pytest.fail("no output from the child process within the deadline")


def walk(pages: SdkPages, api: ApiWindow) -> set[str]:
    found: set[str] = set()
    token = ""
    while True:
        reply = pages.fetch(api, {}, token)
        found |= {t.task_id for t in reply.tasks}
        token = reply.token
        if not token:
            return found


def run_simulator(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "simulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def test_recbot_simulator_prints_its_url_first_and_made_up_keys(tmp_path: Path) -> None:
    env = {**scrubbed_environ(), "HOME": str(tmp_path)}
    proc = run_simulator(["--seed", "5", "--count", "40"], env)
    lines = Lines(proc)
    try:
        url = lines.next().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        secret_id = lines.next().strip().removeprefix("TENCENTCLOUD_SECRET_ID=")
        secret_key = lines.next().strip().removeprefix("TENCENTCLOUD_SECRET_KEY=")
        cred = credential.Credential(secret_id, secret_key)
        pages = SdkPages(build_live_client(cred, "ap-guangzhou", parse_endpoint(url), 5.0))
        now = to_unix(datetime.now(UTC))
        assert walk(pages, ApiWindow(now - 7 * 86400, now))
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None
        proc.stdout.close()


def test_recbot_simulator_serves_a_tasks_file_with_keys_from_the_environment(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    tasks = generate(seed=9, now=now, count=25, days_back=5, days_ahead=1)
    path = tmp_path / "tasks.json"
    dump_tasks(tasks, path)
    env = {
        **scrubbed_environ(),
        "HOME": str(tmp_path),
        "TENCENTCLOUD_SECRET_ID": "AKIDfromenv",
        "TENCENTCLOUD_SECRET_KEY": "key-from-env",
    }
    proc = run_simulator(["--tasks", str(path)], env)
    lines = Lines(proc)
    try:
        url = lines.next().strip()
        cred = credential.Credential("AKIDfromenv", "key-from-env")
        pages = SdkPages(build_live_client(cred, "ap-guangzhou", parse_endpoint(url), 5.0))
        start = to_unix(now) - 6 * 86400
        assert walk(pages, ApiWindow(start, start + 7 * 86400)) == {t.task_id for t in tasks}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None
        proc.stdout.close()


def scroll_token(token: str) -> list[str]:
    """One argument: tokens are base64 and may start with "-", which argparse would take
    for an option if the token were a separate argument."""
    return [f"--ScrollToken={token}"] if token else []


def test_tccli_sends_a_token_that_starts_with_a_dash(tmp_path: Path) -> None:
    with Simulator(rate_limit=None) as sim:
        env = {
            **scrubbed_environ(),
            "HOME": str(tmp_path),
            "TENCENTCLOUD_SECRET_ID": sim.secret_id,
            "TENCENTCLOUD_SECRET_KEY": sim.secret_key,
        }
        now = int(time.time())
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("tccli")),
                "live",
                "DescribeRecordTask",
                "--endpoint",
                sim.url,
                "--region",
                "ap-guangzhou",
                "--StartTime",
                str(now - 3600),
                "--EndTime",
                str(now),
                *scroll_token("-dGFzaw=="),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        # The simulator does not know the token and says so; argparse did not refuse it.
        [request] = sim.request_log.records()
        assert json.loads(request.body)["ScrollToken"] == "-dGFzaw=="
        assert "ScrollToken" in done.stdout + done.stderr


def tccli_walk(sim: Simulator, api: ApiWindow, env: dict[str, str]) -> set[str]:
    tccli = Path(sys.executable).with_name("tccli")
    found: set[str] = set()
    token = ""
    for _ in range(50):
        command = [
            str(tccli),
            "live",
            "DescribeRecordTask",
            "--endpoint",
            sim.url,
            "--region",
            "ap-guangzhou",
            "--StartTime",
            str(api.start),
            "--EndTime",
            str(api.end),
        ]
        command += scroll_token(token)
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        page = json.loads(done.stdout)
        found |= {item["TaskId"] for item in page["TaskList"]}
        token = page["ScrollToken"]
        if not token:
            return found
    pytest.fail("tccli kept getting tokens")


def test_tccli_gets_the_same_answers_as_our_client(tmp_path: Path) -> None:
    pytest.importorskip("tccli")  # the only skip: tccli is in the dev extra
    now = datetime.now(UTC)
    with Simulator(page_size=4, rate_limit=None) as sim:
        env = {
            **scrubbed_environ(),
            "HOME": str(tmp_path),
            "TENCENTCLOUD_SECRET_ID": sim.secret_id,
            "TENCENTCLOUD_SECRET_KEY": sim.secret_key,
        }
        asked = window(now - timedelta(days=2), now)
        plan = plan_windows(asked, now)
        [api] = plan.api_windows
        by_tccli = tccli_walk(sim, api, env)
        assert len(by_tccli) > 4  # more than one page
        # tccli signs the Host header with the scheme in it; the simulator accepts that.
        assert {r.host for r in sim.request_log.records()} == {sim.url}

        cred = credential.Credential(sim.secret_id, sim.secret_key)
        pages = SdkPages(build_live_client(cred, "ap-guangzhou", parse_endpoint(sim.url), 5.0))
        assert walk(pages, api) == by_tccli

        with open_source(Settings(), simulator=sim, cache=MemoryCache()) as source:
            result = source.fetch_tasks(asked, Filters(), now)
        tasks = {t.task_id: t for t in sim.tasks}
        overlapping = {
            task_id
            for task_id in by_tccli
            if tasks[task_id].overlaps(result.plan.start, result.plan.end)
        }
        assert {t.task_id for t in result.tasks} == overlapping


def test_tccli_shows_the_simulators_errors(tmp_path: Path) -> None:
    pytest.importorskip("tccli")
    with Simulator(rate_limit=None) as sim:
        env = {
            **scrubbed_environ(),
            "HOME": str(tmp_path),
            "TENCENTCLOUD_SECRET_ID": sim.secret_id,
            "TENCENTCLOUD_SECRET_KEY": "wrong-key",
        }
        now = int(time.time())
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("tccli")),
                "live",
                "DescribeRecordTask",
                "--endpoint",
                sim.url,
                "--region",
                "ap-guangzhou",
                "--StartTime",
                str(now - 3600),
                "--EndTime",
                str(now),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 255
        assert "AuthFailure.SignatureFailure" in done.stderr + done.stdout
