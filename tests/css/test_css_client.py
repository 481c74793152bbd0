"""Client setup: endpoints, credentials without the metadata service, the embedded simulator."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.css.cache import MemoryCache
from bot.css.client import Endpoint, open_source, parse_endpoint, resolve_credentials
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.errors import ConfigError
from bot.filters import Filters
from tests.support.css import NOW, days, machine_clock_at, window

INTL = "live.intl.tencentcloudapi.com"


@pytest.mark.parametrize(
    ("value", "endpoint"),
    [
        (None, Endpoint("https", "live.tencentcloudapi.com")),
        ("http://127.0.0.1:8080", Endpoint("http", "127.0.0.1:8080")),
        ("https://live.intl.tencentcloudapi.com/", Endpoint("https", INTL)),
        (INTL, Endpoint("https", INTL)),
        (" http://localhost:9000 ", Endpoint("http", "localhost:9000")),
    ],
)
def test_endpoint_is_split_into_scheme_and_host(value: str | None, endpoint: Endpoint) -> None:
    assert parse_endpoint(value) == endpoint


@pytest.mark.parametrize("value", ["ftp://host", "http://host/api/v3", "http://"])
def test_bad_endpoint_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="RECBOT_CSS_ENDPOINT"):
        parse_endpoint(value)


def test_no_credentials_means_none_and_no_metadata_call() -> None:
    # HOME is an empty temp dir (root conftest); TKE/CVM lookups would hang or raise OSError.
    assert resolve_credentials(Settings()) is None


def test_profile_file_credentials_are_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".tencentcloud").mkdir()
    (tmp_path / ".tencentcloud" / "credentials").write_text(
        "[default]\nsecret_id = AKIDfromfile\nsecret_key = keyfromfile\n"
    )
    found = resolve_credentials(Settings())
    assert found is not None
    assert (found.secret_id, found.secret_key) == ("AKIDfromfile", "keyfromfile")


def test_profile_without_default_section_is_no_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".tencentcloud").mkdir()
    (tmp_path / ".tencentcloud" / "credentials").write_text("[other]\nsecret_id = x\n")
    assert resolve_credentials(Settings()) is None


def test_environment_credentials_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDenv")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "envkey")
    found = resolve_credentials(Settings())
    assert found is not None
    assert found.secret_id == "AKIDenv"


def test_unreadable_profile_file_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".tencentcloud").mkdir()
    (tmp_path / ".tencentcloud" / "credentials").write_text("secret_id = no section\n")
    with pytest.raises(ConfigError, match="credentials could not be read"):
        resolve_credentials(Settings())


def test_without_credentials_the_embedded_simulator_answers() -> None:
    now = datetime.now(UTC)
    with open_source(Settings(), cache=MemoryCache()) as source:
        asked = window(now - timedelta(days=2), now + timedelta(days=1))
        result = source.fetch_tasks(asked, Filters(), now)
    assert result.stats.simulated
    assert result.tasks
    assert result.stats.api_calls >= 1
    assert {t.stream for t in result.tasks} >= {"livetest", "cam1"}


def test_the_embedded_simulator_follows_an_asked_now_far_in_the_past() -> None:
    # `recbot ask --now` a year back: the simulator's clock is that instant, so its data
    # and its 90-day rule are around it (before, the API refused the window as too old).
    then = datetime.now(UTC) - timedelta(days=365)
    with open_source(Settings(), now=then, cache=MemoryCache()) as source:
        asked = window(then - timedelta(days=2), then + timedelta(days=1))
        result = source.fetch_tasks(asked, Filters(), then)
    assert result.stats.simulated
    assert result.tasks
    assert all(t.start < then + timedelta(days=1) for t in result.tasks)
    running = [t for t in result.tasks if t.start <= then < t.end and t.stopped is None]
    assert running  # "now" in the data is the asked instant


def test_credentials_pointed_at_the_simulator_are_not_marked_simulated(sim: Simulator) -> None:
    settings = Settings(
        tencentcloud_secret_id=sim.secret_id,
        tencentcloud_secret_key=sim.secret_key,
        recbot_css_endpoint=sim.url,
    )
    with (
        open_source(settings, limiter=SlidingWindowLimiter(500), cache=MemoryCache()) as source,
        machine_clock_at(NOW),
    ):
        result = source.fetch_tasks(days(-2, 0), Filters(), NOW)
    assert result.tasks
    assert not result.stats.simulated


def test_proxy_variables_do_not_capture_loopback(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{dead}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with open_source(
        Settings(), simulator=sim, limiter=SlidingWindowLimiter(500), cache=MemoryCache()
    ) as source:
        assert source.fetch_tasks(days(-2, 0), Filters(), NOW).tasks
