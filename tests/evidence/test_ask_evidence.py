"""`recbot ask --json` on the embedded simulator: every task carries its Recording evidence."""

from __future__ import annotations

import json

import pytest

from bot.cli import main


def test_ask_json_on_the_simulator_carries_recording_evidence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["ask", "--json", "--now", "2026-07-27T10:00:00+00:00", "yesterday"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0
    states = {t["Recording"]["state"] for t in body["tasks"]}
    assert states <= {"recorded", "failed", "in_progress", "no_evidence"}
    assert "recorded" in states
    assert any(t["Recording"]["files"] for t in body["tasks"])


def test_ask_refuses_alert_setup_outside_slack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "alert livetest"]) == 2
    assert "Alerts are set up in Slack" in capsys.readouterr().err
