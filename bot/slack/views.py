"""Inside recbot's modals: picker options (block_suggestion), the live time preview
(dispatch_action → views.update) and submissions, validated before they are accepted
(`response_action: errors`), then answered on the worker pool."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.ask_form import AskForm, FormError, check_form, request_text, time_preview
from bot.errors import AccessDenied, RecbotError
from bot.obs.metrics import ANSWER_LATENCY, REQUESTS
from bot.render.message import SlackMessage
from bot.render.modals import (
    ASK_VIEW,
    DIGEST_VIEW,
    WHEN_ACTION,
    digest_args,
    option_list,
    with_preview,
)
from bot.slack.conversation import Asker
from bot.slack.modals import ModalContext, read_ask_form, selected, typed
from bot.slack.native import NativeParts
from bot.slack.parts import BotParts, Target, acked, deliver
from bot.slack.setup_views import register_in_channel, user_of

log = logging.getLogger(__name__)

PICKER_ACTION = re.compile(r"^ask\.(stream|app|domain)$")
NO_DIGESTS = "Digests are not set up on this bot."
PICK = "Pick the channel the digest is posted in."


def _cannot_post(channel: str) -> SlackMessage:
    return SlackMessage(
        f"I couldn't post the answer in <#{channel}>: invite me there (/invite @recbot) and "
        "ask again, or choose “Only me”."
    )


def register(app: App, parts: BotParts, native: NativeParts) -> None:
    @app.options(PICKER_ACTION)
    def on_picker_options(ack: Ack, body: dict[str, Any]) -> None:
        kind = str(body.get("action_id", "")).split(".", 1)[-1]
        user = user_of(body)
        view = body.get("view") or {}
        where = ModalContext.decode(view.get("private_metadata"), "UTC").channel
        try:
            native.policy.check_person(user, native.members_of)
            scope = native.policy.scope_for(where)
        except AccessDenied:
            ack(options=[])
            return
        try:
            names = native.pickers.names(kind, str(body.get("value", "")), scope)
        except RecbotError:
            names = []  # the CSS API is unreachable: typeahead shows nothing, typing still works
        ack(options=option_list(names))

    @app.action(WHEN_ACTION)
    def on_time_typed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        view = body.get("view") or {}
        user = user_of(body)
        meta = ModalContext.decode(view.get("private_metadata"), "UTC")
        preview = time_preview(
            str(action.get("value") or ""),
            native.clock(),
            native.zone_named(meta.zone, user),
            native.date_order,
        )
        parts.pool.submit(
            native.views.update,
            str(view.get("id", "")),
            with_preview(view, preview),
            view.get("hash"),
        )

    @app.view(ASK_VIEW)
    def on_ask_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user = user_of(body)
        meta = ModalContext.decode(view.get("private_metadata"), "UTC")
        zone = native.zone_named(meta.zone, user)
        form = read_ask_form((view.get("state") or {}).get("values") or {})
        checked = check_form(form, native.clock(), zone, native.date_order)
        if isinstance(checked, FormError):
            ack(response_action="errors", errors={checked.field: checked.message})
            return
        destination = form.channel if form.where == "channel" else None
        try:
            native.policy.check(user, destination, native.members_of)
        except AccessDenied as denied:
            ack(
                response_action="errors",
                errors={"channel" if destination else "where": denied.user_message},
            )
            return
        ack()
        started = acked("modal", context)
        parts.pool.submit(_answer, parts, user, form, destination, started)

    register_in_channel(
        app,
        parts,
        native,
        DIGEST_VIEW,
        commands=native.digests,
        refusals=(NO_DIGESTS, PICK),
        args_of=lambda values: digest_args(
            selected(values, "every") or "daily",
            selected(values, "at") or "",
            typed(values, "text"),
        ),
    )


def _answer(
    parts: BotParts, user: str, form: AskForm, destination: str | None, started: float
) -> None:
    channel = destination or parts.delivery.open_dm(user)
    asker = Asker(user, channel, "modal")
    reply = parts.conversation.reply(request_text(form), asker)
    delivered = channel is not None and deliver(parts.delivery, reply, Target(channel))
    if not delivered and destination is not None:
        dm = parts.delivery.open_dm(user)
        if dm is not None:
            parts.delivery.post(dm, _cannot_post(destination))
    outcome = reply.outcome if delivered else "error"
    REQUESTS.labels(surface="modal", outcome=outcome).inc()
    ANSWER_LATENCY.labels(surface="modal").observe(time.monotonic() - started)
    log.info("answered", extra={"surface": "modal", "outcome": outcome, "delivered": delivered})
