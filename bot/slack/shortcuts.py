"""Shortcuts and App Home buttons that open modals: "Ask about recordings" (global), "Check
recordings" on a message (its text pre-fills the request), and "Set up a digest".

Each acks at once; the modal is opened with views.open on the worker pool (the trigger_id
stays valid for 3 s, far longer than the pool's wait).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.ask_form import AskForm, time_preview
from bot.errors import AccessDenied
from bot.obs.metrics import REQUESTS
from bot.render.modals import HOME_ASK, HOME_DIGEST, ask_view, digest_view, notice_view
from bot.slack.catalog import ASK_SHORTCUT, MESSAGE_SHORTCUT
from bot.slack.modals import ModalContext, prefill_from_message
from bot.slack.native import NativeParts
from bot.slack.parts import BotParts, acked

NO_DIGESTS = "Digests are not set up on this bot."


def register(app: App, parts: BotParts, native: NativeParts) -> None:
    def open_ask(body: dict[str, Any], context: BoltContext, prefill: str = "") -> None:
        acked("shortcut", context)
        user = str((body.get("user") or {}).get("id", ""))
        channel = (body.get("channel") or {}).get("id")
        trigger = str(body.get("trigger_id", ""))
        parts.pool.submit(_open_ask, native, trigger, user, channel, prefill)

    @app.shortcut(ASK_SHORTCUT.callback_id)
    def on_ask(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        open_ask(body, context)

    @app.shortcut(MESSAGE_SHORTCUT.callback_id)
    def on_message(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        text = str((body.get("message") or {}).get("text", ""))
        open_ask(body, context, prefill_from_message(text))

    @app.action(HOME_ASK)
    def on_home_ask(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        open_ask(body, context)

    @app.action(HOME_DIGEST)
    def on_home_digest(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        acked("shortcut", context)
        user = str((body.get("user") or {}).get("id", ""))
        parts.pool.submit(_open_digest, native, str(body.get("trigger_id", "")), user)


def _open_ask(
    native: NativeParts, trigger: str, user: str, channel: str | None, prefill: str
) -> None:
    try:
        native.policy.check_person(user, native.members_of)
    except AccessDenied as denied:
        native.views.open(trigger, notice_view("Ask about recordings", denied.user_message))
        REQUESTS.labels(surface="shortcut", outcome="denied").inc()
        return
    native.pickers.warm_if_cold()
    zone = native.zone_of(user)
    now: datetime = native.clock()
    # A message naming exactly one recently recorded stream picks it; else its text is the
    # request, which the parser reads like typed text.
    named = _streams_named(native, prefill, channel) if prefill else []
    if len(named) == 1:
        form = AskForm(stream=named[0], channel=channel)
    else:
        form = AskForm(text=prefill, channel=channel)
    metadata = ModalContext(zone.key, channel).encode()
    ok = native.views.open(trigger, ask_view(form, time_preview("", now, zone), metadata))
    REQUESTS.labels(surface="shortcut", outcome="ok" if ok else "error").inc()


def _streams_named(native: NativeParts, text: str, channel: str | None) -> list[str]:
    try:
        scope = native.policy.scope_for(channel)
    except AccessDenied:
        return []
    return native.pickers.streams_named_in(text, scope)


def _open_digest(native: NativeParts, trigger: str, user: str) -> None:
    if native.digests is None:
        native.views.open(trigger, notice_view("Set up a digest", NO_DIGESTS))
        return
    zone = native.zone_of(user)
    ok = native.views.open(trigger, digest_view(ModalContext(zone.key).encode()))
    REQUESTS.labels(surface="shortcut", outcome="ok" if ok else "error").inc()
