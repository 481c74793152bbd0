"""Alert messages: one recording event posted to a subscribed channel, and the replies to
`alert …` commands. Times are `<!date>` tokens, so each reader sees their own zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from bot.evidence.events import RecordEvent, RecordingEvent
from bot.render.actions import ACTION_SHARE, encode_action_value
from bot.render.escape import code, mrkdwn
from bot.render.format import EVENT_WORDS, short_id, slack_time_format
from bot.render.message import SlackMessage

ALERT_EMOJI = {
    RecordEvent.START_FAILED: ":x:",
    RecordEvent.ERROR: ":x:",
    RecordEvent.START_SUCCEEDED: ":red_circle:",
    RecordEvent.ENDED: ":white_check_mark:",
}
SHOW_RECORDINGS = "Show recordings"


def show_request(event: RecordingEvent) -> str:
    """The question the "Show recordings" button asks: this stream, around the event."""
    return f"stream:{event.stream}"


def render_alert(
    event: RecordingEvent, subscription_id: int, zone: tzinfo, zone_key: str | None
) -> SlackMessage:
    fmt = slack_time_format(zone)
    what = EVENT_WORDS.get(event.event.value, event.event.value)
    emoji = ALERT_EMOJI.get(event.event, ":information_source:")
    task = f"task {code(short_id(event.task_id))}" if event.task_id else "not from a task"
    head = (
        f"{emoji} *{mrkdwn(what[:1].upper() + what[1:])}* — stream {code(event.stream[:80])} "
        f"({code(event.app[:40])} · {code(event.domain[:80])}) at {fmt(event.time, True)}"
    )
    detail = f"{task} · alert {subscription_id}"
    if event.detail:
        detail += f" · detail {code(event.detail[:300])}"
    value = encode_action_value(show_request(event), 0, event.time, zone_key)
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
    text = f"{what[:1].upper() + what[1:]}: {event.stream} at {fmt(event.time, True)}"
    return SlackMessage(mrkdwn(text)[:3000], blocks)


def render_alert_list(
    lines: Sequence[tuple[int, str, str, datetime]], zone: tzinfo
) -> SlackMessage:
    """`alert list`: number, filters, level and since when, for this channel."""
    if not lines:
        text = "No recording alerts in this channel. Add one with `/recordings alert livetest`."
        return SlackMessage(text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
    fmt = slack_time_format(zone)
    rows = [
        f"*{n}* · {code(filters or 'all streams')} · {level} · since {fmt(created, True)}"
        for n, filters, level, created in lines
    ]
    text = "*Recording alerts in this channel*\n" + "\n".join(rows)
    return SlackMessage(
        f"{len(lines)} recording alerts",
        [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}],
    )


def render_alert_reply(text: str) -> SlackMessage:
    return SlackMessage(
        mrkdwn(text), [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )
