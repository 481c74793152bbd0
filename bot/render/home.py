"""The App Home view: the person's digests with an Off button each, then the short help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.errors import RecbotError
from bot.render.blocks import render_error, render_help
from bot.render.digest_paused import resume_button
from bot.render.digest_replies import ACTION_DIGEST_OFF, DigestLine, describe, section
from bot.render.limits import MAX_BLOCKS
from bot.render.modals import home_buttons

# A Home tab may hold 100 blocks; the digest list leaves room for the help below it.
HOME_BLOCKS = 100
MAX_HOME_DIGESTS = 20
PAUSED_NOTE = "I couldn't post these in their channel. Invite me there, then press Resume."
NO_DIGESTS_YET = "None yet. In a channel: `/recordings digest daily 09:00 [request]`."


def _digest_blocks(lines: Sequence[DigestLine]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your digests"}}
    ]
    if not lines:
        blocks.append(section(NO_DIGESTS_YET))
    for line in lines[:MAX_HOME_DIGESTS]:
        blocks.append(
            {
                **section(describe(line)),
                "accessory": {
                    "type": "button",
                    "action_id": ACTION_DIGEST_OFF,
                    "text": {"type": "plain_text", "text": "Off"},
                    "value": str(line.subscription_id),
                    "style": "danger",
                },
            }
        )
    blocks.append({"type": "divider"})
    return blocks


def _paused_blocks(lines: Sequence[DigestLine]) -> list[dict[str, Any]]:
    """Digests paused because their channel refused the post, each with a Resume button."""
    if not lines:
        return []
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Paused digests"}},
        section(PAUSED_NOTE),
    ]
    for line in lines[:MAX_HOME_DIGESTS]:
        blocks.append({**section(describe(line)), "accessory": resume_button(line.subscription_id)})
    blocks.append({"type": "divider"})
    return blocks


def render_home(
    digests: Sequence[DigestLine] | None,
    *,
    paused: Sequence[DigestLine] = (),
    alerts: bool = False,
) -> dict[str, Any]:
    """The view for views.publish; `digests` None when digests are not set up (or failed);
    `paused` the person's paused digests; `alerts` when alerts are set up (their button)."""
    blocks = [home_buttons(digests is not None, alerts)]
    blocks += _digest_blocks(digests) if digests is not None else []
    blocks += _paused_blocks(paused)
    blocks += render_help().blocks
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}


def render_home_refusal(error: RecbotError) -> dict[str, Any]:
    """The view for someone who may not use the bot here: the refusal only."""
    return {"type": "home", "blocks": render_error(error).blocks[:MAX_BLOCKS]}
