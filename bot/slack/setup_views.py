"""Submissions of the setup modals (digest, alert, name): the typed command's own code runs
before the modal closes, so every refusal (a channel or person the access policy refuses,
filters outside the channel's scope, a bad name) is shown under its field
(`response_action: errors`) and nothing is made. Accepted: confirmed by DM, App Home refreshed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App

from bot.errors import AccessDenied, RecbotError
from bot.memory.desk import ADMINS_ONLY_EVERYWHERE
from bot.memory.names import check_name
from bot.render.message import SlackMessage
from bot.render.setup_modals import (
    ALERT_VIEW,
    EVERYWHERE,
    NAME_VIEW,
    alert_args,
    set_filters,
)
from bot.slack.answers import NO_ALERTS
from bot.slack.conversation import Asker
from bot.slack.modals import selected, selected_all, typed
from bot.slack.native import NativeParts
from bot.slack.parts import BotParts

NO_NAMES = "Names are not set up on this bot (team memory needs its database)."
PICK_ALERT_CHANNEL = "Pick the channel the alerts are posted in."


def user_of(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id", ""))


def values_of(view: dict[str, Any]) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return values if isinstance(values, dict) else {}


def refuse(ack: Ack, field: str, message: str) -> None:
    ack(response_action="errors", errors={field: message})


def set_up(
    ack: Ack,
    parts: BotParts,
    user: str,
    make: Callable[[], SlackMessage],
    denied_under: Callable[[AccessDenied], str] = lambda _denied: "channel",
) -> None:
    """Run `make` (the typed command's code) before acking: a refusal goes under its field
    (access under the channel, anything else under the free text), success closes the modal
    and is confirmed by DM."""
    try:
        message = make()
    except AccessDenied as denied:
        refuse(ack, denied_under(denied), denied.user_message)
        return
    except RecbotError as error:
        refuse(ack, "text", error.user_message)
        return
    ack()
    parts.pool.submit(confirm, parts, user, message)


class ChannelCommands(Protocol):
    """A typed command made in a channel (`digest …`, `alert …`)."""

    def handle(
        self, args: str, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage: ...


def register_in_channel(
    app: App,
    parts: BotParts,
    native: NativeParts,
    callback_id: str,
    *,
    commands: ChannelCommands | None,
    refusals: tuple[str, str],
    args_of: Callable[[dict[str, Any]], str],
) -> None:
    """A setup modal whose `channel` field says where its typed command runs: the person
    must be allowed there (the typed command's own check), then the command runs there.
    `refusals`: why not when the bot does not offer it, and when no channel was picked."""

    @app.view(callback_id)
    def on_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user, values = user_of(body), values_of(view)
        channel = selected(values, "channel")
        if commands is None or not channel:
            refuse(ack, "channel", refusals[0] if channel else refusals[1])
            return
        args = args_of(values)
        here: str = channel

        def make() -> SlackMessage:
            native.policy.check(user, here, native.members_of)
            return commands.handle(args, user, here, native.zone_of(user))

        set_up(ack, parts, user, make)


def confirm(parts: BotParts, user: str, message: SlackMessage) -> None:
    dm = parts.delivery.open_dm(user)
    if dm is not None:
        parts.delivery.post(dm, message)
    parts.delivery.publish_home(user, parts.conversation.home(user))


def filters_in(values: dict[str, Any]) -> str:
    """What the pickers and the free text stand for, as request text."""
    return set_filters(
        selected_all(values, "stream"),
        selected_all(values, "app"),
        selected_all(values, "domain"),
        typed(values, "text"),
    )


def register(app: App, parts: BotParts, native: NativeParts) -> None:
    register_in_channel(
        app,
        parts,
        native,
        ALERT_VIEW,
        commands=native.alerts,
        refusals=(NO_ALERTS, PICK_ALERT_CHANNEL),
        args_of=lambda values: alert_args(filters_in(values), selected(values, "level") or ""),
    )

    @app.view(NAME_VIEW)
    def on_name_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_of(body)
        values = values_of(view)
        names = native.names
        if names is None:
            refuse(ack, "name", NO_NAMES)
            return
        name = typed(values, "name").strip()
        try:
            check_name(name)
        except RecbotError as error:
            refuse(ack, "name", error.user_message)
            return
        everywhere = EVERYWHERE in selected_all(values, EVERYWHERE)
        # No channel: the name is the person's own, used in their DMs with recbot.
        asker = Asker(user, selected(values, "channel"), "modal")
        filters = filters_in(values)
        set_up(
            ack,
            parts,
            user,
            lambda: names.save_name(name, filters, everywhere, asker),
            _name_denied_under,
        )


def _name_denied_under(denied: AccessDenied) -> str:
    return EVERYWHERE if denied.user_message == ADMINS_ONLY_EVERYWHERE else "channel"
