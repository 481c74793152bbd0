"""Posting digests to Slack: chat.postMessage with metadata, paced per channel, and the look-up
in conversations.history that tells whether a crashed replica had already posted a slot.

Alerts post the same way (`MarkedPoster`, the pacers and `tell_user` serve both)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.digest.message import DigestMark
from bot.render.message import SlackMessage

# Slack's guidance for chat.postMessage: about one message per second per channel. Posts are
# spaced a little wider, as the claim renewal between a post's turn and its sending varies.
CHANNEL_RATE = 1.0
CHANNEL_HEADROOM = 0.9
HISTORY_PAGE = 200
HISTORY_PAGES = 5


class ChannelPacer(Protocol):
    def wait(self, channel: str) -> float:
        """Block until a message may go to `channel`; return the seconds waited."""
        ...


class LocalChannelPacer:
    """Spaces posts to each channel 1/rate apart within this process."""

    def __init__(
        self,
        rate: float = CHANNEL_RATE,
        sleep: Callable[[float], None] = time.sleep,
        headroom: float = CHANNEL_HEADROOM,
    ) -> None:
        self._interval = 1.0 / (rate * headroom)
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._sleep = sleep

    def wait(self, channel: str) -> float:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get(channel, 0.0))
            self._next[channel] = at + self._interval
            if len(self._next) > 10_000:  # forget channels whose turn is long past
                self._next = {c: t for c, t in self._next.items() if t > now}
        if at > now:
            self._sleep(at - now)
        return at - now


class SharedChannelPacer:
    """The same pacing across replicas: one Redis limiter key per channel."""

    def __init__(self, make_limiter: Callable[[str], Any]) -> None:
        self._make = make_limiter
        self._limiters: dict[str, Any] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> float:
        with self._lock:
            limiter = self._limiters.get(channel)
            if limiter is None:
                limiter = self._limiters[channel] = self._make(channel)
        waited: float = limiter.acquire()
        return waited


class Mark(Protocol):
    """The metadata a posted message carries, read back from Slack after a crash."""

    def metadata(self) -> dict[str, Any]: ...


M = TypeVar("M", bound=Mark)


class MarkedPoster(Generic[M]):
    """Posts a message carrying a mark and finds one already posted (what a replica that took
    a claim over looks for). Slack errors surface as SlackApiError."""

    def __init__(
        self,
        client: WebClient,
        pacer: ChannelPacer,
        read_mark: Callable[[dict[str, Any]], M | None],
        history_pages: int = HISTORY_PAGES,
    ) -> None:
        self._client = client
        self._pacer = pacer
        self._read_mark = read_mark
        self._history_pages = history_pages

    def pace(self, channel: str) -> float:
        """Wait for `channel`'s turn (about one message a second); call right before `post`."""
        return self._pacer.wait(channel)

    def post(self, channel: str, message: SlackMessage, mark: M) -> str:
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
        """A direct message to `user_id` (the creator); False when Slack refused it."""
        return tell_user(self._client, user_id, message)

    def find_posted(self, channel: str, mark: M, since: datetime) -> str | None:
        """The ts of a message in `channel` since `since` that carries `mark`, if any."""
        cursor: str | None = None
        for _ in range(self._history_pages):
            response = self._client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
            for message in response.get("messages") or []:
                if isinstance(message, dict) and self._read_mark(message) == mark:
                    return str(message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None


class DigestPoster(MarkedPoster[DigestMark]):
    """Posts a digest and finds one already posted. Slack errors surface as SlackApiError."""

    def __init__(self, client: WebClient, pacer: ChannelPacer) -> None:
        super().__init__(client, pacer, DigestMark.of)

    def announce(self, channel: str, message: SlackMessage) -> str | None:
        """Post `message` in `channel` (no digest mark): None when posted, else Slack's error
        code (or the failure's kind), so a resumed digest knows whether its channel works."""
        try:
            self._client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False
            )
        except SlackApiError as exc:
            return slack_error(exc)
        except Exception as exc:  # connection trouble: not known to work
            return type(exc).__name__
        return None


def tell_user(client: WebClient, user_id: str, message: SlackMessage) -> bool:
    """A direct message to `user_id` (the creator of a digest or an alert that cannot be
    posted); False when Slack refused it. Alerts use it too (`bot.alerts.delivery`)."""
    try:
        opened = client.conversations_open(users=user_id)
        channel = str((opened.get("channel") or {}).get("id", ""))
        client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False
        )
    except SlackApiError:
        return False
    return True


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code ("not_in_channel"), for logs and the delivery record."""
    data: Any = getattr(exc.response, "data", None)
    return str(data.get("error")) if isinstance(data, dict) else "slack_error"
