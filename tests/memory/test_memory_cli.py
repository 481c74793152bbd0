"""Team memory in the terminal: `recbot ask` uses the same names and saved questions and
records each question; `recbot audit` reads the trail as text, JSON lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from bot.cli import main
from bot.css.simulator import Simulator
from bot.tasks import RecordTask

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)


def task(task_id: str, domain: str, stream: str, hour: int) -> RecordTask:
    start = NOW.replace(hour=hour)
    return RecordTask(task_id, domain, "live", stream, start, start.replace(hour=hour + 2), 0, None)


TASKS = [
    task("cam1-a", "a.push.example", "cam1", 2),
    task("cam2-a", "a.push.example", "cam2", 3),
    task("other-a", "other.push.example", "cam9", 3),
]
ACCESS = """
[scopes.CSCOPED]
domains = ["a.push.example"]
[default_scope]
domains = ["a.push.example", "other.push.example"]
"""


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    with Simulator(TASKS, now=NOW, rate_limit=None) as sim:
        access = tmp_path / "access.toml"
        access.write_text(ACCESS)
        monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", sim.secret_id)
        monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", sim.secret_key)
        monkeypatch.setenv("RECBOT_CSS_ENDPOINT", sim.url)
        monkeypatch.setenv("RECBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'recbot.sqlite3'}")
        monkeypatch.setenv("RECBOT_ACCESS_FILE", str(access))
        with time_machine.travel(NOW, tick=True):
            yield tmp_path


def ask(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["ask", "--tz", "UTC", "--now", NOW.isoformat(), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def ask_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = ask(capsys, "--json", *args)
    assert code == 0, err
    body: dict[str, Any] = json.loads(out)
    return body


def audit(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["audit", *args]) == 0
    return capsys.readouterr().out


def test_a_name_made_in_the_terminal_is_used_there_with_its_expansion(
    terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = ask(capsys, "--channel", "CMAIN", "name studio-a stream:cam1,cam2")
    assert code == 0
    assert "studio-a = cam1, cam2" in out
    code, out, _ = ask(capsys, "--channel", "CMAIN", "studio-a today")
    assert out.splitlines()[0] == "studio-a = cam1, cam2"
    body = ask_json(capsys, "--channel", "CMAIN", "studio-a today")
    assert body["names"] == ["studio-a = cam1, cam2"]
    assert sorted(t["TaskId"] for t in body["tasks"]) == ["cam1-a", "cam2-a"]
    # Another place does not see it: "studio-a" is then just a stream of that name.
    other = ask_json(capsys, "--channel", "COPS", "studio-a today")
    assert "names" not in other
    assert other["request"]["streams"] == ["studio-a"]


def test_a_saved_question_runs_from_the_terminal(
    terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ask(capsys, "--user", "UALICE", "save mine stream:cam2 today")[0] == 0
    body = ask_json(capsys, "--user", "UALICE", "mine")
    assert body["names"] == ["mine = stream:cam2 today"]
    assert [t["TaskId"] for t in body["tasks"]] == ["cam2-a"]


def test_the_channels_scope_applies_in_the_terminal_too(
    terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = ask(capsys, "--channel", "CSCOPED", "name leak domain:other.push.example")
    assert code == 2
    assert "outside" in err
    code, _, err = ask(capsys, "--channel", "CSCOPED", "domain:other.push.example today")
    assert code == 2
    assert "may only see" in err


def test_every_question_is_recorded_once_and_read_back_three_ways(
    terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(capsys, "--user", "UALICE", "cam1 today")
    ask(capsys, "--user", "UBOB", "cam1 next blursday")
    lines = [json.loads(x) for x in audit(capsys, "--json").splitlines()]
    assert [(r["user_id"], r["text"], r["outcome"]) for r in lines] == [
        ("UBOB", "cam1 next blursday", "parse_error"),
        ("UALICE", "cam1 today", "answered"),
    ]
    assert lines[1]["surface"] == "cli"
    assert lines[1]["api_calls"] >= 1
    assert lines[1]["understood"].startswith("answer streams=cam1 status=all")
    assert "blursday" in lines[0]["reason"]
    rows = list(csv.DictReader(io.StringIO(audit(capsys, "--csv", "--user", "UALICE"))))
    assert [r["text"] for r in rows] == ["cam1 today"]
    text = audit(capsys, "--since", "today", "--user", "UBOB")
    assert "cam1 next blursday" in text
    assert "cam1 today" not in text
    assert audit(capsys, "--since", "tomorrow") == "No questions recorded for that.\n"


def test_a_bad_since_phrase_is_one_line_and_exit_2(
    terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--since", "next blursday"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("recbot audit: ")
    assert len(err.strip().splitlines()) == 1


def test_without_a_database_the_question_is_still_answered(
    terminal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = terminal / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("RECBOT_DATABASE_URL", f"sqlite:///{blocked / 'recbot.sqlite3'}")
    code, out, err = ask(capsys, "cam1 today")
    assert code == 0
    assert "cam1" in out
    assert "could not be opened" in err
