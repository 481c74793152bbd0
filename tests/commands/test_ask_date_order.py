"""`recbot ask` reads a numeric date in the workspace's RECBOT_DATE_ORDER and says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.css.simulator import Simulator

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("order", "day", "said"),
    [("DMY", "Aug 3", True), ("MDY", "Mar 8", False)],
)
def test_ask_reads_the_numeric_date_in_the_order(
    order: str,
    day: str,
    said: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Simulator(count=5, now=NOW) as sim:
        monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", sim.secret_id)
        monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", sim.secret_key)
        monkeypatch.setenv("RECBOT_CSS_ENDPOINT", sim.url)
        monkeypatch.setenv("RECBOT_DATABASE_URL", f"sqlite:///{tmp_path}/recbot.sqlite3")
        monkeypatch.setenv("RECBOT_DATE_ORDER", order)
        code = main(["ask", "--tz", "UTC", "--now", NOW.isoformat(), "3/8/2026"])
    out = capsys.readouterr().out
    assert code == 0, out
    understood = next(line for line in out.splitlines() if line.startswith("Understood"))
    assert day in understood
    assert ("dates read day/month" in understood) is said
