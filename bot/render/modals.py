"""Block Kit for recbot's modals: "Ask about recordings" (pickers, status, a time field that
shows how it is read, where to answer) and "Set up a digest". Pure: values in, views out.

Block and action ids are the contract with bot/slack/modals.py, which reads the state back.
None of them match the message buttons' `recbot_…` action ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ask_form import STATUSES, AskForm
from bot.render.escape import mrkdwn

ASK_VIEW = "recbot_ask_modal"
DIGEST_VIEW = "recbot_digest_modal"
# The same block id and action id per field: `state.values[field][field]`.
PICKERS = ("stream", "app", "domain")
ACTION_PREFIX = "ask."
WHEN_ACTION = "ask.when"
# App Home buttons that open the modals.
HOME_ASK = "home.ask"
HOME_DIGEST = "home.digest"
PREVIEW_BLOCK = "preview"
MAX_OPTIONS = 100  # Slack's limit for an options response
MAX_TEXT_INPUT = 3000
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(value: str, label: str | None = None) -> dict[str, Any]:
    return {"text": _plain((label or value)[:75]), "value": value[:150]}


def option_list(names: Sequence[str]) -> list[dict[str, Any]]:
    """An external select's options (block_suggestion answer), at most Slack's 100."""
    return [_option(name) for name in names[:MAX_OPTIONS]]


def _input(
    field: str, label: str, element: dict[str, Any], *, optional: bool = True, hint: str = ""
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field,
        "label": _plain(label),
        "optional": optional,
        "element": {**element, "action_id": f"{ACTION_PREFIX}{field}"},
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _picker(field: str, label: str, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "placeholder": _plain(f"Type to search recent {field}s"),
        "min_query_length": 0,
    }
    if initial:
        element["initial_option"] = _option(initial)
    return _input(field, label, element)


def preview_block(preview: str) -> dict[str, Any]:
    return {
        "type": "context",
        "block_id": PREVIEW_BLOCK,
        "elements": [{"type": "mrkdwn", "text": mrkdwn(preview)[:2000]}],
    }


def ask_view(form: AskForm, preview: str, metadata: str) -> dict[str, Any]:
    """The "Ask about recordings" modal, filled with `form`; `preview` reads its time field."""
    status = {
        "type": "static_select",
        "options": [_option(s.value, s.value.capitalize()) for s in STATUSES],
        "initial_option": _option(form.status.value, form.status.value.capitalize()),
    }
    when: dict[str, Any] = {
        "type": "plain_text_input",
        "placeholder": _plain("e.g. last night, yesterday, last 3 days"),
        "dispatch_action_config": {"trigger_actions_on": ["on_character_entered"]},
    }
    if form.when:
        when["initial_value"] = form.when
    text: dict[str, Any] = {"type": "plain_text_input", "max_length": MAX_TEXT_INPUT}
    if form.text:
        text["initial_value"] = form.text[:MAX_TEXT_INPUT]
    where_options = [
        _option("dm", "Only me, in a direct message"),
        _option("channel", "Post in the channel below"),
    ]
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "default_to_current_conversation": True,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if form.channel:
        channel["initial_conversation"] = form.channel
    when_block = _input("when", "When", when, hint="As you would type it; read as you type.")
    when_block["dispatch_action"] = True
    blocks = [
        _picker("stream", "Stream", form.stream),
        _picker("app", "App", form.app),
        _picker("domain", "Domain", form.domain),
        _input("status", "Status", status),
        when_block,
        preview_block(preview),
        _input("text", "Anything else", text, hint="Stream names, a TaskId, “stats”, “export”…"),
        _input(
            "where",
            "Where to answer",
            {
                "type": "radio_buttons",
                "options": where_options,
                "initial_option": where_options[0 if form.where == "dm" else 1],
            },
            optional=False,
        ),
        _input("channel", "Channel", channel),
    ]
    return {
        "type": "modal",
        "callback_id": ASK_VIEW,
        "title": _plain("Ask about recordings"),
        "submit": _plain("Ask"),
        "close": _plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def with_preview(view: dict[str, Any], preview: str) -> dict[str, Any]:
    """The same modal with its time preview replaced (views.update keeps what was typed)."""
    keep = ("type", "callback_id", "title", "submit", "close", "private_metadata")
    blocks = [
        preview_block(preview) if b.get("block_id") == PREVIEW_BLOCK else b
        for b in view.get("blocks", [])
    ]
    return {**{k: view[k] for k in keep if k in view}, "blocks": blocks}


def digest_view(metadata: str, channel: str | None = None) -> dict[str, Any]:
    """The "Set up a digest" modal: channel, daily or a weekday, time of day, request."""
    every = [_option("daily", "Every day")]
    every += [_option(f"weekly {d}", f"Every {d.capitalize()}") for d in WEEKDAYS]
    channel_element: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel:
        channel_element["initial_conversation"] = channel
    blocks = [
        _input("channel", "Post in", channel_element, optional=False),
        _input(
            "every",
            "How often",
            {"type": "static_select", "options": every, "initial_option": every[0]},
            optional=False,
        ),
        _input(
            "at",
            "At (your time)",
            {"type": "timepicker", "initial_time": "09:00"},
            optional=False,
        ),
        _input(
            "text",
            "About",
            {"type": "plain_text_input", "max_length": 500},
            hint="What to report, as you would ask: e.g. cam1 stopped. Empty: everything.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": DIGEST_VIEW,
        "title": _plain("Set up a digest"),
        "submit": _plain("Set up"),
        "close": _plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def digest_args(every: str, at: str, text: str) -> str:
    """The `digest …` arguments the form stands for (the command people type)."""
    return " ".join(w for w in (every, at, text.strip()) if w)


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (a refusal, a feature that is off)."""
    return {
        "type": "modal",
        "title": _plain(title[:24]),
        "close": _plain("Close"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(text)}}],
    }


def home_buttons(digests: bool) -> dict[str, Any]:
    """The App Home's actions: ask with a form, and (with digests) set one up."""
    buttons = [
        {
            "type": "button",
            "action_id": HOME_ASK,
            "text": _plain("Ask about recordings"),
            "style": "primary",
        }
    ]
    if digests:
        buttons.append(
            {"type": "button", "action_id": HOME_DIGEST, "text": _plain("Set up a digest")}
        )
    return {"type": "actions", "block_id": "home_actions", "elements": buttons}
