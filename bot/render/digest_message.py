"""Digest -> SlackMessage (Block Kit within Slack's limits).

Built from the answer renderers' pieces (filters text, task line, finding sentences, footer,
escaping), so a digest reads like an answer. Long lists are cut with "… and N more", never
silently.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.digest.content import Digest, StreamCount
from bot.digest.schedule import Kind
from bot.render.blocks import filters_text, findings_text, footer, name, task_line
from bot.render.escape import mrkdwn
from bot.render.format import (
    duration,
    plain_time,
    plural,
    slack_time_format,
    zone_name,
)
from bot.render.message import SlackMessage
from bot.tasks import RecordTask, Status

MAX_TASK_LINES = 15
MAX_STREAM_LINES = 25
SECTION_LIMIT = 2900  # under Slack's 3,000 per text, with room for a "more" line


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _task_line(task: RecordTask, digest: Digest) -> str:
    # A digest lists streams together, so each line names its stream before the answer's line.
    fmt = slack_time_format(digest.zone)
    return f"{name(task.stream)} " + task_line(
        task, digest.answer.status_of(task), digest.zone, fmt
    )


def _lines_block(lines: list[str], limit: int, more_hint: str) -> dict[str, Any] | None:
    shown: list[str] = []
    size = 0
    for line in lines[:limit]:
        if size + len(line) + 1 > SECTION_LIMIT:
            break
        shown.append(line)
        size += len(line) + 1
    if not shown:
        return None
    hidden = len(lines) - len(shown)
    if hidden:
        shown.append(f"… and {hidden} more ({more_hint})")
    return _section("\n".join(shown))


def _stream_line(row: StreamCount) -> str:
    counts = [plural(row.finished, "finished"), f"{row.stopped} stopped early"]
    if row.other:
        counts.append(f"{row.other} running/scheduled")
    return f"{name(row.stream.stream)}: {plural(row.total, 'task')} ({', '.join(counts)})"


def render_digest(digest: Digest, *, late_by: timedelta | None = None) -> SlackMessage:
    zone = digest.zone
    start = digest.period_start.astimezone(zone)
    last_day = (digest.period_end - timedelta(seconds=1)).astimezone(zone)
    ask = f"/recordings {digest.query.request_text}".rstrip() + " "
    if digest.query.kind is Kind.DAILY:
        title = f"Daily digest: {start:%a} {start:%b} {start.day}"
        period = "Yesterday"
        hint = f"`{mrkdwn(ask)}yesterday`"
    else:
        title = f"Weekly digest: {start:%b} {start.day} – {last_day:%b} {last_day.day}"
        period = "Last 7 days"
        hint = f"`{mrkdwn(ask)}last 7 days`"
    title += f" ({zone_name(digest.period_end, zone)})"
    if late_by is not None:
        title += " · late"

    finished, stopped = digest.count(Status.FINISHED), digest.count(Status.STOPPED)
    summary = (
        f"*{period}* for {filters_text(digest.answer)}: {plural(finished, 'task')} finished, "
        f"{stopped} stopped early, {plural(len(digest.findings), 'finding')}"
    )
    if digest.query.kind is Kind.DAILY:
        summary += f"; *today* {len(digest.upcoming)} still scheduled"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        _section(summary),
    ]
    if late_by is not None:
        due = plain_time(digest.slot, zone) + " " + zone_name(digest.slot, zone)
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": (
                            f":hourglass: Posted late: due {due}, the bot was unavailable for "
                            f"{duration(late_by)}."
                        ),
                    }
                ],
            }
        )
    if digest.query.kind is Kind.WEEKLY:
        rows = [_stream_line(r) for r in digest.per_stream]
        blocks.append(
            _lines_block(rows, MAX_STREAM_LINES, f"ask {hint}")
            or _section("No tasks in these 7 days.")
        )
    else:
        done = _lines_block(
            [_task_line(t, digest) for t in digest.done], MAX_TASK_LINES, f"ask {hint}"
        )
        blocks.append(done or _section("Nothing finished yesterday."))
    findings = digest.findings.all()
    if findings:
        blocks.append(_section(findings_text(findings, digest.answer)))
    if digest.query.kind is Kind.DAILY:
        blocks.append(_section("*Today, scheduled*"))
        upcoming = _lines_block(
            [_task_line(t, digest) for t in digest.upcoming],
            MAX_TASK_LINES,
            f"ask `{mrkdwn(ask)}scheduled today`",
        )
        blocks.append(upcoming or _section("Nothing scheduled."))
    parts = footer(digest.stats)
    parts.extend(mrkdwn(n) for n in digest.notes)
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(parts)[:2000]}]}
    )
    text = f"{title}: {finished} finished, {stopped} stopped early"
    if digest.query.kind is Kind.DAILY:
        text += f", {len(digest.upcoming)} scheduled today"
    return SlackMessage(text=text, blocks=blocks)
