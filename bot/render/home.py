"""The App Home view: the setup buttons, then what the person made, each with its button (a
digest's Off, a paused digest's Resume, an alert's Off; team memory adds names with Forget),
then the short help."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import RecbotError
from bot.render.blocks import render_error, render_help
from bot.render.digest_replies import ACTION_DIGEST_OFF, DigestLine, describe, section
from bot.render.escape import code, mrkdwn
from bot.render.limits import MAX_BLOCKS
from bot.render.modals import home_buttons
from bot.render.unpostable import resume_button

# A Home tab may hold 100 blocks; the lists leave room for the help below them.
HOME_BLOCKS = 100
MAX_HOME_DIGESTS = 20
MAX_HOME_ITEMS = 20
PAUSED_NOTE = "I couldn't post these in their channel. Invite me there, then press Resume."
NO_DIGESTS_YET = "None yet. In a channel: `/recordings digest daily 09:00 [request]`."
NO_ALERTS_YET = "None yet: *Set up an alert* above, or `/recordings alert cam1` in a channel."
ACTION_ALERT_OFF = "recbot_alert_off"


@dataclass(frozen=True)
class HomeAlertLine:
    """One of the person's alerts as App Home lists it."""

    alert_id: int
    channel_id: str
    request_text: str
    level: str


def button(action_id: str, label: str, value: str, style: str = "danger") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": value,
        "style": style,
    }


def owned_list(
    title: str,
    entries: Sequence[tuple[str, dict[str, Any]]],
    *,
    empty: str | None = None,
    note: str = "",
) -> list[dict[str, Any]]:
    """A header, then one section per (text, button) entry; nothing at all when there are no
    entries and no `empty` sentence to show instead."""
    if not entries and empty is None:
        return []
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}}
    ]
    if note:
        blocks.append(section(note))
    if not entries and empty is not None:
        blocks.append(section(empty))
    blocks += [{**section(text), "accessory": b} for text, b in entries[:MAX_HOME_ITEMS]]
    blocks.append({"type": "divider"})
    return blocks


def describe_alert(line: HomeAlertLine) -> str:
    what = code(line.request_text) if line.request_text else "every stream"
    level = "failures" if line.level == "failures" else "starts, ends and failures"
    return f"*#{line.alert_id}* in <#{mrkdwn(line.channel_id)}>: {what} · {level}"


def render_home(
    digests: Sequence[DigestLine] | None,
    *,
    paused: Sequence[DigestLine] = (),
    alerts: Sequence[HomeAlertLine] | None = None,
) -> dict[str, Any]:
    """The view for views.publish; `digests` None when digests are not set up (or failed);
    `paused` the person's paused digests; `alerts` None when alerts are not set up."""
    blocks = [home_buttons(digests is not None, alerts is not None)]
    if digests is not None:
        blocks += owned_list(
            "Your digests",
            [
                (describe(d), button(ACTION_DIGEST_OFF, "Off", str(d.subscription_id)))
                for d in digests[:MAX_HOME_DIGESTS]
            ],
            empty=NO_DIGESTS_YET,
        )
    blocks += owned_list(
        "Paused digests",
        [(describe(d), resume_button(d.subscription_id)) for d in paused[:MAX_HOME_DIGESTS]],
        note=PAUSED_NOTE,
    )
    if alerts is not None:
        blocks += owned_list(
            "Your alerts",
            [(describe_alert(a), button(ACTION_ALERT_OFF, "Off", str(a.alert_id))) for a in alerts],
            empty=NO_ALERTS_YET,
        )
    blocks += render_help().blocks
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}


def render_home_refusal(error: RecbotError) -> dict[str, Any]:
    """The view for someone who may not use the bot here: the refusal only."""
    return {"type": "home", "blocks": render_error(error).blocks[:MAX_BLOCKS]}
