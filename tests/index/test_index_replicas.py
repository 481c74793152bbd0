"""Three replicas on one PostgreSQL database: exactly one syncs at a time, and when it is
SIGKILLed another takes the sync over within one lease period."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.index.store import IndexStore
from tests.support.environment import scrubbed_environ
from tests.support.pg import fresh_postgres_url

ROOT = Path(__file__).resolve().parents[2]
LEASE_S = 2.0

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def wait_for(condition: Callable[[], object], deadline_s: float, what: str) -> None:
    pause = threading.Event()
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {deadline_s} s")
        pause.wait(0.05)


@pytest.fixture
def replicas() -> Iterator[tuple[IndexStore, dict[str, subprocess.Popen[str]], str]]:
    with (
        Simulator(seed=4, count=400, page_size=25, rate_limit=None) as sim,
        fresh_postgres_url() as url,
    ):
        engine = open_engine(url)
        migrate(engine)
        env = {
            **scrubbed_environ(),
            "TENCENTCLOUD_SECRET_ID": sim.secret_id,
            "TENCENTCLOUD_SECRET_KEY": sim.secret_key,
            "RECBOT_CSS_ENDPOINT": sim.url,
            "RECBOT_DATABASE_URL": url,
            "RECBOT_INDEX_LEASE_S": str(LEASE_S),
            "RECBOT_LOG_LEVEL": "ERROR",
        }
        processes = {
            name: subprocess.Popen(
                [sys.executable, "-m", "tests.index.replica", name],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for name in ("r1", "r2", "r3")
        }
        try:
            for process in processes.values():
                assert process.stdout is not None
                assert process.stdout.readline().strip() == "ready"
            yield IndexStore(engine), processes, sim.secret_id
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                process.wait(timeout=30)
                if process.stdout is not None:
                    process.stdout.close()
            engine.dispose()


def test_one_replica_syncs_and_another_takes_over_after_a_sigkill(
    replicas: tuple[IndexStore, dict[str, subprocess.Popen[str]], str],
) -> None:
    store, processes, _ = replicas
    wait_for(store.accounts, 60, "no replica synced anything")
    account = store.accounts()[0]
    name = f"index-sync:{account}"

    def holder() -> str | None:
        return store.lease_holder(name, datetime_now())

    wait_for(lambda: holder() is not None, 10, "nobody held the lease")
    first = holder()
    assert first in processes
    # For a few lease periods the same replica keeps it: exactly one syncs.
    seen = set()
    pause = threading.Event()
    for _ in range(40):
        seen.add(holder())
        pause.wait(0.1)
    assert seen == {first}
    os.kill(processes[first].pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(lambda: holder() not in (None, first), LEASE_S + 3, "no replica took over")
    took = time.monotonic() - killed
    assert took <= LEASE_S + 1.0, f"took over after {took:.1f} s, lease {LEASE_S} s"
    taken = datetime_now()
    wait_for(lambda: store.runs_since(account, taken), 10, "the new syncer did not sync")


def datetime_now() -> datetime:
    return datetime.now(UTC)
