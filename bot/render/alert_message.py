"""Alert messages: one recording event posted to a subscribed channel, and the replies to
`alert …` commands. Times are `<!date>` tokens, so each reader sees their own zone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.evidence.events import RecordEvent, RecordingEvent
from bot.findings import Finding, FindingKind
from bot.render.actions import ACTION_SHARE, encode_action_value
from bot.render.escape import code, mrkdwn
from bot.render.format import EVENT_WORDS, duration, short_id, slack_time_format, task_span
from bot.render.message import SlackMessage
from bot.render.unpostable import render_paused
from bot.tasks import RecordTask

ALERT_EMOJI = {
    RecordEvent.START_FAILED: ":x:",
    RecordEvent.ERROR: ":x:",
    RecordEvent.START_SUCCEEDED: ":red_circle:",
    RecordEvent.ENDED: ":white_check_mark:",
}
SHOW_RECORDINGS = "Show recordings"


def show_request(stream: str) -> str:
    """The question the "Show recordings" button asks: this stream, around the alert's time."""
    return f"stream:{stream}"


def _alert_message(
    head: str, detail: str, text: str, *, stream: str, at: datetime, zone_key: str | None
) -> SlackMessage:
    """An alert: what and where, then task and alert number, and a Show recordings button."""
    value = encode_action_value(show_request(stream), 0, at, zone_key)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": detail}]},
        {
            "type": "actions",
            "block_id": "recbot_actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": SHOW_RECORDINGS, "emoji": True},
                    "action_id": ACTION_SHARE,
                    "value": value,
                }
            ],
        },
    ]
    return SlackMessage(mrkdwn(text)[:3000], blocks)


def _where(stream: str, app: str, domain: str) -> str:
    return f"stream {code(stream[:80])} ({code(app[:40])} · {code(domain[:80])})"


def render_alert(
    event: RecordingEvent, subscription_id: int, zone: tzinfo, zone_key: str | None
) -> SlackMessage:
    fmt = slack_time_format(zone)
    what = EVENT_WORDS.get(event.event.value, event.event.value)
    emoji = ALERT_EMOJI.get(event.event, ":information_source:")
    task = f"task {code(short_id(event.task_id))}" if event.task_id else "not from a task"
    title = what[:1].upper() + what[1:]
    head = (
        f"{emoji} *{mrkdwn(title)}* — {_where(event.stream, event.app, event.domain)} "
        f"at {fmt(event.time, True)}"
    )
    detail = f"{task} · alert {subscription_id}"
    if event.detail:
        detail += f" · detail {code(event.detail[:300])}"
    text = f"{title}: {event.stream} at {fmt(event.time, True)}"
    return _alert_message(head, detail, text, stream=event.stream, at=event.time, zone_key=zone_key)


def render_task_alert(
    finding: Finding,
    task: RecordTask,
    subscription_id: int,
    zone: tzinfo,
    zone_key: str | None,
) -> SlackMessage:
    """An alert no callback announced: `task` was cut short by a stop, or began more than
    5 minutes ago with no recording callback (`finding` says which)."""
    fmt = slack_time_format(zone)
    where = _where(task.stream, task.app, task.domain)
    scheduled = f"scheduled {task_span(task, zone, fmt)}"
    if finding.kind is FindingKind.STOPPED_EARLY and task.stopped is not None:
        at = task.stopped
        title, emoji = "Stopped early", ":octagonal_sign:"
        why = f"{duration(task.end - at)} cut off by a stop"
    else:
        at = task.start
        title, emoji = "Nothing received", ":grey_question:"
        why = "no recording callback since it began (the stream may not be pushed)"
    head = f"{emoji} *{title}* — {where} at {fmt(at, True)}"
    detail = f"task {code(short_id(task.task_id))} · {scheduled} · {why} · alert {subscription_id}"
    text = f"{title}: {task.stream} at {fmt(at, True)}"
    return _alert_message(head, detail, text, stream=task.stream, at=at, zone_key=zone_key)


@dataclass(frozen=True)
class AlertLine:
    """One alert of `alert list`."""

    number: int
    filters: str
    level: str
    created: datetime
    paused_at: datetime | None = None
    paused_why: str = ""


def render_alert_list(lines: Sequence[AlertLine], zone: tzinfo) -> SlackMessage:
    """`alert list`: number, filters, level and since when, for this channel; paused ones
    say so, why, and how to turn them back on."""
    if not lines:
        text = "No recording alerts in this channel. Add one with `/recordings alert livetest`."
        return SlackMessage(text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
    fmt = slack_time_format(zone)
    rows = []
    for line in lines:
        row = (
            f"*{line.number}* · {code(line.filters or 'all streams')} · {line.level} · "
            f"since {fmt(line.created, True)}"
        )
        if line.paused_at is not None:
            row += (
                f" · :double_vertical_bar: *paused* {fmt(line.paused_at, True)}: Slack refused "
                f"posts here ({code(line.paused_why or 'refused')}); fix that (`/invite @recbot`), "
                f"then `/recordings alert on {line.number}`"
            )
        rows.append(row)
    text = "*Recording alerts in this channel*\n" + "\n".join(rows)
    return SlackMessage(
        f"{len(lines)} recording alerts",
        [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}],
    )


def render_alert_paused(
    subscription_id: int, filters: str, channel: str, error: str
) -> SlackMessage:
    """The one DM an alert's creator gets when Slack will not let recbot post its alerts."""
    return render_paused(
        f"Your recording alert #{subscription_id} ({filters or 'all streams'})",
        channel,
        error,
        resume=f"turn it back on with `/recordings alert on {subscription_id}` in <#{channel}>.",
    )


def render_alert_reply(text: str) -> SlackMessage:
    return SlackMessage(
        mrkdwn(text), [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )
