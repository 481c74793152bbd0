"""`recbot --version`, `recbot completion bash|zsh|fish`, and RECBOT_DIGESTS=false needing no
channel-history scope (doctor against the Slack stand-in)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli import SUBCOMMANDS
from bot.commands.doctor import bot_scopes, check_slack
from bot.config import Settings
from bot.slack.scopes import DIGEST_ONLY_SCOPES
from tests.support.environment import scrubbed_environ
from tests.support.slack_api import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]


def recbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=scrubbed_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version_prints_the_installed_version() -> None:
    result = recbot("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"recbot {version('recbot')}"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_names_every_subcommand_and_the_manifest_options(shell: str) -> None:
    result = recbot("completion", shell)
    assert result.returncode == 0, result.stderr
    for name in SUBCOMMANDS:
        assert name in result.stdout
    assert "--no-functions" in result.stdout or "-l no-functions" in result.stdout


def test_bash_completion_is_valid_bash_and_completes_subcommands(tmp_path: Path) -> None:
    script = tmp_path / "recbot.bash"
    script.write_text(recbot("completion", "bash").stdout)
    bash = shutil.which("bash")
    assert bash is not None
    probe = (
        f"source {script}; COMP_WORDS=(recbot man); COMP_CWORD=1; _recbot; "
        'echo "${COMPREPLY[@]}"; COMP_WORDS=(recbot manifest --no); COMP_CWORD=2; _recbot; '
        'echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run([bash, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "manifest"
    assert second.split() == ["--no-digests", "--no-functions"]


def test_an_unknown_shell_is_refused_in_one_line() -> None:
    result = recbot("completion", "powershell")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_without_digests_doctor_needs_no_history_scope() -> None:
    scopes = tuple(s for s in bot_scopes() if s not in DIGEST_ONLY_SCOPES)
    with SlackStandIn(scopes=scopes) as slack:
        base = {
            "slack_bot_token": "xoxb-doctor",
            "slack_signing_secret": "signing-1234",
            "slack_api_url": slack.base_url,
        }
        assert check_slack(Settings(**base, recbot_digests=False)).status == "ok"
        with_digests = check_slack(Settings(**base))
    assert with_digests.status == "fail"
    assert "channels:history" in with_digests.detail
