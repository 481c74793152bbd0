"""Settings: every wrong or missing variable is named with what to fix; secrets never echo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, load_settings, unknown_variables
from bot.errors import ConfigError
from tests.conftest import scrubbed_environ

SECRET = "Zq9-very-secret-value-77"

# (environment, the message's expected start, a fragment it must contain)
BAD_VARIABLES = [
    (
        {"TENCENTCLOUD_REGION": "ap-tokio"},
        "TENCENTCLOUD_REGION 'ap-tokio' is not a CSS region",
        "one of: ap-bangkok",
    ),
    ({"TENCENTCLOUD_SECRET_ID": SECRET}, "TENCENTCLOUD_SECRET_KEY is not set", "set both"),
    ({"TENCENTCLOUD_SECRET_KEY": SECRET}, "TENCENTCLOUD_SECRET_ID is not set", "set both"),
    ({"TENCENTCLOUD_TOKEN": SECRET}, "TENCENTCLOUD_TOKEN is set without", "key pair"),
    (
        {"TENCENTCLOUD_SECRET_ID": f" {SECRET}", "TENCENTCLOUD_SECRET_KEY": SECRET},
        "TENCENTCLOUD_SECRET_ID has leading or trailing whitespace",
        "remove it",
    ),
    (
        {"RECBOT_CSS_ENDPOINT": "ftp://example"},
        "RECBOT_CSS_ENDPOINT 'ftp://example' is not",
        "http://127.0.0.1:PORT",
    ),
    ({"RECBOT_RATE_LIMIT": "fast"}, "RECBOT_RATE_LIMIT 'fast': should be a valid number", ""),
    (
        {"RECBOT_RATE_LIMIT": "25"},
        "RECBOT_RATE_LIMIT '25': must be at most 20",
        "DescribeRecordTask allows 20 requests a second",
    ),
    ({"RECBOT_API_TIMEOUT": "0"}, "RECBOT_API_TIMEOUT '0': must be more than 0", ""),
    ({"RECBOT_QUERY_DEADLINE": "-1"}, "RECBOT_QUERY_DEADLINE '-1'", "must be more than 0"),
    (
        {"RECBOT_DEFAULT_TZ": "Mars/Olympus"},
        "RECBOT_DEFAULT_TZ 'Mars/Olympus' is not a time zone I know",
        "Europe/Berlin",
    ),
    (
        {"SLACK_BOT_TOKEN": "xapp-" + SECRET},
        "SLACK_BOT_TOKEN must be the Bot User OAuth Token",
        "'xoxb-'",
    ),
    (
        {"SLACK_APP_TOKEN": "xoxb-" + SECRET},
        "SLACK_APP_TOKEN must be an app-level token",
        "'xapp-'",
    ),
    ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL 'slack.com/api' is not an http(s) URL", ""),
    (
        {"RECBOT_DATABASE_URL": f"mysql://u:{SECRET}@db/x"},
        "RECBOT_DATABASE_URL is not a database URL (scheme 'mysql')",
        "postgresql+psycopg",
    ),
    (
        {"RECBOT_REDIS_URL": "localhost:6379"},
        "RECBOT_REDIS_URL is not a Redis URL",
        "redis://host:6379/0",
    ),
    (
        {"RECBOT_ACCESS_FILE": "/nonexistent/access.yml"},
        "RECBOT_ACCESS_FILE '/nonexistent/access.yml' is not a readable file",
        "",
    ),
    ({"RECBOT_LOG_LEVEL": "loud"}, "RECBOT_LOG_LEVEL 'LOUD': should be 'DEBUG'", ""),
    ({"RECBOT_LOG_FORMAT": "xml"}, "RECBOT_LOG_FORMAT 'xml': should be 'auto'", ""),
    ({"RECBOT_MAX_BODY_BYTES": "lots"}, "RECBOT_MAX_BODY_BYTES 'lots'", "valid integer"),
    (
        {"RECBOT_CONFIG_FILE": "/nonexistent/recbot.toml"},
        "RECBOT_CONFIG_FILE '/nonexistent/recbot.toml' cannot be read",
        "",
    ),
]


@pytest.mark.parametrize(("env", "start", "fragment"), BAD_VARIABLES)
def test_a_wrong_variable_is_named_with_its_fix(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], start: str, fragment: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = caught.value.user_message
    assert message.startswith(start), message
    assert fragment in message
    assert SECRET not in message


def test_every_problem_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_REGION", "mars-1")
    monkeypatch.setenv("RECBOT_DEFAULT_TZ", "Nowhere/Town")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    lines = caught.value.user_message.splitlines()
    assert [line.split()[0] for line in lines] == ["TENCENTCLOUD_REGION", "RECBOT_DEFAULT_TZ"]


def test_defaults_need_no_variables() -> None:
    settings = load_settings()
    assert settings.tencentcloud_region == "ap-guangzhou"
    assert not settings.has_tencent_credentials
    assert settings.recbot_log_format == "auto"


def test_secrets_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKID" + SECRET)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", SECRET)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-" + SECRET)
    settings = load_settings()
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())
    assert SECRET in settings.secret_values()


def test_database_and_redis_passwords_count_as_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECBOT_DATABASE_URL", f"postgresql+psycopg://bot:{SECRET}@db/recbot")
    monkeypatch.setenv("RECBOT_REDIS_URL", "redis://:redispass1@cache:6379/0")
    assert {SECRET, "redispass1"} <= set(load_settings().secret_values())


def test_toml_file_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "recbot.toml"
    path.write_text(
        'TENCENTCLOUD_REGION = "ap-tokyo"\nrecbot_default_tz = "Asia/Tokyo"\n'
        "RECBOT_RATE_LIMIT = 5\n"
    )
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    monkeypatch.setenv("RECBOT_RATE_LIMIT", "7")
    settings = load_settings()
    assert settings.tencentcloud_region == "ap-tokyo"
    assert settings.recbot_default_tz == "Asia/Tokyo"
    assert settings.recbot_rate_limit == 7


def test_env_style_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "recbot.env"
    path.write_text(
        f"# production\nTENCENTCLOUD_REGION=ap-singapore\nSLACK_SIGNING_SECRET={SECRET}\n"
    )
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    settings = load_settings()
    assert settings.tencentcloud_region == "ap-singapore"
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("TENCENTCLOUD_REGOIN = 'ap-tokyo'\n", "unknown variable(s): TENCENTCLOUD_REGOIN"),
        ("[slack]\ntoken = 'x'\n", "not in tables (slack)"),
        ("REGION = \n", "is not valid TOML"),
    ],
)
def test_a_bad_config_file_is_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "recbot.toml"
    path.write_text(text)
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.user_message.startswith(f"RECBOT_CONFIG_FILE '{path}'")
    assert fragment in caught.value.user_message


def test_a_wrong_value_in_the_file_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "recbot.toml"
    path.write_text("TENCENTCLOUD_REGION = 'ap-tokio'\n")
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    with pytest.raises(ConfigError, match=r"^TENCENTCLOUD_REGION 'ap-tokio' is not a CSS region"):
        load_settings()


def test_require_names_each_missing_variable() -> None:
    settings = Settings(slack_bot_token="xoxb-1")
    with pytest.raises(ConfigError) as caught:
        settings.require(
            "slack_bot_token", "slack_signing_secret", "slack_app_token", why="recbot serve"
        )
    assert caught.value.user_message.splitlines() == [
        "SLACK_SIGNING_SECRET is not set; it is needed for recbot serve",
        "SLACK_APP_TOKEN is not set; it is needed for recbot serve",
    ]


def test_unknown_recbot_variables_are_spotted() -> None:
    names = ["RECBOT_RATELIMIT", "RECBOT_RATE_LIMIT", "RECBOT_CONFIG_FILE", "PATH"]
    assert unknown_variables(names) == ("RECBOT_RATELIMIT",)


# One of each kind through the real command line: enum, key pair, whitespace, number, zone,
# URL, token kind, missing file, config file.
_CLI_KINDS = {
    ("TENCENTCLOUD_REGION",),
    ("TENCENTCLOUD_SECRET_ID",),
    ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
    ("RECBOT_RATE_LIMIT",),
    ("RECBOT_DEFAULT_TZ",),
    ("SLACK_BOT_TOKEN",),
    ("RECBOT_DATABASE_URL",),
    ("RECBOT_ACCESS_FILE",),
    ("RECBOT_CONFIG_FILE",),
}
CLI_CASES = [row for row in BAD_VARIABLES if tuple(row[0]) in _CLI_KINDS]


@pytest.mark.parametrize(("env", "first_line", "fragment"), CLI_CASES)
def test_the_command_line_exits_2_with_the_message_and_no_traceback(
    env: dict[str, str], first_line: str, fragment: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        env={**scrubbed_environ(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert first_line in done.stderr
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert SECRET not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
        ({"SLACK_BOT_TOKEN": "xoxb-" + SECRET}, ["SLACK_SIGNING_SECRET"]),
    ],
)
def test_serve_names_each_missing_variable_and_exits_2(
    env: dict[str, str], missing: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0"],
        env={**scrubbed_environ(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    for name in missing:
        assert f"{name} is not set" in done.stderr
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stderr + done.stdout


def test_an_empty_variable_means_not_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECBOT_RATE_LIMIT", "")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    path = tmp_path / "recbot.env"
    path.write_text("RECBOT_API_TIMEOUT=\nTENCENTCLOUD_REGION=ap-seoul\n")
    monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    settings = load_settings()
    assert settings.recbot_rate_limit == 20
    assert settings.recbot_api_timeout == 10
    assert settings.slack_bot_token is None
    assert settings.tencentcloud_region == "ap-seoul"


def test_url_passwords_do_not_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECBOT_DATABASE_URL", f"postgresql://bot:{SECRET}@db:5432/recbot")
    monkeypatch.setenv("RECBOT_REDIS_URL", f"redis://:{SECRET}@cache:6379/0")
    settings = load_settings()
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert "postgresql://bot:***@db:5432/recbot" in repr(settings)
    assert settings.recbot_database_url.endswith(f"{SECRET}@db:5432/recbot")  # still usable


def test_default_zone_is_read_by_the_one_zone_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """R18: any-case IANA names are read as `--tz` reads them and stored by their real name;
    a fixed offset is refused, since stored zones must follow daylight saving."""
    monkeypatch.setenv("RECBOT_DEFAULT_TZ", "asia/tokyo")
    assert load_settings().recbot_default_tz == "Asia/Tokyo"
    monkeypatch.setenv("RECBOT_DEFAULT_TZ", "+05:45")
    with pytest.raises(ConfigError, match="RECBOT_DEFAULT_TZ '\\+05:45' is a fixed UTC offset"):
        load_settings()
