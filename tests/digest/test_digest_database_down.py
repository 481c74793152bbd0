"""Database down (or unusable) at start: one line naming RECBOT_DATABASE_URL and the reason,
exit 2, no traceback, no password; `recbot serve` over the real process and stand-ins."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import REPO, free_port
from tests.support.slack_api import SlackStandIn
from tests.support.world import SIM_ID, SIM_KEY, bot_env

PASSWORD = "s3cret-db-pass"


def env_with(stand_ins: tuple[SlackStandIn, Simulator], tmp: Path, **extra: str) -> dict[str, str]:
    slack, css = stand_ins
    return {**bot_env(slack, css.url, tmp), **extra}


def serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[tuple[SlackStandIn, Simulator]]:
    with SlackStandIn() as slack, Simulator(secret_id=SIM_ID, secret_key=SIM_KEY) as css:
        yield slack, css


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_postgresql_down_at_start_is_one_line_and_exit_2(
    mode: str, stand_ins: tuple[SlackStandIn, Simulator], tmp_path: Path
) -> None:
    url = f"postgresql://recbot:{PASSWORD}@127.0.0.1:{free_port()}/recbot"
    extra = {"RECBOT_DATABASE_URL": url}
    if mode == "socket":
        extra["SLACK_APP_TOKEN"] = "xapp-1-test"
    done = serve(env_with(stand_ins, tmp_path, **extra))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("recbot serve: RECBOT_DATABASE_URL")
    assert "refused" in lines[0].lower()
    assert PASSWORD not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_an_unopenable_sqlite_file_is_one_line_and_exit_2(
    stand_ins: tuple[SlackStandIn, Simulator], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    url = f"sqlite:///{blocker / 'recbot.sqlite3'}"
    done = serve(env_with(stand_ins, tmp_path, RECBOT_DATABASE_URL=url))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("recbot serve: RECBOT_DATABASE_URL")
