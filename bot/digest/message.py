"""Digest -> SlackMessage (Block Kit within Slack's limits) and the metadata that marks it.

Uses the answer renderers' wording (status emoji, time tokens, finding sentences, escaping),
so a digest reads like an answer. Long lists are cut with "… and N more", never silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.digest.content import Digest, StreamCount
from bot.digest.schedule import Kind
from bot.findings import StreamKey
from bot.render.escape import mrkdwn
from bot.render.format import (
    FINDING_EMOJI,
    STATUS_EMOJI,
    duration,
    finding_sentence,
    footer_parts,
    plain_time,
    plural,
    short_id,
    slack_time_format,
    stop_note,
    task_span,
    template_text,
    zone_name,
)
from bot.render.message import SlackMessage
from bot.tasks import RecordTask

METADATA_EVENT = "recbot_digest"
MAX_TASK_LINES = 15
MAX_FINDING_LINES = 10
MAX_STREAM_LINES = 25
SECTION_LIMIT = 2900  # under Slack's 3,000 per text, with room for a "more" line


@dataclass(frozen=True)
class DigestMark:
    """Which subscription and slot a posted message is; read back from Slack after a crash."""

    subscription_id: int
    slot: int  # Unix seconds: metadata is JSON

    def metadata(self) -> dict[str, Any]:
        return {
            "event_type": METADATA_EVENT,
            "event_payload": {"subscription_id": self.subscription_id, "slot": self.slot},
        }

    @classmethod
    def of(cls, message: dict[str, Any]) -> DigestMark | None:
        meta = message.get("metadata")
        if not isinstance(meta, dict) or meta.get("event_type") != METADATA_EVENT:
            return None
        payload = meta.get("event_payload")
        if not isinstance(payload, dict):
            return None
        try:
            return cls(int(payload["subscription_id"]), int(payload["slot"]))
        except (KeyError, TypeError, ValueError):
            return None


def _stream_name(key: StreamKey) -> str:
    return f"`{mrkdwn(key.stream)}`"


def _task_line(task: RecordTask, digest: Digest) -> str:
    fmt = slack_time_format(digest.zone)
    status = task.status_at(digest.now)
    parts = [
        f"{STATUS_EMOJI[status]} `{mrkdwn(task.stream)}` {task_span(task, digest.zone, fmt)}",
        duration(task.end - task.start),
        template_text(task.template_id),
        f"`{mrkdwn(short_id(task.task_id))}`",
    ]
    note = stop_note(task, digest.zone, fmt)
    return " · ".join(parts) + (f" · {note}" if note else "")


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
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(shown)}}


def _filters_text(digest: Digest) -> str:
    f = digest.filters
    parts = [
        f"{name} {', '.join(mrkdwn(v) for v in values)}"
        for name, values in (("stream", f.streams), ("app", f.apps), ("domain", f.domains))
        if values
    ]
    return "; ".join(parts) if parts else "every stream"


def _stream_line(row: StreamCount) -> str:
    counts = [plural(row.finished, "finished"), f"{row.stopped} stopped early"]
    if row.other:
        counts.append(f"{row.other} running/scheduled")
    return f"{_stream_name(row.stream)}: {plural(row.total, 'task')} ({', '.join(counts)})"


def render_digest(digest: Digest, *, late_by: timedelta | None = None) -> SlackMessage:
    zone = digest.zone
    fmt = slack_time_format(zone)
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

    from bot.tasks import Status

    finished, stopped = digest.count(Status.FINISHED), digest.count(Status.STOPPED)
    summary = (
        f"*{period}* for {_filters_text(digest)}: {plural(finished, 'task')} finished, "
        f"{stopped} stopped early, {plural(len(digest.findings), 'finding')}"
    )
    if digest.query.kind is Kind.DAILY:
        summary += f"; *today* {len(digest.upcoming)} still scheduled"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": summary}},
    ]
    if late_by is not None:
        due = plain_time(digest.slot, zone) + " " + zone_name(digest.slot, zone)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f":hourglass: Posted late: due {due}, the bot was unavailable for "
            f"{duration(late_by)}.")}]})
    if digest.query.kind is Kind.WEEKLY:
        rows = [_stream_line(r) for r in digest.per_stream]
        blocks.append(_lines_block(rows, MAX_STREAM_LINES, f"ask {hint}")
                      or {"type": "section", "text": {"type": "mrkdwn",
                                                      "text": "No tasks in these 7 days."}})
    else:
        done = _lines_block([_task_line(t, digest) for t in digest.done], MAX_TASK_LINES,
                            f"ask {hint}")
        blocks.append(done or {"type": "section", "text": {"type": "mrkdwn",
                                                           "text": "Nothing finished yesterday."}})
    findings = [
        f"{FINDING_EMOJI[f.kind]} {finding_sentence(f, digest.now, fmt, _stream_name(f.stream))}"
        for f in digest.findings.all()
    ]
    if findings:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*Worth a look*"}})
        block = _lines_block(findings, MAX_FINDING_LINES, f"ask {hint}")
        if block is not None:
            blocks.append(block)
    if digest.query.kind is Kind.DAILY:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*Today, scheduled*"}})
        upcoming = _lines_block([_task_line(t, digest) for t in digest.upcoming],
                                MAX_TASK_LINES, f"ask `{mrkdwn(ask)}scheduled today`")
        blocks.append(upcoming or {"type": "section", "text": {"type": "mrkdwn",
                                                               "text": "Nothing scheduled."}})
    footer = footer_parts(digest.stats, mrkdwn)
    footer.extend(mrkdwn(n) for n in digest.notes)
    blocks.append({"type": "context",
                   "elements": [{"type": "mrkdwn", "text": " · ".join(footer)[:2000]}]})
    text = f"{title}: {finished} finished, {stopped} stopped early"
    if digest.query.kind is Kind.DAILY:
        text += f", {len(digest.upcoming)} scheduled today"
    return SlackMessage(text=text, blocks=blocks)


def slot_unix(slot: datetime) -> int:
    return int(slot.timestamp())
