"""`recbot simulator` refuses bad options and files in words (no tracebacks), and every
subcommand's --help shows its defaults (N2, N3, N18)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from bot.cli import main


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["simulator", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("recbot simulator: ")
    assert "Traceback" not in err
    return err


def test_a_missing_tasks_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _refused(capsys, "--tasks", str(tmp_path / "missing.json"))
    assert "missing.json: no such file" in err


def test_a_tasks_file_that_is_not_json_says_where(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "tasks.json"
    path.write_text("[{'TaskId': 1}]", encoding="utf-8")
    assert "not JSON (line 1, column 3" in _refused(capsys, "--tasks", str(path))


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([{"TaskId": "x"}], "a task has no DomainName; every task needs TaskId, DomainName"),
        ({"tasks": []}, "expected a JSON list of RecordTask objects"),
        (
            [
                {
                    "TaskId": "x",
                    "DomainName": "d",
                    "AppName": "live",
                    "StreamName": "s",
                    "StartTime": "soon",
                    "EndTime": 1,
                }
            ],
            "StartTime/EndTime in Unix seconds",
        ),
    ],
)
def test_a_task_list_of_the_wrong_shape_is_explained(
    document: object, fragment: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert fragment in _refused(capsys, "--tasks", str(path))


def test_a_port_in_use_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = _refused(capsys, "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--port", "99999"], "'99999' is not a port number (0-65535, 0: any free port)"),
        (["--port", "http"], "'http' is not a port number (0-65535"),
        (["--error-rate", "2"], "2.0 is not a share between 0 and 1"),
        (["--count", "-5"], "-5 is less than 1"),
        (["--page-size", "0"], "0 is less than 1"),
        (["--rate-limit", "-1"], "is negative"),
    ],
)
def test_out_of_range_options_are_refused_by_the_parser(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["simulator", *args])
    assert exited.value.code == 2
    assert fragment in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (
            "simulator",
            ["(default: 0)", "(default: 7)", "(default: 20)", "(default: 20.0)", "(default: 0.0)"],
        ),
        ("parse", ["(default: the real clock)", "else RECBOT_DEFAULT_TZ, else UTC"]),
        ("ask", ["(default: the real clock)", "else RECBOT_DEFAULT_TZ, else UTC"]),
    ],
)
def test_help_shows_the_defaults(
    command: str, shown: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for default in shown:
        assert default in text


def test_serve_says_what_each_mode_needs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """N16: the bot token is needed in both modes; the signing secret only in HTTP mode."""
    monkeypatch.delenv("PORT", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set; recbot serve always needs it" in err
    assert "SLACK_SIGNING_SECRET is not set; HTTP mode needs it" in err
    assert "For Socket Mode set SLACK_APP_TOKEN" in err
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A1-1-x")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in err
    assert "SLACK_SIGNING_SECRET" not in err


@pytest.mark.parametrize("port", ["http", "-1", "70000"])
def test_serve_reads_port_through_the_settings(
    port: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """R18: PORT is a setting; a bad one breaks only `recbot serve`, named plainly."""
    monkeypatch.setenv("PORT", port)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["serve"]) == 2
    assert (
        f"PORT '{port}' is not a port number (0-65535, 0: any free port)" in capsys.readouterr().err
    )
    assert main(["parse", "--tz", "UTC", "today"]) == 0
