"""Three processes hammering the CSS simulator through one Redis limiter stay within 20
requests/s measured at the simulator, and none of them ever sees RequestLimitExceeded."""

from __future__ import annotations

import subprocess
import sys
from bisect import bisect_left
from pathlib import Path

import pytest

from bot.css.simulator import RATE_LIMITED, Simulator
from tests.conftest import scrubbed_environ
from tests.support.redis_keys import REDIS_URL

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.redis
def test_three_processes_share_the_20_per_second_limit(redis_prefix: str) -> None:
    with Simulator(count=400, rate_limit=20.0) as sim:
        env = scrubbed_environ() | {
            "TENCENTCLOUD_SECRET_ID": sim.secret_id,
            "TENCENTCLOUD_SECRET_KEY": sim.secret_key,
            "RECBOT_CSS_ENDPOINT": sim.url,
            "RECBOT_REDIS_URL": REDIS_URL,
            "RECBOT_REDIS_PREFIX": redis_prefix,
            "NO_PROXY": "127.0.0.1",
        }
        # Each question covers 6 h a different day: one API window, one or two pages.
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.support.hammer", "12", str(i * 8)],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for i in range(3)
        ]
        outputs = [p.communicate(timeout=120) for p in processes]
        records = sim.request_log.records()
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()[-2000:]
        assert out.decode().count("ok ") == 12
    stamps = sorted(r.at for r in records)
    assert len(stamps) >= 36
    peak = max(bisect_left(stamps, s + 1.0) - i for i, s in enumerate(stamps))
    assert peak <= 20, f"{peak} requests within one second at the simulator"
    assert sum(1 for r in records if r.code.startswith(RATE_LIMITED)) == 0
