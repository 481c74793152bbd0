"""Posting alerts to Slack (chat.postMessage with metadata, paced per channel), finding one a
crashed replica had already posted (conversations.history), and the DM to the creator of an
alert Slack will not let recbot post (the digests' own, `bot.digest.delivery.tell_user`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.alerts.dispatcher import AlertMark
from bot.digest.delivery import tell_user
from bot.render.message import SlackMessage

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.digest.delivery import ChannelPacer

HISTORY_PAGE = 200
HISTORY_PAGES = 3


class SlackAlertPoster:
    def __init__(self, client: WebClient, pacer: ChannelPacer) -> None:
        self._client = client
        self._pacer = pacer

    def pace(self, channel: str) -> float:
        return self._pacer.wait(channel)

    def post(self, channel: str, message: SlackMessage, mark: AlertMark) -> str:
        response = self._client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            metadata=mark.metadata(),
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["ts"])

    def tell(self, user_id: str, message: SlackMessage) -> bool:
        return tell_user(self._client, user_id, message)

    def find_posted(self, channel: str, mark: AlertMark, since: datetime) -> str | None:
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = self._client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
            for message in response.get("messages") or []:
                if isinstance(message, dict) and AlertMark.of(message) == mark:
                    return str(message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None
