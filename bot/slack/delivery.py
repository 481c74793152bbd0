"""Deliver to Slack: response_url, chat.postMessage, files_upload_v2 and views.publish.

Every failure from Slack is logged and reported as False, never raised into a listener.
Retries on 429 (Retry-After) and connection errors come from slack-sdk's retry handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
)
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)

Blocks = Sequence[Mapping[str, Any]]


def retry_handlers() -> list[RetryHandler]:
    """429 with Retry-After (a few times) and dropped connections, as slack-sdk implements."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]


class Outgoing(Protocol):
    """What renderers return (`bot.render.message.SlackMessage`): fallback text + blocks."""

    @property
    def text(self) -> str: ...

    @property
    def blocks(self) -> Blocks: ...


@dataclass(frozen=True)
class Upload:
    """A file to share (CSV export, PNG chart)."""

    content: bytes
    filename: str
    title: str
    comment: str = ""


class Delivery:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def respond(
        self,
        response_url: str,
        message: Outgoing,
        *,
        in_channel: bool = False,
        replace_original: bool = False,
    ) -> bool:
        """POST to a response_url (slash commands and buttons)."""
        webhook = WebhookClient(
            response_url,
            timeout=self.client.timeout,
            retry_handlers=retry_handlers(),
        )
        try:
            response = webhook.send(
                text=message.text,
                blocks=[dict(b) for b in message.blocks] or None,
                response_type="in_channel" if in_channel else "ephemeral",
                replace_original=replace_original,
            )
        except (SlackClientError, OSError) as exc:
            log.warning("response_url delivery failed", extra={"error": str(exc)})
            return False
        if response.status_code != 200:
            log.warning(
                "response_url refused the message",
                extra={"status": response.status_code, "body": response.body[:200]},
            )
            return False
        return True

    def post(self, channel: str, message: Outgoing, *, thread_ts: str | None = None) -> bool:
        """chat.postMessage, in a thread when `thread_ts` is given."""
        try:
            self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=[dict(b) for b in message.blocks] or None,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            log.warning(
                "chat.postMessage failed",
                extra={"error": exc.response.get("error"), "channel": channel},
            )
            return False
        except (SlackClientError, OSError) as exc:
            log.warning("chat.postMessage failed", extra={"error": str(exc), "channel": channel})
            return False
        return True

    def upload(self, channel: str, upload: Upload, *, thread_ts: str | None = None) -> bool:
        """getUploadURLExternal → upload URL → completeUploadExternal, via files_upload_v2."""
        try:
            self.client.files_upload_v2(
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
                channel=channel,
                initial_comment=upload.comment or None,
                thread_ts=thread_ts,
            )
        except SlackApiError as exc:
            log.warning(
                "file upload failed", extra={"error": exc.response.get("error"), "channel": channel}
            )
            return False
        except (SlackClientError, OSError) as exc:
            log.warning("file upload failed", extra={"error": str(exc), "channel": channel})
            return False
        return True

    def open_dm(self, user_id: str) -> str | None:
        """The bot's DM channel with `user_id` (conversations.open), or None."""
        try:
            response = self.client.conversations_open(users=user_id)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("conversations.open failed", extra={"error": str(exc)})
            return None
        channel = response.get("channel") or {}
        channel_id = channel.get("id")
        return str(channel_id) if channel_id else None

    def publish_home(self, user_id: str, view: Mapping[str, Any]) -> bool:
        try:
            self.client.views_publish(user_id=user_id, view=dict(view))
        except SlackApiError as exc:
            log.warning("views.publish failed", extra={"error": exc.response.get("error")})
            return False
        except (SlackClientError, OSError) as exc:
            log.warning("views.publish failed", extra={"error": str(exc)})
            return False
        return True
