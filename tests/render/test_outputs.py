"""Button values, CSV, PNG chart, text timeline and terminal output."""

from __future__ import annotations

import csv
import io
import json
import struct

import pytest
from rich.console import Console

from bot.errors import ParseError
from bot.render import (
    ActionValue,
    decode_action_value,
    encode_action_value,
    render_chart_png,
    render_csv,
    render_terminal,
    render_text_timeline,
)
from bot.render.actions import MAX_VALUE
from bot.request import MAX_LENGTH, StatusFilter
from bot.tasks import Status
from tests.support.factory import NOW, at, make_answer, request, spread, task
from tests.support.scenarios import every_finding, hostile_names, shared_stream_names

# --- button values ----------------------------------------------------------------------------


def test_action_value_round_trips() -> None:
    value = encode_action_value("livetest yesterday", 3, NOW, "Asia/Tokyo")
    assert decode_action_value(value) == ActionValue("livetest yesterday", 3, NOW, "Asia/Tokyo")
    assert decode_action_value(encode_action_value("", 0, NOW)).zone is None


def test_longest_request_fits_a_button_value() -> None:
    value = encode_action_value("é" * MAX_LENGTH, 10_000, NOW, "America/Argentina/ComodRivadavia")
    assert len(value) <= MAX_VALUE


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "[1,2]",
        '{"v":2,"r":"x","p":0,"n":1785146400}',
        '{"v":1,"r":"x","p":0,"n":1785146400,"extra":1}',
        '{"v":1,"r":5,"p":0,"n":1785146400}',
        '{"v":1,"r":"x","p":-1,"n":1785146400}',
        '{"v":1,"r":"x","p":true,"n":1785146400}',
        '{"v":1,"r":"x","p":99999999,"n":1785146400}',
        '{"v":1,"r":"x","p":0,"n":1785146400000}',
        '{"v":1,"r":"x","p":0,"n":"1785146400"}',
        '{"v":1,"r":"x","p":0,"n":1785146400,"z":"../../etc/passwd"}',
        '{"v":1,"r":"x","p":0,"n":1785146400,"z":"Mars/Olympus"}',
        '{"v":1,"r":"a\\u0000b","p":0,"n":1785146400}',
        '{"v":1,"r":"<!channel>","p":0,"n":1785146400}',
        json.dumps({"v": 1, "r": "x" * 600, "p": 0, "n": 1785146400}),
        "x" * 2001,
    ],
)
def test_tampered_action_values_are_refused(value: str) -> None:
    with pytest.raises(ParseError):
        decode_action_value(value)


# --- CSV --------------------------------------------------------------------------------------


def test_csv_has_every_matching_task_not_a_page() -> None:
    answer = make_answer(spread(300))
    rows = list(csv.DictReader(io.StringIO(render_csv(answer).decode("utf-8"))))
    assert len(rows) == len(answer.tasks) == 300
    assert {r["TaskId"] for r in rows} == {t.task_id for t in answer.tasks}
    first = answer.tasks[0]
    row = next(r for r in rows if r["TaskId"] == first.task_id)
    assert int(row["StartTime"]) == int(first.start.timestamp())
    assert row["Status"] == answer.status_of(first).value
    assert row["StartLocal"].endswith("+09:00")


def test_csv_follows_the_status_filter_and_neutralises_formulas_in_names() -> None:
    tasks = [
        task("a", at(-3), stream="=HYPERLINK(1)"),
        task("b", at(-3), stopped=at(-2.5), stream="-cam", app="@app", domain="+d.example"),
    ]
    answer = make_answer(tasks, request(status=StatusFilter.STOPPED))
    rows = list(csv.DictReader(io.StringIO(render_csv(answer).decode("utf-8"))))
    stopped = str(int(at(-2.5).timestamp()))
    assert [
        (r["TaskId"], r["StreamName"], r["AppName"], r["DomainName"], r["Stopped"]) for r in rows
    ] == [("b", "'-cam", "'@app", "'+d.example", stopped)]


def test_csv_keeps_base64_task_ids_whole() -> None:
    # N15: TaskIds are base64 (a leading `+` is common): the guard would corrupt them.
    ids = ["+AbC/dEf==", "-not-base64-but-an-id", "=x"]
    answer = make_answer([task(i, at(-3 - n)) for n, i in enumerate(ids)])
    rows = list(csv.DictReader(io.StringIO(render_csv(answer).decode("utf-8"))))
    assert sorted(r["TaskId"] for r in rows) == sorted(ids)
    assert all(r["StartTime"].isdigit() and r["TemplateId"] == "0" for r in rows)


# --- pictures ---------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_png_is_a_picture_with_content() -> None:
    from matplotlib import image

    data = render_chart_png(every_finding())
    width, height = png_size(data)
    assert width == 1000
    assert height >= 200
    pixels = image.imread(io.BytesIO(data), format="png")
    # not blank: several colours, and the status colours of the bars are there
    assert pixels.std() > 0.05
    colours = {tuple(round(float(c), 2) for c in px[:3]) for px in pixels.reshape(-1, 4)[::7]}
    assert len(colours) > 10


def test_chart_survives_hostile_names_and_empty_answers() -> None:
    assert png_size(render_chart_png(hostile_names()))[0] == 1000
    empty = make_answer([])
    assert png_size(render_chart_png(empty))[0] == 1000
    dollars = make_answer([task("d", at(-3), stream="$x$_{oops")])
    assert png_size(render_chart_png(dollars))[0] == 1000


def test_text_timeline_marks_status_and_now() -> None:
    answer = make_answer(
        [
            task("f", at(-20)),
            task("r", at(-1), 3, stream="running-one"),
            task("s", at(5), stream="upcoming"),
            task("x", at(-10), stopped=at(-9.5), stream="stopped"),
        ]
    )
    lines = render_text_timeline(answer).splitlines()
    rows = {line.split()[0]: line.split()[1] for line in lines[1:-1]}
    assert set(rows) == {"livetest", "running-one", "upcoming", "stopped"}
    assert "=" in rows["livetest"]
    assert "#" in rows["running-one"]
    assert "+" in rows["upcoming"]
    assert "x" in rows["stopped"]
    assert all(row.index("|") == 24 for row in rows.values())  # now is mid-window
    assert lines[-1].startswith("= finished")


# --- terminal ---------------------------------------------------------------------------------


def terminal_text(answer: object, *, tty: bool) -> str:
    out = io.StringIO()
    # rich decides colour from whether the file is a terminal, as in `recbot ask`.
    console = (
        Console(file=out, force_terminal=True, color_system="standard", width=160)
        if tty
        else Console(file=out, width=160)
    )
    render_terminal(answer, console)  # type: ignore[arg-type]
    return out.getvalue()


def test_terminal_output_has_the_same_content_without_colour_when_piped() -> None:
    text = terminal_text(every_finding(), tty=False)
    assert "\x1b[" not in text
    assert "Understood: all streams · all statuses · now ± 24 h" in text
    assert "8 tasks: 1 scheduled, 1 running, 4 finished, 2 stopped" in text
    assert "recorded twice" in text
    assert "simulated data" in text
    assert text.count("stopped at") >= 2


def test_terminal_output_is_coloured_on_a_tty_and_shows_names_verbatim() -> None:
    assert "\x1b[" in terminal_text(every_finding(), tty=True)
    text = terminal_text(hostile_names(), tty=False)
    assert "<!channel>" in text  # a terminal is not Slack: names are shown as they are
    assert "[/]" not in text


def test_yes_no_first_line_in_the_terminal() -> None:
    yes = make_answer(
        [task("q", at(-3), stopped=at(-2.5))],
        request("x", status=StatusFilter.STOPPED, question=True),
    )
    assert terminal_text(yes, tty=False).startswith("Yes — 1 stopped task for any stream, now")
    no = make_answer([task("q", at(-3))], request("x", status=StatusFilter.STOPPED, question=True))
    assert terminal_text(no, tty=False).startswith("No — no stopped task for any stream, now")
    assert no.counts == ((Status.FINISHED, 1),)


def test_terminal_tables_carry_no_trailing_spaces_when_piped() -> None:
    # N18: a table pads its last column; piped into a file every line ended in spaces.
    for answer in (every_finding(), make_answer(spread(30))):
        text = terminal_text(answer, tty=False)
        assert [line for line in text.splitlines() if line != line.rstrip()] == []
        assert "start – end" in text


def test_counts_line_puts_the_asked_status_first() -> None:
    # N14: "27 scheduled (29 tasks in the window: …)" rather than two lines that disagree.
    tasks = [task("s1", at(5)), task("s2", at(8)), task("r", at(-1), 3)]
    text = terminal_text(make_answer(tasks, request(status=StatusFilter.SCHEDULED)), tty=False)
    assert "2 scheduled (3 tasks in the window: 2 scheduled, 1 running)" in text
    none = terminal_text(make_answer([], request(status=StatusFilter.RUNNING)), tty=False)
    assert "0 running now (no recording tasks in the window)" in none


def test_findings_shown_are_about_listed_tasks() -> None:
    # N14: "is cam1 recording now?" -> no finding about two unlisted scheduled tasks.
    tasks = [
        task("r", at(-1), 3, stream="cam1"),
        task("s1", at(20), stream="cam1"),
        task("s2", at(21), stream="cam1"),
    ]
    running = make_answer(tasks, request(status=StatusFilter.RUNNING))
    assert len(running.findings) == 0
    assert "recorded twice" not in terminal_text(running, tty=False)
    scheduled = make_answer(tasks, request(status=StatusFilter.SCHEDULED))
    assert [f.task_ids for f in scheduled.findings.overlaps] == [("s1", "s2")]


def test_a_stream_name_under_two_domains_is_told_apart_everywhere() -> None:
    # R10/N13: rows are grouped by stream, app and domain; a name alone would look listed twice.
    answer = shared_stream_names()
    text = terminal_text(answer, tty=False)
    assert "cam1 (live @ a.push.example.com)" in text
    assert "cam1 (live @ b.push.example.com)" in text
    assert "solo (" not in text  # a unique name stays short
    findings = text[text.index("Worth a look") :]
    assert "recorded twice: cam1 (live @ a.push.example.com): recorded twice" in findings
    timeline = render_text_timeline(answer)
    assert "cam1 (live @ a.push.example.com):" in timeline
    assert "cam1 (live @ b.push.example.com):" in timeline
    assert png_size(render_chart_png(answer))[0] == 1000


def test_chart_and_terminal_draw_a_status_in_the_same_colour() -> None:
    # R23: one status table; the terminal's running red is the chart's running red.
    from rich.color import Color, ColorSystem

    from bot.render.chart import COLOURS
    from bot.render.format import STATUS_LOOK

    # rich caches a style's escape codes per process, so every test here uses one colour system.
    text = terminal_text(
        make_answer([task("r", at(-1), 3), task("x", at(-9), stopped=at(-8), stream="other")]),
        tty=True,
    )
    red = Color.parse(COLOURS[Status.RUNNING]).downgrade(ColorSystem.STANDARD)
    assert f"\x1b[1;{';'.join(red.get_ansi_codes())}m● running" in text
    amber = Color.parse(COLOURS[Status.STOPPED]).downgrade(ColorSystem.STANDARD)
    assert f"\x1b[{';'.join(amber.get_ansi_codes())}m■ stopped" in text
    assert {s: STATUS_LOOK[s].colour for s in Status} == COLOURS
    assert render_text_timeline(make_answer([])).splitlines()[-1].startswith("= finished")


def test_yes_no_counts_only_tasks_that_recorded() -> None:
    # R7: a task cancelled before it began, or one still to come, did not record.
    from bot.render.blocks import yes_no

    cancelled = task("c", at(-5), stopped=at(-6))
    later = task("l", at(3))
    ask = request("did livetest record", question=True)
    answer = make_answer([cancelled, later], ask)
    assert answer.verdict.yes is False
    assert yes_no(answer).startswith("*No*")
    assert terminal_text(answer, tty=False).startswith("No — no task for any stream")
    recorded = make_answer([cancelled, later, task("r", at(-3))], ask)
    assert recorded.verdict.count == 1
    assert yes_no(recorded).startswith("*Yes* — 1 task")
    assert terminal_text(recorded, tty=False).startswith("Yes — 1 task for any stream")
    # Asked about the schedule, what is to come counts (a cancelled one still does not).
    upcoming = make_answer(
        [cancelled, later], request("x", status=StatusFilter.SCHEDULED, question=True)
    )
    assert upcoming.verdict.count == 1
