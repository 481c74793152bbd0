"""`recbot doctor` over real wire: the Slack stand-in, SQLite/PostgreSQL and Redis on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.commands.doctor import (
    CheckResult,
    bot_scopes,
    check_configuration,
    check_database,
    check_redis,
    check_slack,
    check_tencent,
    run_checks,
)
from bot.config import Settings
from bot.css.errors import rule_for
from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from tests.conftest import scrubbed_environ
from tests.support.pg import fresh_postgres_url
from tests.support.slack_api import SlackStandIn

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(scopes=bot_scopes()) as stand_in:
        yield stand_in


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that refuses connections: bound (so nothing else can take it), not listening."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


def slack_settings(slack: SlackStandIn, token: str = "xoxb-doctor") -> Settings:
    return Settings(
        slack_bot_token=token, slack_signing_secret="signing-1234", slack_api_url=slack.base_url
    )


def test_doctor_checks_exactly_the_scopes_manifest_yml_asks_for() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    # Derived from bot/slack/scopes.py and the Web API methods the code calls (R19).
    assert tuple(sorted(manifest["oauth_config"]["scopes"]["bot"])) == bot_scopes()


def test_slack_token_with_every_scope_passes(slack: SlackStandIn) -> None:
    result = check_slack(slack_settings(slack))
    assert result.status == "ok", result
    assert "has every scope the manifest needs; HTTP mode" in result.detail
    assert [c.method for c in slack.calls()] == ["auth.test"]


def test_invalid_token_is_a_cross_with_a_fix(slack: SlackStandIn) -> None:
    result = check_slack(slack_settings(slack, token="xoxb-invalid"))
    assert result == CheckResult(
        "slack",
        "fail",
        "Slack rejected SLACK_BOT_TOKEN (invalid_auth)",
        "copy the Bot User OAuth Token again (OAuth & Permissions); reinstall if revoked",
    )


def test_missing_scopes_are_named() -> None:
    scopes = tuple(s for s in bot_scopes() if s not in ("files:write", "users:read"))
    with SlackStandIn(scopes=scopes) as slack:
        result = check_slack(slack_settings(slack))
    assert result.status == "fail"
    assert result.detail.endswith("lacks scope(s) the manifest needs: files:write, users:read")


def test_no_signing_secret_nor_app_token_is_a_cross(slack: SlackStandIn) -> None:
    settings = Settings(slack_bot_token="xoxb-doctor", slack_api_url=slack.base_url)
    result = check_slack(settings)
    assert result.status == "fail"
    assert "neither SLACK_APP_TOKEN" in result.detail


def test_unreachable_slack_is_a_network_cross(closed_port: int) -> None:
    settings = Settings(
        slack_bot_token="xoxb-doctor",
        slack_signing_secret="signing-1234",
        slack_api_url=f"http://127.0.0.1:{closed_port}/api/",
    )
    result = check_slack(settings)
    assert result.status == "fail"
    assert result.detail.startswith("could not reach Slack at http://127.0.0.1:")


def test_migrated_sqlite_database_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    result = check_database(Settings(recbot_database_url=url))
    assert result.status == "ok", result
    assert "migrations current" in result.detail


def test_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "recbot.sqlite3"
    result = check_database(Settings(recbot_database_url=f"sqlite:///{path}"))
    assert result.status == "fail"
    assert "the file does not exist yet" in result.detail
    assert not path.exists()


def test_unmigrated_database_is_a_cross(tmp_path: Path) -> None:
    path = tmp_path / "recbot.sqlite3"
    path.touch()
    result = check_database(Settings(recbot_database_url=f"sqlite:///{path}"))
    assert result.status == "fail"
    assert "is at no schema; the code needs" in result.detail


@pytest.mark.postgres
def test_migrated_postgres_passes_and_hides_the_password() -> None:
    with fresh_postgres_url() as url:
        engine = open_engine(url)
        migrate(engine)
        engine.dispose()
        with_password = url.replace("postgres@", "postgres:hunter22@")
        result = check_database(Settings(recbot_database_url=with_password))
    assert result.status == "ok", result
    assert "hunter22" not in result.detail


def test_unreachable_postgres_is_a_cross(closed_port: int) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port}/test"
    result = check_database(Settings(recbot_database_url=url))
    assert result.status == "fail"
    assert result.detail.startswith("cannot connect to postgresql+psycopg://postgres@127.0.0.1:")


def test_redis_not_configured_is_skipped() -> None:
    assert check_redis(Settings()).status == "skip"


@pytest.mark.redis
def test_reachable_redis_passes() -> None:
    result = check_redis(Settings(recbot_redis_url="redis://127.0.0.1:6379/0"))
    assert result == CheckResult("redis", "ok", "redis://127.0.0.1:6379/0 answers PING")


def test_unreachable_redis_is_a_cross(closed_port: int) -> None:
    result = check_redis(Settings(recbot_redis_url=f"redis://127.0.0.1:{closed_port}/0"))
    assert result.status == "fail"
    assert result.detail.startswith("cannot reach redis://127.0.0.1:")


@pytest.fixture
def css() -> Iterator[Simulator]:
    with Simulator(now=NOW, count=40) as simulator:
        yield simulator


def css_settings(css: Simulator, *, secret_id: str = "", secret_key: str = "") -> Settings:
    return Settings(
        tencentcloud_secret_id=secret_id or css.secret_id,
        tencentcloud_secret_key=secret_key or css.secret_key,
        recbot_css_endpoint=css.url,
    )


def test_tencent_credentials_pass_with_one_harmless_call(css: Simulator) -> None:
    result = check_tencent(css_settings(css), NOW)
    assert result.status == "ok", result
    assert result.detail.startswith(f"DescribeRecordTask answers in ap-guangzhou at {css.url}")
    [call] = css.request_log.records()
    assert call.code == ""  # a page of tasks, not an error


def test_no_tencent_credentials_is_a_cross() -> None:
    result = check_tencent(Settings(), NOW)
    assert result.status == "fail"
    assert result.detail.startswith("no Tencent Cloud credentials")


def test_wrong_secret_key_is_explained(css: Simulator) -> None:
    result = check_tencent(css_settings(css, secret_key="not-the-key-0000"), NOW)
    assert result.status == "fail"
    assert result.detail.startswith("Tencent Cloud rejected the request signature")
    assert "TENCENTCLOUD_SECRET_KEY" in result.detail
    assert result.fix.startswith("copy the key pair again")
    assert "not-the-key-0000" not in result.detail + result.fix


def test_unknown_secret_id_is_explained(css: Simulator) -> None:
    result = check_tencent(css_settings(css, secret_id="AKIDunknown0000"), NOW)
    assert result.status == "fail"
    assert result.detail.startswith("Tencent Cloud does not know this API key")


def test_suspended_service_is_explained(css: Simulator) -> None:
    css.set_faults(error_rate=1.0, error_code="ResourceNotFound.StopService")
    result = check_tencent(css_settings(css), NOW)
    assert result.status == "fail"
    assert "in arrears" in result.detail
    assert result.fix.startswith("restore CSS on the account")


@pytest.mark.parametrize(
    "code",
    ["AuthFailure.UnauthorizedOperation", "UnsupportedRegion", "ResourceNotFound.FreezeService"],
)
def test_the_fix_comes_from_the_css_error_rules(css: Simulator, code: str) -> None:
    css.set_faults(error_rate=1.0, error_code=code)
    result = check_tencent(css_settings(css), NOW)
    assert result.status == "fail"
    assert result.fix == rule_for(code).fix
    assert result.fix != rule_for("NeverHeardOf").fix  # a specific fix, not the fallback


def test_unreachable_endpoint_is_a_network_cross(closed_port: int) -> None:
    settings = Settings(
        tencentcloud_secret_id="AKIDx",
        tencentcloud_secret_key="key-x",
        recbot_css_endpoint=f"http://127.0.0.1:{closed_port}",
    )
    result = check_tencent(settings, NOW)
    assert result.status == "fail"
    assert result.detail.startswith("Could not reach Tencent Cloud at http://127.0.0.1:")
    assert "firewall" in result.fix


def run_doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor", *args],
        env={**scrubbed_environ(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def healthy_env(css: Simulator, slack: SlackStandIn, tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    return {
        "TENCENTCLOUD_SECRET_ID": css.secret_id,
        "TENCENTCLOUD_SECRET_KEY": css.secret_key,
        "RECBOT_CSS_ENDPOINT": css.url,
        "SLACK_BOT_TOKEN": "xoxb-doctor",
        "SLACK_SIGNING_SECRET": "signing-secret-1234",
        "SLACK_API_URL": slack.base_url,
        "RECBOT_DATABASE_URL": url,
    }


@pytest.mark.slow
def test_doctor_passes_against_the_simulator_and_the_slack_stand_in(
    healthy_env: dict[str, str],
) -> None:
    done = run_doctor(healthy_env)
    assert done.returncode == 0, done.stdout + done.stderr
    marks = [line.split(" ", 2)[:2] for line in done.stdout.splitlines()]
    assert marks == [
        ["✓", "configuration:"],
        ["✓", "tencent"],
        ["✓", "slack:"],
        ["✓", "database:"],
        ["–", "redis:"],
        ["–", "css"],
        ["–", "index:"],  # migrated, but nothing synced yet
    ]


@pytest.mark.slow
def test_doctor_with_wrong_credentials_fails_with_the_right_lines(
    healthy_env: dict[str, str], css: Simulator
) -> None:
    env = {
        **healthy_env,
        "TENCENTCLOUD_SECRET_KEY": "wrong-key-9999",
        "SLACK_BOT_TOKEN": "xoxb-invalid",
    }
    done = run_doctor(env, "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False
    status = {check["name"]: check["status"] for check in report["checks"]}
    assert status == {
        "configuration": "ok",
        "tencent cloud": "fail",
        "slack": "fail",
        "database": "ok",
        "redis": "skip",
        "css callbacks": "skip",
        "index": "skip",
    }
    by_name = {check["name"]: check for check in report["checks"]}
    assert "AuthFailure" not in by_name["tencent cloud"]["detail"]  # plain words, not codes
    assert by_name["tencent cloud"]["detail"].startswith(
        "Tencent Cloud rejected the request signature"
    )
    assert by_name["slack"]["detail"] == "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"
    assert "wrong-key-9999" not in done.stdout + done.stderr


def test_a_readable_access_file_is_summarised(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(
        'channels = ["C1", "C2"]\n[scopes.C2]\ndomains = ["a.push.example"]\n'
        '[default_scope]\napps = ["live"]\n'
    )
    result = check_configuration(Settings(recbot_access_file=str(path)))
    assert result.status == "ok", result
    assert result.detail.endswith("access policy: 2 channel(s), 1 scoped")


def test_scopes_without_a_default_scope_warn_that_dms_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text('[scopes.C2]\ndomains = ["a.push.example"]\n')
    result = check_configuration(Settings(recbot_access_file=str(path)))
    assert result.status == "warn", result
    assert "no default_scope: DMs and channels without a scope are refused" in result.detail
    assert "[default_scope]" in result.fix


def test_a_broken_access_file_is_a_configuration_cross(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text("channels = 'C1'\n")
    [result] = run_checks_named(Settings(recbot_access_file=str(path)), "configuration")
    assert result.status == "fail"
    assert result.detail.startswith("RECBOT_ACCESS_FILE")
    assert "list of Slack ids" in result.detail


def run_checks_named(settings: Settings, name: str) -> list[CheckResult]:
    return [r for r in run_checks(settings, NOW) if r.name == name]


def test_a_config_file_others_can_read_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "recbot.env"
    path.write_text("TENCENTCLOUD_REGION=ap-tokyo\n")
    path.chmod(0o644)
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    result = check_configuration(Settings())
    assert result.status == "warn"
    assert "is readable by other users (mode -rw-r--r--)" in result.detail
    path.chmod(0o600)
    assert check_configuration(Settings()).status == "ok"


def test_unknown_recbot_variables_are_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECBOT_RATELIMIT", "5")
    result = check_configuration(Settings())
    assert result.status == "warn"
    assert result.detail.endswith("unknown variable(s) ignored: RECBOT_RATELIMIT")
    assert result.fix.startswith("fix the spelling")


def socket_settings(slack: SlackStandIn, app_token: str) -> Settings:
    return Settings(
        slack_bot_token="xoxb-doctor", slack_app_token=app_token, slack_api_url=slack.base_url
    )


def test_socket_mode_app_token_that_opens_a_connection_passes(slack: SlackStandIn) -> None:
    slack.socket_mode_url = "ws://127.0.0.1:9/link"  # handed out, never connected to
    result = check_slack(socket_settings(slack, "xapp-doctor"))
    assert result.status == "ok", result
    assert result.detail.endswith("Socket Mode")
    assert [c.method for c in slack.calls()] == ["auth.test", "apps.connections.open"]


def test_socket_mode_app_token_that_slack_refuses_is_a_cross(slack: SlackStandIn) -> None:
    slack.invalid_tokens.add("xapp-revoked")
    result = check_slack(socket_settings(slack, "xapp-revoked"))
    assert result.status == "fail"
    assert "Slack refused SLACK_APP_TOKEN for Socket Mode (not_allowed_token_type)" in result.detail
    assert "connections:write" in result.fix
