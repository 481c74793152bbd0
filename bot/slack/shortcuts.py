"""Shortcuts and App Home buttons that open modals: "Ask about recordings" (global), "Check
recordings" on a message (its text pre-fills the request), and the App Home's setup buttons
(a digest, an alert, a name).

Each acks at once; the modal is opened with views.open on the worker pool (the trigger_id
stays valid for 3 s, far longer than the pool's wait).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext

from bot.ask_form import AskForm, form_for_task, time_preview
from bot.errors import AccessDenied, RecbotError
from bot.obs.metrics import REQUESTS
from bot.render.modals import (
    HOME_ALERT,
    HOME_ASK,
    HOME_DIGEST,
    HOME_NAME,
    ask_view,
    digest_view,
    notice_view,
)
from bot.render.setup_modals import alert_view, name_view
from bot.slack.answers import NO_ALERTS
from bot.slack.catalog import ASK_SHORTCUT, MESSAGE_SHORTCUT
from bot.slack.modals import ModalContext, prefill_from_message
from bot.slack.native import NativeParts
from bot.slack.parts import BotParts, acked
from bot.slack.setup_views import NO_NAMES
from bot.tasks import task_ids_in

NO_DIGESTS = "Digests are not set up on this bot."


@dataclass(frozen=True)
class SetupModal:
    """What an App Home setup button opens, and the notice when this bot does not offer it."""

    title: str
    offered: Callable[[NativeParts], bool]
    not_offered: str
    view: Callable[[str], dict[str, Any]]  # private_metadata → the modal


SETUP_MODALS = {
    HOME_DIGEST: SetupModal(
        "Set up a digest", lambda n: n.digests is not None, NO_DIGESTS, digest_view
    ),
    HOME_ALERT: SetupModal(
        "Set up an alert", lambda n: n.alerts is not None, NO_ALERTS, alert_view
    ),
    HOME_NAME: SetupModal(
        "Name a set of streams", lambda n: n.names is not None, NO_NAMES, name_view
    ),
}


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

    @app.action(re.compile(f"^({'|'.join(re.escape(a) for a in SETUP_MODALS)})$"))
    def on_home_setup(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        acked("shortcut", context)
        user = str((body.get("user") or {}).get("id", ""))
        which = str(action.get("action_id", ""))
        parts.pool.submit(_open_setup, native, which, str(body.get("trigger_id", "")), user)


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
    form = _form_for_message(native, prefill, channel, zone) if prefill else None
    form = form or AskForm(channel=channel)
    metadata = ModalContext(zone.key, channel).encode()
    preview = time_preview(form.when, now, zone, native.date_order)
    ok = native.views.open(trigger, ask_view(form, preview, metadata))
    REQUESTS.labels(surface="shortcut", outcome="ok" if ok else "error").inc()


def _form_for_message(
    native: NativeParts, text: str, channel: str | None, zone: ZoneInfo
) -> AskForm:
    """A pasted TaskId of a recent task (within the channel's scope) asks about that task,
    its stream, app, domain and window shown. Other pasted TaskIds are the request alone
    (`task:ID,…`: the rest of a message is no request). Else a message naming exactly one
    recently recorded stream picks it. Else its text is the request, read like typed text."""
    try:
        scope = native.policy.scope_for(channel)
    except AccessDenied:
        return AskForm(text=text, channel=channel)
    try:
        task = native.pickers.task_named_in(text, scope)
    except RecbotError:
        task = None  # the CSS API is unreachable: the text is still the request
    if task is not None:
        return form_for_task(task, zone, channel)
    pasted = task_ids_in(text)
    if pasted:
        return AskForm(text="task:" + ",".join(pasted), channel=channel)
    named = native.pickers.streams_named_in(text, scope)
    if len(named) == 1:
        return AskForm(stream=named[0], channel=channel)
    return AskForm(text=text, channel=channel)


def _open_setup(native: NativeParts, which: str, trigger: str, user: str) -> None:
    modal = SETUP_MODALS[which]
    try:
        native.policy.check_person(user, native.members_of)
    except AccessDenied as denied:
        native.views.open(trigger, notice_view(modal.title, denied.user_message))
        REQUESTS.labels(surface="shortcut", outcome="denied").inc()
        return
    if not modal.offered(native):
        native.views.open(trigger, notice_view(modal.title, modal.not_offered))
        return
    zone = native.zone_of(user)
    native.pickers.warm_if_cold()
    ok = native.views.open(trigger, modal.view(ModalContext(zone.key).encode()))
    REQUESTS.labels(surface="shortcut", outcome="ok" if ok else "error").inc()
