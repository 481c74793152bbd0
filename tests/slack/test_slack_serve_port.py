"""A port already taken is one plain line naming it and exit 2, no traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.serving import BOT_TOKEN, REPO, SIGNING_SECRET, clean_env
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow


def test_a_port_in_use_is_named_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken, SlackStandIn() as slack:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.base_url,
            RECBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'recbot.sqlite3'}",
            HOME=str(tmp_path),
        )
        result = subprocess.run(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"recbot serve: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
