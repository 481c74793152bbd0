"""Answer -> terminal output with rich: the same content as the Slack message, as a table.
Colour only when the console is a terminal (rich decides from the Console it is given)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.answer import Answer
from bot.findings import StreamKey
from bot.render.evidence import FROM_SCHEDULE, no_reason, recording_note, untasked_lines
from bot.render.format import (
    FINDING_TITLE,
    STATUS_LOOK,
    answer_shared_names,
    duration,
    finding_sentence,
    footer_parts,
    plain_time_format,
    plural,
    short_id,
    status_label,
    stop_note,
    stream_label,
    task_span,
    template_text,
)
from bot.render.task_ids import ids_label, missing_note, not_found, task_no_reason
from bot.request import StatusFilter

if TYPE_CHECKING:
    from rich.console import Console


def yes_no_line(answer: Answer) -> str:
    """The plain twin of the Slack yes/no line: "Yes — 2 tasks for livetest, yesterday"."""
    n = answer.verdict.count  # only tasks that actually recorded (see Answer.verdict)
    status = answer.request.status
    kind = "" if status is StatusFilter.ALL else f"{status.value} "
    f = answer.filters
    who = ", ".join(f.streams or f.apps or f.domains) or "any stream"
    if f.task_ids:
        who = ids_label(f.task_ids, str)
    when = answer.window.phrase or answer.window.description.split(",")[0]
    schedule = f" ({FROM_SCHEDULE})" if answer.evidence is None else ""
    if n:
        return f"Yes — {n} {kind}{'task' if n == 1 else 'tasks'} for {who}, {when}.{schedule}"
    fmt = plain_time_format(answer.zone)
    reason = no_reason(answer, fmt) or task_no_reason(answer, fmt, str)
    if reason is not None:
        return f"No — {reason}."
    return f"No — no {kind}task for {who}, {when}.{schedule}"


def header_lines(answer: Answer) -> list[str]:
    f = answer.filters
    parts = [
        f"{label} {', '.join(values)}"
        for label, values in (
            ("stream", f.streams),
            ("app", f.apps),
            ("domain", f.domains),
            ("task", f.task_ids),
        )
        if values
    ] or ["all streams"]
    parts.append(status_label(answer.request.status))
    lines = []
    if answer.request.question:
        lines.append(yes_no_line(answer))
    lines.append(f"Understood: {' · '.join(parts)} · {answer.window.description}")
    lines += list(dict.fromkeys(answer.plan.notes + answer.result.notes))
    missing = missing_note(answer, str)
    if missing:
        lines.append(missing)
    lines.append(counts_line(answer))
    return lines


def counts_line(answer: Answer) -> str:
    """`29 tasks: 27 scheduled, 2 finished`; with a status asked for, that count first:
    `27 scheduled (29 tasks in the window: 27 scheduled, 2 finished)`."""
    total = len(answer.result.tasks)
    counts = ", ".join(f"{n} {s.value}" for s, n in answer.counts)
    status = answer.request.status
    if not total:
        gone = not_found(answer)
        if gone:
            return f"{gone}."
    if status is StatusFilter.ALL:
        return f"{plural(total, 'task')}: {counts}" if total else "No recording tasks match."
    shown = f"{len(answer.tasks)} {status_label(status)}"
    return (
        f"{shown} ({plural(total, 'task')} in the window: {counts})"
        if total
        else (f"{shown} (no recording tasks in the window)")
    )


def _print_trimmed(console: Console, renderable: Any) -> None:
    """A table pads every cell to its column's width; piped, those trailing spaces are noise
    in a file or a diff, so each line is printed without them."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    for line in captured.get().splitlines():
        console.out(line.rstrip(), highlight=False)


def footer_line(answer: Answer) -> str:
    return " · ".join(footer_parts(answer.result.stats))


def render_terminal(answer: Answer, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    for line in header_lines(answer):
        console.print(escape(line), highlight=False, soft_wrap=True)
    fmt = plain_time_format(answer.zone)
    shared = answer_shared_names(answer)
    if answer.tasks:
        notes = [stop_note(task, answer.zone, fmt) for task in answer.tasks]
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        # Times, lengths and ids stay on one line; only names and notes may fold.
        table.add_column("", no_wrap=True)
        table.add_column("stream", min_width=8, max_width=48, overflow="fold")
        for column in ("start – end", "length", "template", "task"):
            table.add_column(column, no_wrap=True)
        if answer.evidence is not None:
            table.add_column("recording", min_width=10, overflow="fold")
        if any(notes):
            table.add_column("note", min_width=10, overflow="fold")
        for task, note in zip(answer.tasks, notes, strict=True):
            status = answer.status_of(task)
            look = STATUS_LOOK[status]
            cells = [
                f"[{look.style}]{look.symbol} {status.value}[/]",
                # A name under several apps/domains says which: rows are grouped by all three.
                escape(stream_label(StreamKey.of(task), shared)),
                task_span(task, answer.zone, fmt),
                duration(task.end - task.start),
                "default" if task.template_id == 0 else str(task.template_id),
                escape(short_id(task.task_id)),
            ]
            if answer.evidence is not None:
                recording = answer.evidence.of(task.task_id)
                cells.append(escape(recording_note(recording, fmt, plain=True)))
            table.add_row(*cells, *([escape(note)] if any(notes) else []))
        _print_trimmed(console, table)
    for line in untasked_lines(answer, fmt, str, plain=True):
        console.print(escape(line), highlight=False)
    findings = answer.findings.all()
    if findings:
        console.print(f"Worth a look ({len(findings)}):", style="bold", highlight=False)
        for finding in findings:
            label = stream_label(finding.stream, shared)
            sentence = finding_sentence(finding, answer.now, fmt, label, short_id)
            console.print(f"  {FINDING_TITLE[finding.kind]}: {escape(sentence)}", highlight=False)
    console.print(footer_line(answer), style="dim", highlight=False)


def render_stats_terminal(answer: Answer, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bot.findings import stats

    for line in header_lines(answer)[:-1]:
        console.print(escape(line), highlight=False)
    s = stats(answer.tasks, answer.now, answer.zone)
    rows: list[tuple[str, list[tuple[str, int]]]] = [
        ("status", [(st.value, n) for st, n in s.by_status]),
        ("stream", list(s.by_stream)),
        ("template", [(template_text(t), n) for t, n in s.by_template]),
        ("day", [(d.isoformat(), n) for d, n in s.by_day]),
    ]
    for title, counts in rows:
        table = Table(title=f"by {title}", box=None, show_header=False)
        table.add_column(title)
        table.add_column("tasks", justify="right")
        for label, n in counts:
            table.add_row(escape(label), str(n))
        _print_trimmed(console, table)
    console.print(footer_line(answer), style="dim", highlight=False)
