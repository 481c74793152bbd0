"""What every surface shares: the conversation, delivery, worker pool and event de-dup,
plus the one `deliver` step and the per-request metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.obs.log import request_id_or_new
from bot.obs.metrics import ACK_LATENCY, ANSWER_LATENCY, REQUESTS
from bot.render.interrupted import ACTION_ASK_AGAIN, render_interrupted
from bot.replicas.seen_events import SeenEvents
from bot.slack.conversation import Asker, Conversation, Reply
from bot.slack.delivery import Delivery
from bot.slack.workers import WorkPool, may_deliver

log = logging.getLogger(__name__)

# The WSGI layer stamps each request with its arrival (time.monotonic()) under this key of
# Bolt's context, so ack and answer latency start when the request arrived, not when a
# listener ran.
RECEIVED_AT = "recbot_received_at"


@dataclass(frozen=True)
class BotParts:
    conversation: Conversation
    delivery: Delivery
    pool: WorkPool
    seen: SeenEvents


@dataclass(frozen=True)
class Target:
    """Where a reply goes: a response_url (slash, buttons) or a channel (and thread)."""

    channel_id: str | None
    response_url: str | None = None
    thread_ts: str | None = None
    replace_original: bool = False
    # The asker sees a private (ephemeral) answer: files go to their DM with the bot, not
    # to the channel, and the response_url gets a note saying so.
    private_to: str | None = None


@dataclass(frozen=True)
class Note:
    """A plain one-line message (no blocks)."""

    text: str
    blocks: tuple[Mapping[str, Any], ...] = ()


SENT_TO_DM = Note("I sent the file to you in our direct messages (Apps → recbot).")


def received_at(context: Mapping[str, Any]) -> float:
    stamp = context.get(RECEIVED_AT)
    return float(stamp) if isinstance(stamp, int | float) else time.monotonic()


def acked(surface: str, context: Mapping[str, Any]) -> float:
    """Record the ack latency; the work that follows keeps the request's id. Returns arrival."""
    start = received_at(context)
    ACK_LATENCY.labels(surface=surface).observe(time.monotonic() - start)
    request_id_or_new()
    return start


def deliver(delivery: Delivery, reply: Reply, target: Target) -> bool:
    """Upload when the reply carries a file (its message is the fallback), else send it."""
    if reply.upload is not None and target.private_to is not None:
        dm = delivery.open_dm(target.private_to)
        if dm is not None and delivery.upload(dm, reply.upload):
            if target.response_url:
                delivery.respond(target.response_url, SENT_TO_DM)
            return True
        log.info("upload to the DM failed; sending the fallback message instead")
    elif reply.upload is not None and target.channel_id is not None:
        if delivery.upload(target.channel_id, reply.upload, thread_ts=target.thread_ts):
            return True
        log.info("upload failed; sending the fallback message instead")
    if target.response_url:
        return delivery.respond(
            target.response_url,
            reply.message,
            in_channel=reply.in_channel,
            replace_original=target.replace_original,
        )
    if target.channel_id is None:
        log.warning("nowhere to deliver the reply")
        return False
    return delivery.post(target.channel_id, reply.message, thread_ts=target.thread_ts)


def answer_and_deliver(
    parts: BotParts, asker: Asker, target: Target, started: float, make: Callable[[], Reply]
) -> None:
    """Run on the worker pool: make the reply, deliver it, count it. A long live question
    shows an interim message meanwhile, which the answer replaces (`bot.slack.interim`)."""
    from bot.css.progress import reporting
    from bot.slack.interim import Interim

    interim = Interim(parts.delivery, target)
    with reporting(interim.listener):
        reply = make()
    if not may_deliver():
        # The shutdown already told the asker this answer was interrupted (with a button).
        log.info("answer ready after its interruption notice; not sent")
        return
    delivered = interim.deliver(reply)
    outcome = reply.outcome if delivered else "error"
    REQUESTS.labels(surface=asker.surface, outcome=outcome).inc()
    ANSWER_LATENCY.labels(surface=asker.surface).observe(time.monotonic() - started)
    log.info(
        "answered",
        extra={"surface": asker.surface, "outcome": outcome, "delivered": delivered},
    )


def tell_interrupted(
    parts: BotParts, asker: Asker, target: Target, action_id: str, value: str, *, question: str
) -> None:
    """The shutdown could not wait for this answer: say so, with a button to ask again."""
    message = render_interrupted(action_id, value, question)
    delivered = deliver(parts.delivery, Reply(message), target)
    REQUESTS.labels(surface=asker.surface, outcome="interrupted").inc()
    log.info("told the asker the answer was interrupted", extra={"delivered": delivered})


def reply_later(parts: BotParts, text: str, asker: Asker, target: Target, started: float) -> None:
    """Hand "answer what was typed, then deliver it" to the worker pool."""
    parts.pool.submit(
        answer_and_deliver,
        parts,
        asker,
        target,
        started,
        lambda: parts.conversation.reply(text, asker),
        on_interrupt=lambda: tell_interrupted(
            parts, asker, target, ACTION_ASK_AGAIN, text, question=text
        ),
    )
