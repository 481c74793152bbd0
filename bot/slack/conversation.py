"""What the Slack surfaces ask of the answering pipeline, as plain values.

Surfaces (commands, mentions, actions, home) only ack, build an `Asker`, call a
`Conversation` and deliver its `Reply`; they build no Block Kit and know no core module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.slack.delivery import Outgoing, Upload


@dataclass(frozen=True)
class Asker:
    """Who asked, where, and through which surface (a metrics label too)."""

    user_id: str
    channel_id: str | None
    surface: str  # slash | mention | dm | action | home
    # The asker sees an ephemeral message (a slash answer, or a button on one): answers to
    # it keep the Share button.
    ephemeral: bool = False


@dataclass(frozen=True)
class Reply:
    """`message` is always deliverable; with `upload`, it is the fallback when the upload fails.

    `outcome` labels the request in metrics: ok | parse_error | api_error | denied | error.
    `in_channel` asks for the answer to be posted for everyone (Share).
    """

    message: Outgoing
    upload: Upload | None = None
    outcome: str = "ok"
    in_channel: bool = False


class Conversation(Protocol):
    def reply(self, text: str, asker: Asker) -> Reply:
        """Answer what the asker typed; never raises."""
        ...

    def click(self, action_id: str, value: str, asker: Asker) -> Reply:
        """Answer a button press; the value is untrusted and re-checked. Never raises."""
        ...

    def home(self, user_id: str) -> Mapping[str, Any]:
        """The App Home view (views.publish `view`) for this user. Never raises."""
        ...
