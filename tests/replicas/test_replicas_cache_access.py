"""The shared cache answers only a caller the API would answer: its keys carry a fingerprint
of everything that decides access (SecretId and SecretKey, region, endpoint)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from bot.cli import main
from bot.css.simulator import Simulator
from tests.support.redis_keys import REDIS_URL

pytestmark = pytest.mark.redis

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def shared_cache_env(redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    with Simulator(count=120, now=NOW) as sim:
        monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", sim.secret_id)
        monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", sim.secret_key)
        monkeypatch.setenv("RECBOT_CSS_ENDPOINT", sim.url)
        monkeypatch.setenv("RECBOT_REDIS_URL", REDIS_URL)
        monkeypatch.setenv("RECBOT_REDIS_PREFIX", redis_prefix)
        with time_machine.travel(NOW, tick=True):
            yield sim


def ask(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["ask", "--json", "--tz", "UTC", "--now", NOW.isoformat(), "yesterday"])
    return code, json.loads(capsys.readouterr().out)


def test_a_wrong_secret_key_gets_auth_failure_not_the_cached_answer(
    shared_cache_env: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, body = ask(capsys)
    assert code == 0, body
    assert body["tasks"]
    calls = shared_cache_env.request_log.calls

    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "not-the-key")
    code, body = ask(capsys)
    assert code == 1, body
    assert body["error"]["code"] == "AuthFailure.SignatureFailure"
    assert "tasks" not in body or not body["tasks"]
    assert shared_cache_env.request_log.calls > calls  # the simulator was asked, and refused


def test_the_right_key_still_shares_the_cache(
    shared_cache_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ask(capsys)[0] == 0
    calls = shared_cache_env.request_log.calls
    code, body = ask(capsys)
    assert code == 0, body
    assert shared_cache_env.request_log.calls == calls


def test_another_region_does_not_read_the_cache(
    shared_cache_env: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ask(capsys)[0] == 0
    calls = shared_cache_env.request_log.calls
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-singapore")
    assert ask(capsys)[0] == 0
    assert shared_cache_env.request_log.calls > calls
