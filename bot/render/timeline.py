"""A compact text timeline for where a picture can't go: one row per stream, one character per
slice of the window, the most telling status in each slice, and `|` at now."""

from __future__ import annotations

from collections import defaultdict

from bot.answer import Answer
from bot.findings import StreamKey
from bot.render.format import STATUS_LOOK, answer_shared_names, plain_time, stream_label
from bot.tasks import RecordTask, Status

WIDTH = 48
MAX_ROWS = 20
NAME_WIDTH = 16
# When tasks of several statuses share a slice, show the one that needs attention most.
_RANK = {Status.STOPPED: 4, Status.RUNNING: 3, Status.SCHEDULED: 2, Status.FINISHED: 1}
_ORDER = (Status.FINISHED, Status.RUNNING, Status.SCHEDULED, Status.STOPPED)
LEGEND = "  ".join(f"{STATUS_LOOK[s].char} {s.value}" for s in _ORDER) + "  | now"


def _row(tasks: list[RecordTask], answer: Answer, start: float, step: float) -> str:
    best: list[Status | None] = [None] * WIDTH
    for task in tasks:
        status = answer.status_of(task)
        first = int((task.start.timestamp() - start) // step)
        last = int((task.end.timestamp() - start - 1) // step)
        for i in range(max(first, 0), min(last, WIDTH - 1) + 1):
            current = best[i]
            if current is None or _RANK[status] > _RANK[current]:
                best[i] = status
    return "".join(STATUS_LOOK[s].char if s else "." for s in best)


def render_text_timeline(answer: Answer) -> str:
    start_at, end_at = answer.plan.start, answer.plan.end
    start, span = start_at.timestamp(), max(1.0, (end_at - start_at).total_seconds())
    step = span / WIDTH
    groups: dict[StreamKey, list[RecordTask]] = defaultdict(list)
    for task in answer.tasks:
        groups[StreamKey.of(task)].append(task)
    now_col = int((answer.now.timestamp() - start) // step)
    lines = [
        f"{'':{NAME_WIDTH}} {plain_time(start_at, answer.zone)} → "
        f"{plain_time(end_at, answer.zone)} {end_at.astimezone(answer.zone).tzname()}"
    ]
    shared = answer_shared_names(answer)
    for key in sorted(groups)[:MAX_ROWS]:
        row = list(_row(groups[key], answer, start, step))
        if 0 <= now_col < WIDTH:
            row[now_col] = "|"
        if key.stream in shared:
            # The same name under several apps/domains: a header line says which this is.
            lines.append(f"{stream_label(key, shared)}:")
        name = key.stream if len(key.stream) <= NAME_WIDTH else key.stream[: NAME_WIDTH - 1] + "…"
        lines.append(f"{name:{NAME_WIDTH}} {''.join(row)}")
    if len(groups) > MAX_ROWS:
        lines.append(f"…and {len(groups) - MAX_ROWS} more streams")
    if not groups:
        lines.append("(no tasks)")
    lines.append(LEGEND)
    return "\n".join(lines)
