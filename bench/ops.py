"""Operations figures: `recbot doctor` end to end (fresh process, CSS simulator and Slack
stand-in on loopback), settings validation, and structured-log throughput with secret masking.

    .venv/bin/python bench/ops.py
"""

from __future__ import annotations

import io
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._installed import compile_like_an_install  # noqa: E402
from bot.commands.doctor import bot_scopes  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.css.simulator import Simulator  # noqa: E402
from bot.db.database import migrate, open_engine  # noqa: E402
from bot.obs.log import configure_logging, request_context  # noqa: E402
from tests.support.environment import scrubbed_environ  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402

DOCTOR_RUNS = 3
LOG_LINES = 20_000
SETTINGS_RUNS = 200


def doctor_seconds() -> tuple[float, bool]:
    """Median wall time of `recbot doctor` with every check passing, and whether it passed."""
    compile_like_an_install()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Simulator(count=50) as css,
        SlackStandIn(scopes=bot_scopes()) as slack,
    ):
        url = f"sqlite:///{tmp}/recbot.sqlite3"
        engine = open_engine(url)
        migrate(engine)
        engine.dispose()
        env = {
            **scrubbed_environ(),
            "HOME": tmp,
            "TENCENTCLOUD_SECRET_ID": css.secret_id,
            "TENCENTCLOUD_SECRET_KEY": css.secret_key,
            "RECBOT_CSS_ENDPOINT": css.url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench-signing-secret",
            "SLACK_API_URL": slack.base_url,
            "RECBOT_DATABASE_URL": url,
            "RECBOT_REDIS_URL": "redis://127.0.0.1:6379/0",
        }
        times: list[float] = []
        ok = True
        for _ in range(DOCTOR_RUNS):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bot", "doctor"],
                env=env,
                cwd=tmp,
                capture_output=True,
                timeout=120,
                check=False,
            )
            times.append(time.perf_counter() - started)
            ok = ok and done.returncode == 0
    return statistics.median(times), ok


def settings_ms() -> float:
    started = time.perf_counter()
    for _ in range(SETTINGS_RUNS):
        load_settings()
    return (time.perf_counter() - started) / SETTINGS_RUNS * 1000


def log_lines_per_second() -> float:
    """JSON lines with a request id and two secrets to mask, into memory."""
    stream = io.StringIO()
    settings = Settings(
        slack_signing_secret="bench-secret-value-0001", slack_bot_token="xoxb-bench-token-0002"
    )
    handler = configure_logging(settings, stream)
    log = logging.getLogger("bench.ops")
    try:
        started = time.perf_counter()
        with request_context():
            for i in range(LOG_LINES):
                log.info("answered %d tasks", i, extra={"surface": "slash"})
        elapsed = time.perf_counter() - started
    finally:
        logging.getLogger().removeHandler(handler)
    assert "bench-secret-value-0001" not in stream.getvalue()
    return LOG_LINES / elapsed


def run() -> list[tuple[str, str, str, bool]]:
    doctor_s, doctor_ok = doctor_seconds()
    per_settings = settings_ms()
    lines = log_lines_per_second()
    return [
        (
            f"recbot doctor, all 5 checks, fresh process (median of {DOCTOR_RUNS})",
            "≤ 3 s and exit 0",
            f"{doctor_s:.2f} s, exit {'0' if doctor_ok else 'non-zero'}",
            doctor_ok and doctor_s <= 3.0,
        ),
        ("settings load + validation", "≤ 5 ms", f"{per_settings:.2f} ms", per_settings <= 5.0),
        (
            "JSON log lines with request id and secret masking",
            "≥ 20,000 lines/s",
            f"{lines:,.0f} lines/s",
            lines >= 20_000,
        ),
    ]


if __name__ == "__main__":
    from run import report  # bench/run.py, beside this file

    raise SystemExit(report(run()))
