"""The two settings `recbot parse` reads without pydantic (bot/phrase_settings.py) read exactly
as `load_settings` reads them: same values, same sources, same messages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.phrase_settings import PhraseSettings, read_phrase_settings
from tests.conftest import scrubbed_environ

# (environment, config file name and text or None)
CASES: list[tuple[dict[str, str], tuple[str, str] | None]] = [
    ({}, None),
    ({"RECBOT_DEFAULT_TZ": "asia/tokyo"}, None),
    ({"recbot_date_order": " dmy"}, None),
    ({"RECBOT_DEFAULT_TZ": "", "RECBOT_DATE_ORDER": ""}, None),
    ({"RECBOT_DEFAULT_TZ": "Mars/Olympus"}, None),
    ({"RECBOT_DEFAULT_TZ": "+05:45"}, None),
    ({"RECBOT_DATE_ORDER": "ymd"}, None),
    ({}, ("recbot.toml", 'recbot_default_tz = "Asia/Kathmandu"\nRECBOT_DATE_ORDER = "dmy"\n')),
    ({"RECBOT_DATE_ORDER": "MDY"}, ("recbot.toml", 'RECBOT_DATE_ORDER = "DMY"\n')),
    ({}, ("recbot.toml", "RECBOT_DATE_ORDER = 5\n")),
    ({}, ("recbot.toml", "RECBOT_DEFAULT_TZ = 5\n")),
    ({}, ("recbot.env", "RECBOT_DEFAULT_TZ=Europe/Berlin\nRECBOT_DATE_ORDER=\n")),
    ({}, ("recbot.toml", "RECBOT_DEFAULT_TZ = \n")),
]


@pytest.mark.parametrize(("env", "file"), CASES)
def test_reads_as_load_settings_reads(
    env: dict[str, str],
    file: tuple[str, str] | None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if file is not None:
        path = tmp_path / file[0]
        path.write_text(file[1])
        monkeypatch.setenv("RECBOT_CONFIG_FILE", str(path))
    assert _outcome(read_phrase_settings) == _outcome(load_settings)


def _outcome(read: Callable[[], object]) -> tuple[str, ...]:
    """(zone, order) as read, or the configuration error's message."""
    try:
        settings = read()
    except ConfigError as error:
        return (error.user_message,)
    if isinstance(settings, PhraseSettings):
        return (settings.default_tz, str(settings.date_order))
    assert isinstance(settings, Settings)
    return (settings.recbot_default_tz, settings.recbot_date_order)


def test_a_bad_setting_parse_does_not_read_leaves_parse_working(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As with PORT: a setting is reported by the commands that use it (and doctor)."""
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-tokio")
    with pytest.raises(ConfigError):
        load_settings()
    assert main(["parse", "--now", "2013-02-12T04:30:00+00:00", "yesterday"]) == 0
    assert "Feb 11 00:00 → Feb 12 00:00" in capsys.readouterr().out


def test_a_bad_phrase_setting_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECBOT_DATE_ORDER", "ymd")
    assert main(["parse", "yesterday"]) == 2
    assert "RECBOT_DATE_ORDER 'YMD': should be 'MDY' or 'DMY'" in capsys.readouterr().err


def test_recbot_parse_loads_no_settings_library_nor_services() -> None:
    """A fresh `recbot parse` imports the grammar and nothing heavy (its start-up time is a
    bench figure, bench/parse.py)."""
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        "code = main(['parse', '--now', '2013-02-12T04:30:00Z', 'yesterday'])\n"
        "heavy = ('pydantic', 'pydantic_settings', 'sqlalchemy', 'slack_sdk', 'slack_bolt',\n"
        "         'tencentcloud', 'dateparser', 'redis', 'bot.config', 'importlib.metadata')\n"
        "print(sorted(m for m in heavy if m in sys.modules), code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=scrubbed_environ(), capture_output=True, check=True
    )
    assert done.stdout.decode().splitlines()[-1] == "[] 0"
