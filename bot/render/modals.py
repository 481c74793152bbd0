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
HOME_ALERT = "home.alert"
HOME_NAME = "home.name"
HOME_ACTIONS = "home_actions"
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


def _picker(field: str, label: str, initial: str | None, *, multi: bool = False) -> dict[str, Any]:
    """A typeahead of recently recorded names (`block_suggestion` → bot/slack/pickers.py);
    `multi` picks several (a name or an alert stands for a set of streams)."""
    element: dict[str, Any] = {
        "type": "multi_external_select" if multi else "external_select",
        "placeholder": _plain(f"Type to search recent {field}s"),
        "min_query_length": 0,
    }
    if initial:
        element["initial_option"] = _option(initial)
    return _input(field, label, element)


def set_pickers() -> list[dict[str, Any]]:
    """Streams, apps and domains, several of each: the filters a name or an alert stands for."""
    labels = {"stream": "Streams", "app": "Apps", "domain": "Domains"}
    return [_picker(field, labels[field], None, multi=True) for field in PICKERS]


def text_field(label: str, hint: str, *, max_length: int = 500) -> dict[str, Any]:
    """The free `text` field, read like typed request text."""
    element = {"type": "plain_text_input", "max_length": max_length}
    return _input("text", label, element, hint=hint)


def radio_field(field: str, label: str, options: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A required choice; the first option is chosen to begin with."""
    choices = [_option(value, text) for value, text in options]
    element = {"type": "radio_buttons", "options": choices, "initial_option": choices[0]}
    return _input(field, label, element, optional=False)


def channel_select(
    label: str, initial: str | None, *, optional: bool = True, current: bool = False, hint: str = ""
) -> dict[str, Any]:
    """The `channel` field: a public or private channel (never a bot's DM)."""
    element: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if current:
        element["default_to_current_conversation"] = True
    if initial:
        element["initial_conversation"] = initial
    return _input("channel", label, element, optional=optional, hint=hint)


def modal(
    callback_id: str, title: str, submit: str, metadata: str, blocks: list[dict[str, Any]]
) -> dict[str, Any]:
    """A recbot modal with a submit button (its title within Slack's 24 characters)."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title[:24]),
        "submit": _plain(submit),
        "close": _plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


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
    when_block = _input("when", "When", when, hint="As you would type it; read as you type.")
    when_block["dispatch_action"] = True
    blocks = [
        _picker("stream", "Stream", form.stream),
        _picker("app", "App", form.app),
        _picker("domain", "Domain", form.domain),
        _input("status", "Status", status),
        when_block,
        preview_block(preview),
        _input(
            "text", "Anything else", text, hint="More stream names, a TaskId, “stats”, “export”…"
        ),
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
        channel_select("Channel", form.channel, current=True),
    ]
    return modal(ASK_VIEW, "Ask about recordings", "Ask", metadata, blocks)


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
    blocks = [
        channel_select("Post in", channel, optional=False),
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
        text_field(
            "About", "What to report, as you would ask: e.g. cam1 stopped. Empty: everything."
        ),
    ]
    return modal(DIGEST_VIEW, "Set up a digest", "Set up", metadata, blocks)


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


def home_button(action_id: str, label: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": _plain(label)}


def home_buttons(digests: bool, alerts: bool = False) -> dict[str, Any]:
    """The App Home's actions: ask with a form, and set up what this bot offers (digests,
    alerts; team memory adds its own with `with_home_part`)."""
    buttons = [{**home_button(HOME_ASK, "Ask about recordings"), "style": "primary"}]
    if digests:
        buttons.append(home_button(HOME_DIGEST, "Set up a digest"))
    if alerts:
        buttons.append(home_button(HOME_ALERT, "Set up an alert"))
    return {"type": "actions", "block_id": HOME_ACTIONS, "elements": buttons}


def with_home_part(
    view: dict[str, Any], button: dict[str, Any], blocks: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """An App Home view with one more button in its actions row and `blocks` right below
    that row (a view without the row as is)."""
    out: list[dict[str, Any]] = []
    for block in view.get("blocks", []):
        if block.get("block_id") == HOME_ACTIONS:
            out.append({**block, "elements": [*block.get("elements", []), button]})
            out += blocks
        else:
            out.append(block)
    return {**view, "blocks": out}
