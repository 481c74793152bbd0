"""`recbot serve` refuses to start without what it needs, naming it, with no traceback."""

from __future__ import annotations

import subprocess
import sys

from tests.support.serving import REPO, clean_env, free_port
from tests.support.slack_api import SlackStandIn


def run_serve(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "1"],
        cwd=REPO,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_http_mode_without_a_signing_secret_names_it_and_exits_2() -> None:
    result = run_serve(SLACK_BOT_TOKEN="xoxb-test")
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_swapped_token_is_named_and_exits_2() -> None:
    result = run_serve(SLACK_BOT_TOKEN="xapp-wrong", SLACK_SIGNING_SECRET="s")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_slack_refuses_is_named_before_serving_and_exits_2() -> None:
    with SlackStandIn() as slack:
        result = run_serve(
            SLACK_BOT_TOKEN="xoxb-invalid", SLACK_SIGNING_SECRET="s", SLACK_API_URL=slack.base_url
        )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_slack_is_named_and_exits_2() -> None:
    result = run_serve(
        SLACK_BOT_TOKEN="xoxb-ok",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",
    )
    assert result.returncode == 2
    assert "could not be reached" in result.stderr


def test_a_port_that_is_not_a_number_is_named_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=REPO,
        env=clean_env(PORT="http", SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s"),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "PORT 'http' is not a port number" in result.stderr
