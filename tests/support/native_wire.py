"""Driving recbot's shortcuts and modals over the wire in tests: send the signed request to
`recbot serve`, then read the modal Slack would show from the stand-in's views.open."""

from __future__ import annotations

from typing import Any

from bot.slack.catalog import MESSAGE_SHORTCUT
from tests.support.native_payloads import home_button_body, message_shortcut_body
from tests.support.serving import FORM, ServedBot
from tests.support.slack_api import SlackStandIn


def opened_view(slack: SlackStandIn, trigger: str) -> dict[str, Any]:
    """The modal views.open showed for this trigger."""
    [call] = slack.wait_for("views.open", where=lambda c: c.params.get("trigger_id") == trigger)
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.response["view"]
    return view


def use_message_shortcut(
    served: ServedBot, slack: SlackStandIn, text: str, channel: str = "CMAIN"
) -> dict[str, Any]:
    """UALICE uses "Check recordings" on a message saying `text` in `channel`."""
    trigger = slack.new_trigger()
    body = message_shortcut_body(
        MESSAGE_SHORTCUT.callback_id,
        user="UALICE",
        channel=channel,
        text=text,
        trigger_id=trigger,
        response_url=slack.response_url("msgshortcut"),
    )
    assert served.post(body, FORM).status == 200
    return opened_view(slack, trigger)


def open_from_home(
    served: ServedBot, slack: SlackStandIn, button: str, user: str = "UALICE"
) -> dict[str, Any]:
    """`user` presses an App Home button that opens a modal."""
    trigger = slack.new_trigger()
    assert served.post(home_button_body(button, user=user, trigger_id=trigger), FORM).status == 200
    return opened_view(slack, trigger)
