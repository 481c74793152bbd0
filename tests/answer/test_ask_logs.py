"""`recbot ask` logs like the server: JSON lines on stderr, one request id through every step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import scrubbed_environ


def test_every_log_line_of_one_question_carries_the_same_request_id(tmp_path: Path) -> None:
    env = scrubbed_environ() | {
        "HOME": str(tmp_path),
        "RECBOT_LOG_LEVEL": "DEBUG",
        "RECBOT_LOG_FORMAT": "json",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "yesterday"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    # The SDK's own request log is among them: the id reached the CSS calls.
    assert any(line["logger"] == "tencentcloud_sdk_common" for line in lines)
    ids = {line["request_id"] for line in lines}
    assert len(ids) == 1
    assert ids != {"-"}
