"""Configuration errors never echo a configured secret or the userinfo of a URL, whichever
variable the value was put in, from the environment or the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

KEY = "TopSecretKey123"
SECRET_ID = "AKIDexample0123"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", KEY)


def config_error(capsys: pytest.CaptureFixture[str], command: str = "ask") -> str:
    args = ["ask", "yesterday"] if command == "ask" else [command]
    assert main(args) == 2
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.mark.usefixtures("credentials")
def test_an_endpoint_carrying_the_key_pair_is_named_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECBOT_CSS_ENDPOINT", f"https://{SECRET_ID}:{KEY}@live.tencentcloudapi.com")
    said = config_error(capsys)
    assert "RECBOT_CSS_ENDPOINT" in said
    assert KEY not in said
    assert SECRET_ID not in said
    assert "live.tencentcloudapi.com" in said


@pytest.mark.usefixtures("credentials")
def test_a_secret_put_in_another_variable_is_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECBOT_DEFAULT_TZ", KEY)
    said = config_error(capsys)
    assert "RECBOT_DEFAULT_TZ" in said
    assert KEY not in said
    assert "***" in said


def test_url_userinfo_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_API_URL", "ftp://operator:hunter2-not-configured@slack.example")
    said = config_error(capsys)
    assert "SLACK_API_URL" in said
    assert "hunter2-not-configured" not in said
    assert "operator" not in said


@pytest.mark.parametrize("command", ["serve", "doctor"])
def test_serve_and_doctor_mask_too(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "xoxb-1234-abcdefSECRET"
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret-abcdef")
    monkeypatch.setenv("SLACK_API_URL", f"https://bot:{token}@slack.example/api/{token}")
    monkeypatch.setenv("TENCENTCLOUD_REGION", "signing-secret-abcdef")
    said = config_error(capsys, command)
    assert "TENCENTCLOUD_REGION" in said
    assert token not in said
    assert "signing-secret-abcdef" not in said


def test_secrets_from_the_config_file_are_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "recbot.env"
    config.write_text(
        f"TENCENTCLOUD_SECRET_ID={SECRET_ID}\nTENCENTCLOUD_SECRET_KEY={KEY}\n"
        f"RECBOT_CSS_ENDPOINT=https://live.tencentcloudapi.com/{KEY}\n"
    )
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(config))
    said = config_error(capsys)
    assert "RECBOT_CSS_ENDPOINT" in said
    assert KEY not in said
