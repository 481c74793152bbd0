"""The interim "Looking through 13 weeks… (about 30 s)" message of a long live question.

Shown once the query engine expects the question to take over ~3 s, updated at most every
5 s, and replaced by the answer: through the response_url (slash commands, buttons: the
ephemeral interim is replaced) or as a thread message that the answer is written over.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from slack_sdk.errors import SlackClientError

from bot.css.progress import QueryProgress, Throttled
from bot.slack.conversation import Reply
from bot.slack.delivery import Delivery
from bot.slack.parts import Note, Target, deliver

log = logging.getLogger(__name__)


class Interim:
    """One question's interim message: `listener` for the query engine, then `deliver`."""

    def __init__(self, delivery: Delivery, target: Target) -> None:
        self.delivery = delivery
        self.target = target
        self.listener = Throttled(self._show)
        self._ts: str | None = None  # the thread message, for a channel target
        self._shown = False
        self._lock = threading.Lock()

    def _show(self, progress: QueryProgress) -> None:
        note = Note(progress.text())
        with self._lock:
            if self.target.response_url:
                self.delivery.respond(
                    self.target.response_url,
                    note,
                    replace_original=self._shown or self.target.replace_original,
                )
                self._shown = True
            elif self.target.channel_id is not None:
                self._show_in_thread(self.target.channel_id, note)

    def _show_in_thread(self, channel: str, note: Note) -> None:
        client = self.delivery.client
        try:
            if self._ts is None:
                response = client.chat_postMessage(
                    channel=channel, text=note.text, thread_ts=self.target.thread_ts
                )
                self._ts = str(response.get("ts") or "") or None
            else:
                client.chat_update(channel=channel, ts=self._ts, text=note.text)
            self._shown = True
        except (SlackClientError, OSError) as exc:
            log.info("interim message failed", extra={"error": type(exc).__name__})

    def deliver(self, reply: Reply) -> bool:
        """Deliver the answer in place of the interim message, if one was shown."""
        with self._lock:
            shown, ts = self._shown, self._ts
        if shown and self.target.response_url and not reply.in_channel:
            return deliver(self.delivery, reply, replace(self.target, replace_original=True))
        if ts is not None and self.target.channel_id is not None and reply.upload is None:
            try:
                self.delivery.client.chat_update(
                    channel=self.target.channel_id,
                    ts=ts,
                    text=reply.message.text,
                    blocks=[dict(b) for b in reply.message.blocks] or None,
                )
                return True
            except (SlackClientError, OSError) as exc:
                log.info("replacing the interim message failed", extra={"error": str(exc)})
        return deliver(self.delivery, reply, self.target)
