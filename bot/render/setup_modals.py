"""Block Kit for the "Set up an alert" and "Name a set of streams" modals, and the typed
commands their forms stand for. Pure: values in, views and command text out.

They are built from the same pieces as the digest modal (`bot/render/modals.py`): the channel
select, the pickers (several names each here), the free text field. Every submission becomes
the command people type (`alert …`, `name …`), run by the same code with the same checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.render.modals import (
    ACTION_PREFIX,
    channel_select,
    modal,
    radio_field,
    set_pickers,
    text_field,
)

ALERT_VIEW = "recbot_alert_modal"
NAME_VIEW = "recbot_name_modal"
LEVELS = (
    ("failures", "Failures only (start failed, recording error)"),
    ("all", "Starts, ends and failures"),
)
EVERYWHERE = "everywhere"
FILTERS_HINT = "More filters as you would type them, e.g. stream:cam7 domain:a.push.example"


def alert_view(metadata: str, channel: str | None = None) -> dict[str, Any]:
    """Channel, streams/apps/domains (none: every stream the channel may see), and level."""
    blocks = [
        channel_select("Post alerts in", channel, optional=False),
        *set_pickers(),
        text_field("Other filters", FILTERS_HINT),
        radio_field("level", "Tell the channel about", LEVELS),
    ]
    return modal(ALERT_VIEW, "Set up an alert", "Set up", metadata, blocks)


def name_view(metadata: str) -> dict[str, Any]:
    """A name, what it stands for, where it is used (a channel, or only you), every channel."""
    name = {
        "type": "plain_text_input",
        "max_length": 40,
        "placeholder": {"type": "plain_text", "text": "e.g. studio-a"},
    }
    everywhere = {
        "type": "checkboxes",
        "options": [
            {
                "text": {"type": "plain_text", "text": "Usable in every channel (recbot admins)"},
                "value": EVERYWHERE,
            }
        ],
    }
    blocks = [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {**name, "action_id": f"{ACTION_PREFIX}name"},
        },
        *set_pickers(),
        text_field("Other filters", FILTERS_HINT),
        channel_select(
            "For channel", None, hint="Where the name is used. Empty: only you, in direct messages."
        ),
        {
            "type": "input",
            "block_id": EVERYWHERE,
            "optional": True,
            "label": {"type": "plain_text", "text": "Every channel"},
            "element": {**everywhere, "action_id": f"{ACTION_PREFIX}{EVERYWHERE}"},
        },
    ]
    return modal(NAME_VIEW, "Name a set of streams", "Save", metadata, blocks)


def set_filters(
    streams: Sequence[str], apps: Sequence[str], domains: Sequence[str], typed: str
) -> str:
    """The picked names and the typed filters as request text (`stream:a,b app:x …`)."""
    words = [
        f"{key}:{','.join(values)}"
        for key, values in (("stream", streams), ("app", apps), ("domain", domains))
        if values
    ]
    words.append(" ".join(typed.split()))
    return " ".join(w for w in words if w)


def alert_args(filters: str, level: str) -> str:
    """The `alert …` arguments the form stands for."""
    return " ".join(w for w in (filters, level if level == "all" else "failures") if w)


def name_args(name: str, filters: str, everywhere: bool) -> str:
    """The `name …` command the form stands for."""
    words = ["name", name.strip(), filters, "--everywhere" if everywhere else ""]
    return " ".join(w for w in words if w)
