"""`recbot ask --json` end to end over real wire: the SDK signs and sends to the loopback CSS
simulator; the expected TaskIds are computed here by brute force from the simulator's own data,
with windows worked out by hand (not by the time-phrase engine)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.cli import main
from bot.css.simulator import Simulator
from bot.render import SlackMessage, check_message
from bot.tasks import RecordTask
from tests.conftest import scrubbed_environ

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)  # Monday 19:00 in Tokyo
TOKYO = ZoneInfo("Asia/Tokyo")
DOMAIN = "5000.live.push.example.com"


def tokyo(day: int, hour: int = 0, month: int = 7) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TOKYO)


def status(task: RecordTask, now: datetime = NOW) -> str:
    if task.stopped is not None:
        return "stopped"
    if now < task.start:
        return "scheduled"
    return "running" if now < task.end else "finished"


@dataclass(frozen=True)
class Case:
    text: str
    start: datetime
    end: datetime
    streams: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    status: str = "all"
    question: bool = False

    def expected(self, tasks: tuple[RecordTask, ...]) -> list[str]:
        return sorted(
            t.task_id
            for t in tasks
            if t.start < self.end
            and t.end > self.start
            and (not self.streams or t.stream in self.streams)
            and (not self.apps or t.app in self.apps)
            and (not self.domains or t.domain in self.domains)
            and self.status in ("all", status(t))
        )


CASES = [
    Case("yesterday", tokyo(26), tokyo(27)),
    Case("livetest yesterday", tokyo(26), tokyo(27), streams=("livetest",)),
    Case(
        "did livetest record yesterday afternoon?",
        tokyo(26, 12),
        tokyo(26, 19),
        streams=("livetest",),
        question=True,
    ),
    Case(
        f"<@U0BOT> what's recording right now on <http://{DOMAIN}|{DOMAIN}>?",
        NOW - timedelta(hours=24),
        NOW + timedelta(hours=24),
        domains=(DOMAIN,),
        status="running",
    ),
    Case(
        "anything stopped early last week?", tokyo(20), tokyo(27), status="stopped", question=True
    ),
    Case(
        "scheduled stream:cam1", NOW, NOW + timedelta(days=7), streams=("cam1",), status="scheduled"
    ),
    Case(
        "cam1 on b.push.example.net last 3 days",
        NOW - timedelta(days=3),
        NOW,
        streams=("cam1",),
        domains=("b.push.example.net",),
    ),
    Case(
        "app:studio finished last 7 days",
        NOW - timedelta(days=7),
        NOW,
        apps=("studio",),
        status="finished",
    ),
    Case("stream:cam1,cam2 from Jul 1 to Jul 10", tokyo(1), tokyo(11), streams=("cam1", "cam2")),
    Case("running", NOW - timedelta(hours=24), NOW + timedelta(hours=24), status="running"),
    Case("stats last week", tokyo(20), tokyo(27)),
    Case("lobby this week so far", tokyo(27), NOW, streams=("lobby",)),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(now=NOW, seed=23, count=400, page_size=25, rate_limit=None) as simulator:
        yield simulator


@pytest.fixture
def on_simulator(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", sim.secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", sim.secret_key)
    monkeypatch.setenv("RECBOT_CSS_ENDPOINT", sim.url)
    # Credentials mean Tencent Cloud, whose limits are planned with the machine's clock.
    with time_machine.travel(NOW, tick=True):
        yield sim


def ask(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["ask", "--json", "--tz", "Asia/Tokyo", "--now", NOW.isoformat(), *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.parametrize("case", CASES, ids=[c.text[:40] for c in CASES])
def test_ask_json_finds_exactly_the_overlapping_tasks(
    case: Case, on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, body = ask(capsys, case.text)
    assert code == 0
    expected = case.expected(on_simulator.tasks)
    assert sorted(t["TaskId"] for t in body["tasks"]) == expected
    assert body["request"] == {
        "streams": list(case.streams),
        "apps": list(case.apps),
        "domains": list(case.domains),
        "task_ids": [],
        "status": case.status,
        "start": int(case.start.timestamp()),
        "end": int(case.end.timestamp()),
        "tz": "Asia/Tokyo",
    }
    by_id = {t.task_id: t for t in on_simulator.tasks}
    for item in body["tasks"]:
        assert item == {**by_id[item["TaskId"]].to_api(), "Status": status(by_id[item["TaskId"]])}
    message = SlackMessage(body["text"], body["blocks"])
    assert check_message(message) == []
    if case.question:
        assert body["text"].startswith("*Yes*" if expected else "*No*")


def test_the_cases_cover_empty_and_busy_answers(on_simulator: Simulator) -> None:
    sizes = [len(c.expected(on_simulator.tasks)) for c in CASES]
    assert 0 in sizes or min(sizes) <= 2
    assert max(sizes) >= 20


def test_findings_in_json_name_real_tasks(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, body = ask(capsys, "last 7 days")
    assert code == 0
    ids = {t.task_id for t in on_simulator.tasks}
    kinds = {f["kind"] for f in body["findings"]}
    assert "stopped_early" in kinds
    assert all(set(f["TaskIds"]) <= ids for f in body["findings"])


def test_csv_and_chart_files(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    csv_path, png_path = tmp_path / "out.csv", tmp_path / "out.png"
    code, body = ask(capsys, "--csv", str(csv_path), "--chart", str(png_path), "last 3 days")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert sorted(r["TaskId"] for r in rows) == sorted(t["TaskId"] for t in body["tasks"])
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("next blursday", "blursday"),
        ("stream:a/b yesterday", "a/b"),
        ("<!channel>", "@channel"),
        ("x" * 10_000, "too long"),
        # N18: the echo keeps the whole request, filter part included.
        ("digest daily 09:00 livetest", "'/recordings digest daily 09:00 livetest'"),
    ],
)
def test_unreadable_request_exits_2_with_a_json_error(
    text: str, fragment: str, on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = on_simulator.request_log.calls
    code, body = ask(capsys, text)
    assert code == 2
    assert fragment in body["error"]["message"]
    assert "<" not in body["error"]["message"]
    assert on_simulator.request_log.calls == calls  # nothing was queried


def test_bad_zone_and_time_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--tz", "Mars/Base", "today"]) == 2
    assert "time zone" in json.loads(capsys.readouterr().out)["error"]["message"]
    assert main(["ask", "--json", "--now", "yesterday-ish", "today"]) == 2
    assert "ISO 8601" in json.loads(capsys.readouterr().out)["error"]["message"]


def test_api_failure_exits_1_with_the_plain_message(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", sim.secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "not-the-key")
    monkeypatch.setenv("RECBOT_CSS_ENDPOINT", sim.url)
    with time_machine.travel(NOW, tick=True):
        code = main(["ask", "--now", NOW.isoformat(), "yesterday"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    assert "signature" in captured.err.lower() or "secret" in captured.err.lower()


def test_terminal_answer(on_simulator: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--tz", "Asia/Tokyo", "--now", NOW.isoformat(), "livetest", "yesterday"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Understood: stream livetest · all statuses · yesterday, Jul 26 00:00 → Jul 27" in out
    assert "\x1b[" not in out  # not a terminal: no colour


@pytest.mark.slow
def test_fresh_process_answers_from_the_embedded_simulator(tmp_path: Path) -> None:
    env = scrubbed_environ() | {"HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "yesterday"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["tasks"]
    assert "simulated data" in body["blocks"][-1]["elements"][0]["text"]
    assert "built-in CSS simulator" in out.stderr


def test_stats_json_carries_the_stats_message(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, body = ask(capsys, "stats last week")
    assert code == 0
    fields = next(b["fields"] for b in body["blocks"] if "fields" in b)
    assert [f["text"].split("\n")[0] for f in fields] == [
        "*By status*",
        "*By stream*",
        "*By template*",
        "*By day*",
    ]


def test_help_prints_examples_and_json_help_is_a_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "help"]) == 0
    assert "livetest yesterday" in capsys.readouterr().out
    assert main(["ask", "--json", "help"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert check_message(SlackMessage(body["text"], body["blocks"])) == []


def _parse_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["parse", "--json", *args]) == 0
    record: dict[str, Any] = json.loads(capsys.readouterr().out)
    return record


@pytest.mark.parametrize("zone", ["+05:45", "UTC+8", "gmt-3", "asia/kathmandu"])
def test_ask_reads_a_zone_as_parse_does(
    zone: str, on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """R18/N4: one zone reader; offsets and any-case IANA names work for ask as for parse."""
    code = main(["ask", "--json", "--tz", zone, "--now", NOW.isoformat(), "yesterday"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0, body
    parsed = _parse_json(capsys, "--tz", zone, "--now", NOW.isoformat(), "yesterday")
    assert (body["request"]["start"], body["request"]["end"]) == (parsed["start"], parsed["end"])


def test_ask_takes_the_zone_from_the_offset_of_now_like_parse(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """N5: no --tz: the offset --now carries is the zone, for ask and parse alike."""
    now = "2026-07-27T19:00:00+09:00"
    code = main(["ask", "--json", "--now", now, "yesterday"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0, body
    day = datetime(2026, 7, 26, tzinfo=TOKYO)
    assert (body["request"]["start"], body["request"]["end"]) == (
        int(day.timestamp()),
        int((day + timedelta(days=1)).timestamp()),
    )
    parsed = _parse_json(capsys, "--now", now, "yesterday")
    assert (parsed["start"], parsed["end"]) == (body["request"]["start"], body["request"]["end"])


def test_ask_zone_falls_back_to_the_default_zone_setting(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECBOT_DEFAULT_TZ", "Asia/Tokyo")
    code = main(["ask", "--json", "--now", "2026-07-27T19:00:00", "yesterday"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0, body
    assert body["request"]["tz"] == "Asia/Tokyo"
    assert body["request"]["start"] == int(datetime(2026, 7, 26, tzinfo=TOKYO).timestamp())


def test_json_errors_go_to_stdout_only_and_zone_errors_read_alike(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """N17: with --json one JSON object on stdout and nothing on stderr; without it one line
    on stderr prefixed with the command; the same zone wording from ask and parse."""
    assert main(["ask", "--json", "--tz", "Mars/Base", "today"]) == 2
    captured = capsys.readouterr()
    assert captured.err == ""
    ask_message = json.loads(captured.out)["error"]["message"]
    assert main(["ask", "--tz", "Mars/Base", "today"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"recbot ask: {ask_message}\n")
    assert main(["parse", "--tz", "Mars/Base", "today"]) == 2
    assert capsys.readouterr().err == f"recbot parse: {ask_message}\n"


@pytest.mark.parametrize("flag", ["--csv", "--chart"])
def test_an_unwritable_output_file_is_named_before_any_query(
    flag: str, tmp_path: Path, on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """N1: a missing folder is a clear message and exit 2, not a FileNotFoundError."""
    calls = on_simulator.request_log.calls
    target = tmp_path / "missing" / "out.file"
    code = main(["ask", "--now", NOW.isoformat(), flag, str(target), "yesterday"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"recbot ask: {flag} ")
    assert "does not exist" in err
    assert "Traceback" not in err
    assert on_simulator.request_log.calls == calls


def test_a_bad_phrase_starts_no_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    """R21: everything typed is read first; no credentials and a bad phrase: no simulator."""
    assert main(["ask", "livetest", "next", "blursday"]) == 2
    err = capsys.readouterr().err
    assert "blursday" in err
    assert "simulator" not in err


def test_with_credentials_a_now_beyond_90_days_is_refused(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """N6: Tencent Cloud keeps 90 days by its own clock: an older --now cannot be answered."""
    calls = on_simulator.request_log.calls
    old = (NOW - timedelta(days=120)).isoformat()
    code = main(["ask", "--json", "--now", old, "yesterday"])
    assert code == 2
    assert "more than 90 days ago" in json.loads(capsys.readouterr().out)["error"]["message"]
    assert on_simulator.request_log.calls == calls


@pytest.mark.slow
def test_the_embedded_simulator_follows_an_old_now(capsys: pytest.CaptureFixture[str]) -> None:
    """N6: without credentials the simulator's clock is --now, so a year-old --now answers."""
    old = datetime(2025, 3, 1, 12, tzinfo=UTC)
    code = main(["ask", "--json", "--now", old.isoformat(), "yesterday"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0, body
    assert body["tasks"]
    assert body["request"]["start"] == int(datetime(2025, 2, 28, tzinfo=UTC).timestamp())


def test_with_redis_ask_uses_the_shared_cache(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """R22: with RECBOT_REDIS_URL the CLI shares the replicas' rate budget and cache."""
    import redis

    from tests.support.redis_keys import REDIS_URL, unique_prefix

    with unique_prefix() as prefix:
        monkeypatch.setenv("RECBOT_REDIS_URL", REDIS_URL)
        monkeypatch.setenv("RECBOT_REDIS_PREFIX", prefix)
        code, body = ask(capsys, "yesterday")
        assert code == 0, body
        client: redis.Redis = redis.Redis.from_url(REDIS_URL)
        try:
            assert list(client.scan_iter(match=prefix + "*"))
        finally:
            client.close()


# --- pasted TaskIds: real TaskIds of the simulator's own tasks --------------------------------


def _armed(task: RecordTask) -> bool:
    """Brute force of "did it record": began by NOW, and no stop cancelled it first."""
    return task.start <= NOW and (task.stopped is None or task.stopped > task.start)


def _picks(tasks: tuple[RecordTask, ...]) -> list[RecordTask]:
    """The oldest task, a recent finished one, a stopped one and the last scheduled one."""
    finished = [t for t in tasks if status(t) == "finished"]
    return [
        tasks[0],
        finished[-1],
        next(t for t in tasks if status(t) == "stopped"),
        [t for t in tasks if status(t) == "scheduled"][-1],
    ]


def test_did_a_pasted_task_id_record_searches_all_the_api_keeps(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.plan import oldest_allowed

    picks = _picks(on_simulator.tasks)
    assert picks[0].start < NOW - timedelta(days=80)  # far outside the default now ± 24 h
    for task in picks:
        code, body = ask(capsys, f"did {task.task_id} record?")
        assert code == 0, body
        assert [t["TaskId"] for t in body["tasks"]] == [task.task_id]
        assert body["request"]["task_ids"] == [task.task_id]
        assert body["request"]["start"] == int(oldest_allowed(NOW).timestamp())
        assert body["request"]["end"] == int((NOW + timedelta(days=7)).timestamp())
        assert body["text"].startswith("*Yes*" if _armed(task) else "*No*"), body["text"]
        assert check_message(SlackMessage(body["text"], body["blocks"])) == []


def test_a_task_id_the_api_does_not_know_is_answered_plainly(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = "+" + on_simulator.tasks[0].task_id[1:][::-1]
    assert unknown not in {t.task_id for t in on_simulator.tasks}
    code, body = ask(capsys, f"did {unknown} record?")
    assert code == 0
    assert body["tasks"] == []
    assert body["text"].startswith(
        "*No* — no task with that TaskId in the last 90 days or the next 7."
    )


def test_a_task_id_with_a_time_keeps_to_that_window(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    yesterday = Case("yesterday", tokyo(26), tokyo(27))
    inside = yesterday.expected(on_simulator.tasks)[0]
    old = on_simulator.tasks[0].task_id
    code, body = ask(capsys, f"task:{inside},{old} yesterday")
    assert code == 0
    assert [t["TaskId"] for t in body["tasks"]] == [inside]
    assert body["request"]["start"] == int(tokyo(26).timestamp())
    assert (
        f"No task with TaskId `…{old[-8:]}` overlapping yesterday"
        in body["blocks"][0]["text"]["text"]
    )


def test_a_terminal_question_about_a_task_id(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    task = _picks(on_simulator.tasks)[1]
    code = main(
        ["ask", "--tz", "Asia/Tokyo", "--now", NOW.isoformat(), f"did {task.task_id} record"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"Yes — 1 task for TaskId …{task.task_id[-8:]}, the last 90 days")
    assert f"task {task.task_id} · all statuses · the last 90 days and the next 7" in out


def test_an_ill_shaped_task_filter_exits_2_and_asks_nothing(
    on_simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = on_simulator.request_log.calls
    code, body = ask(capsys, "task:Ab3Xy9 yesterday")
    assert code == 2
    assert (
        "'Ab3Xy9' is not a TaskId: a TaskId is the 40 to 100 base64 characters"
        in (body["error"]["message"])
    )
    assert on_simulator.request_log.calls == calls
