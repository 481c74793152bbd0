"""Reading recbot's modals back (view state → `AskForm`, private_metadata) and opening or
updating them with views.open / views.update."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.ask_form import AskForm
from bot.render.modals import ACTION_PREFIX
from bot.request import StatusFilter

log = logging.getLogger(__name__)
MAX_PREFILL = 500


@dataclass(frozen=True)
class ModalContext:
    """What a modal remembers between open, typing and submit (its private_metadata)."""

    zone: str
    channel: str | None = None  # where the shortcut or message was

    def encode(self) -> str:
        return json.dumps({"zone": self.zone, "channel": self.channel})

    @staticmethod
    def decode(text: str | None, default_zone: str) -> ModalContext:
        # Metadata comes back through the Slack client: read it strictly, fall back safely.
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        zone, channel = data.get("zone"), data.get("channel")
        return ModalContext(
            zone if isinstance(zone, str) and zone else default_zone,
            channel if isinstance(channel, str) and channel else None,
        )


def _value(values: Mapping[str, Any], field: str) -> Any:
    return (values.get(field) or {}).get(f"{ACTION_PREFIX}{field}") or {}


def selected(values: Mapping[str, Any], field: str) -> str | None:
    element = _value(values, field)
    option = element.get("selected_option") or {}
    value = option.get("value")
    for key in ("selected_conversation", "selected_channel", "selected_time"):
        value = value or element.get(key)
    return str(value) if value else None


def typed(values: Mapping[str, Any], field: str) -> str:
    return str(_value(values, field).get("value") or "")


def selected_all(values: Mapping[str, Any], field: str) -> list[str]:
    """A multi-select's or checkboxes' chosen values, in order, each once."""
    options = _value(values, field).get("selected_options") or []
    chosen = [o.get("value") for o in options if isinstance(o, dict)]
    return list(dict.fromkeys(str(v) for v in chosen if isinstance(v, str) and v))


def read_ask_form(values: Mapping[str, Any]) -> AskForm:
    status_value = selected(values, "status") or StatusFilter.ALL.value
    try:
        status = StatusFilter(status_value)
    except ValueError:
        status = StatusFilter.ALL
    return AskForm(
        stream=selected(values, "stream"),
        app=selected(values, "app"),
        domain=selected(values, "domain"),
        status=status,
        when=typed(values, "when"),
        text=typed(values, "text"),
        where="channel" if selected(values, "where") == "channel" else "dm",
        channel=selected(values, "channel"),
    )


def prefill_from_message(text: str) -> str:
    """A message shortcut's text as the modal's request field: one line, shortened. The
    request parser reads it as it does typed text (a pasted TaskId is looked up first:
    bot/slack/shortcuts.py)."""
    return " ".join(text.split())[:MAX_PREFILL]


class Views:
    """views.open and views.update; a failure is logged, never raised into a listener."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def open(self, trigger_id: str, view: Mapping[str, Any]) -> bool:
        try:
            self._client.views_open(trigger_id=trigger_id, view=dict(view))
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("views.open failed", extra={"error": _error(exc)})
            return False
        return True

    def update(self, view_id: str, view: Mapping[str, Any], view_hash: str | None) -> bool:
        try:
            self._client.views_update(view_id=view_id, view=dict(view), hash=view_hash)
        except (SlackApiError, SlackClientError, OSError) as exc:
            # hash_conflict: a newer keystroke already updated it; that update wins.
            log.info("views.update not applied", extra={"error": _error(exc)})
            return False
        return True


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
