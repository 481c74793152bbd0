"""Renderers: Answer -> Slack message, terminal text, CSV, PNG chart, text timeline.

Heavy libraries (rich, matplotlib) are imported only inside the functions that draw.
"""

from bot.render.actions import (
    ACTION_CHART,
    ACTION_EXPORT,
    ACTION_IDS,
    ACTION_NEXT,
    ACTION_PREV,
    ACTION_SHARE,
    ActionValue,
    decode_action_value,
    encode_action_value,
)
from bot.render.blocks import (
    render_answer,
    render_error,
    render_for_request,
    render_help,
    render_stats,
    render_timeline_message,
)
from bot.render.chart import render_chart_png
from bot.render.csv import render_csv
from bot.render.escape import mrkdwn
from bot.render.limits import check_message
from bot.render.message import SlackMessage
from bot.render.text import render_terminal
from bot.render.timeline import render_text_timeline

__all__ = [
    "ACTION_CHART",
    "ACTION_EXPORT",
    "ACTION_IDS",
    "ACTION_NEXT",
    "ACTION_PREV",
    "ACTION_SHARE",
    "ActionValue",
    "SlackMessage",
    "check_message",
    "decode_action_value",
    "encode_action_value",
    "mrkdwn",
    "render_answer",
    "render_chart_png",
    "render_csv",
    "render_error",
    "render_for_request",
    "render_help",
    "render_stats",
    "render_terminal",
    "render_text_timeline",
    "render_timeline_message",
]
