"""`recbot parse`: one phrase, --json, batch on stdin, zones from --tz / --now / environment."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli import main

NOW = "2013-02-12T04:30:00+09:00"


def test_phrase_prints_window_description_and_api_windows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["parse", "--now", NOW, "--tz", "Asia/Tokyo", "yesterday"]) == 0
    out = capsys.readouterr().out
    assert "yesterday, Feb 11 00:00 → Feb 12 00:00 JST" in out
    assert "1360422000..1360681200" in out  # widened by 24 h on each side


def test_json_has_unix_ends_and_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--now", NOW, "--json", "last 30 days"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["end"] - record["start"] == 30 * 86400
    assert record["zone"] == "UTC+09:00"  # the offset --now carries
    assert len(record["api_windows"]) == 6
    assert all(w["end"] - w["start"] <= 7 * 86400 for w in record["api_windows"])


def test_rejected_phrase_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--now", NOW, "next blursday"]) == 2
    err = capsys.readouterr().err
    assert "I couldn't read 'next blursday' as a time" in err
    assert "Traceback" not in err


def test_batch_writes_one_object_per_line_and_exits_2_on_any_rejection(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("yesterday\n\nnext blursday\nsince friday\n"))
    assert main(["parse", "--now", NOW, "--tz", "Asia/Tokyo"]) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {
        "phrase": "yesterday",
        "start": 1360508400,
        "end": 1360594800,
        "description": "yesterday, Feb 11 00:00 → Feb 12 00:00 JST",
    }
    assert set(lines[1]) == {"phrase", "error"}
    assert lines[2]["end"] == 1360611000  # now, unclipped
    assert len(lines) == 3


def test_batch_of_good_phrases_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("until friday\nfrom tomorrow\n"))
    assert main(["parse", "--now", NOW]) == 0
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert first["start"] is None
    assert second["end"] is None


def test_zone_defaults_to_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECBOT_DEFAULT_TZ", "Asia/Kathmandu")
    assert main(["parse", "--now", "2013-02-12T04:30:00", "--json", "today"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["zone"] == "Asia/Kathmandu"
    assert record["start_local"] == "2013-02-12T00:00:00+05:45"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tz", "Mars/Base"], "is not a time zone I know"),
        (["--now", "yesterdayish"], "not an ISO 8601 time"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", *args, "today"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_fresh_process_prints_the_window() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "parse", "--now", NOW, "--tz", "UTC", "yesterday"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "yesterday, Feb 10 00:00 → Feb 11 00:00 UTC" in done.stdout


def test_json_option_errors_are_json_on_stdout_only(capsys: pytest.CaptureFixture[str]) -> None:
    """N17: with --json a bad --tz is one JSON object on stdout, as in `recbot ask --json`."""
    assert main(["parse", "--json", "--tz", "Mars/Base", "today"]) == 2
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "is not a time zone I know" in json.loads(captured.out)["error"]


@pytest.mark.parametrize("zone", ["+05:45", "UTC+5:45", "asia/kathmandu"])
def test_offsets_and_any_case_names_are_zones(
    zone: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", "--json", "--now", "2013-02-12T04:30:00", "--tz", zone, "today"]) == 0
    assert json.loads(capsys.readouterr().out)["start_local"] == "2013-02-12T00:00:00+05:45"
