"""`recbot ask` with Tencent Cloud out of reach: one plain sentence (and exit 1); the raw
transport error and the endpoint URL only in the log lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.css.errors import CSS_DID_NOT_ANSWER
from tests.support.environment import scrubbed_environ
from tests.support.serving import free_port

pytestmark = pytest.mark.slow


def ask(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    dead = f"http://127.0.0.1:{free_port()}"
    env = scrubbed_environ() | {
        "HOME": str(tmp_path),
        "TENCENTCLOUD_SECRET_ID": "AKIDaskunreachable0001",
        "TENCENTCLOUD_SECRET_KEY": "ask-unreachable-key-0001",
        "RECBOT_CSS_ENDPOINT": dead,
        "RECBOT_API_TIMEOUT": "1",
        "RECBOT_QUERY_DEADLINE": "3",
        "RECBOT_LOG_FORMAT": "json",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", *args, "yesterday"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    return result, dead


def test_ask_json_says_one_plain_sentence(tmp_path: Path) -> None:
    result, dead = ask(tmp_path, "--json")
    assert result.returncode == 1
    message = json.loads(result.stdout)["error"]["message"]
    assert message == CSS_DID_NOT_ANSWER
    assert dead in result.stderr  # the log line carries the detail


def test_ask_on_a_terminal_line_says_one_plain_sentence(tmp_path: Path) -> None:
    result, dead = ask(tmp_path)
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert said == [f"recbot ask: {CSS_DID_NOT_ANSWER}"]
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(dead in json.dumps(line) for line in logged)
