"""Posting alerts to Slack (chat.postMessage with metadata, paced per channel), finding one a
crashed replica had already posted (conversations.history), and the DM to the creator of an
alert Slack will not let recbot post: the digests' own `bot.digest.delivery.MarkedPoster`,
with the alert's mark."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.alerts.dispatcher import AlertMark
from bot.digest.delivery import MarkedPoster

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.digest.delivery import ChannelPacer

HISTORY_PAGES = 3


class SlackAlertPoster(MarkedPoster[AlertMark]):
    def __init__(self, client: WebClient, pacer: ChannelPacer) -> None:
        super().__init__(client, pacer, AlertMark.of, HISTORY_PAGES)
