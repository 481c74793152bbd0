"""The Workflow Builder step "Check recordings" (Bolt `app.function`, manifest `functions`).

Slack sends `function_executed` with the step's inputs; Bolt acks it. The answer is made on
the worker pool and finished with functions.completeSuccess (outputs: found, count, summary,
csv_link) or functions.completeError with the one sentence a person would read.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import App, BoltContext, Complete, Fail
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.answer import AnswerContext, answer
from bot.errors import AccessDenied, RecbotError
from bot.obs.metrics import REQUESTS
from bot.render.blocks import fallback_text
from bot.render.csv import render_csv
from bot.request import parse_request
from bot.slack.catalog import CHECK_RECORDINGS
from bot.slack.native import NativeParts
from bot.slack.parts import BotParts, acked

log = logging.getLogger(__name__)

NO_PERSON = (
    "recbot answers only certain people: set the step's “Asked by” input to "
    "“Person who used this workflow”"
)
NOT_HERE = "recbot may not answer for that channel; pick one it is allowed in"
FAILED = "recbot could not answer; try again in a minute"


def register(app: App, parts: BotParts, native: NativeParts) -> None:
    @app.function(CHECK_RECORDINGS.callback_id)
    def on_check_recordings(
        inputs: dict[str, Any],
        complete: Complete,
        fail: Fail,
        client: WebClient,
        context: BoltContext,
    ) -> None:
        acked("workflow", context)
        parts.pool.submit(_run_step, native, dict(inputs), complete, fail, client)


def _run_step(
    native: NativeParts, inputs: dict[str, Any], complete: Complete, fail: Fail, client: WebClient
) -> None:
    try:
        outputs = _check(native, inputs, client)
    except RecbotError as error:
        message = error.user_message
        _finish(
            lambda: fail(error=message),
            "denied" if isinstance(error, AccessDenied) else "parse_error",
        )
        return
    except Exception:
        log.exception("workflow step failed")
        _finish(lambda: fail(error=FAILED), "error")
        return
    _finish(lambda: complete(outputs=outputs), "ok")


def _finish(call: Any, outcome: str) -> None:
    try:
        call()
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("functions.complete* failed", extra={"error": str(exc)})
        outcome = "error"
    REQUESTS.labels(surface="workflow", outcome=outcome).inc()


def _check(native: NativeParts, inputs: dict[str, Any], client: WebClient) -> dict[str, Any]:
    channel = str(inputs.get("channel_id") or "")
    user = str(inputs.get("user_id") or "")
    if not channel or not channel.startswith(("C", "G")):
        raise AccessDenied(NOT_HERE)
    if user:
        native.policy.check(user, channel, native.members_of)
    elif native.policy.restricts_people:
        raise AccessDenied(NO_PERSON)
    elif native.policy.channels and channel not in native.policy.channels:
        raise AccessDenied(NOT_HERE)
    scope = native.policy.scope_for(channel)
    text = " ".join(str(inputs.get(k) or "") for k in ("request", "time_phrase")).strip()
    now = native.clock()
    zone: ZoneInfo = native.zone_of(user) if user else native.default_zone
    result = answer(
        parse_request(text, now, zone, order=native.date_order),
        AnswerContext(now, zone, native.source, scope, date_order=native.date_order),
    )
    link = _share_csv(client, channel, render_csv(result)) if result.result.tasks else ""
    return {
        "found": bool(result.tasks),
        "count": len(result.tasks),
        "summary": fallback_text(result),
        "csv_link": link,
    }


def _share_csv(client: WebClient, channel: str, content: bytes | str) -> str:
    """Upload the CSV to the step's channel; its permalink, or "" when Slack refused it."""
    try:
        response = client.files_upload_v2(
            content=content, filename="recordings.csv", title="Recording tasks", channel=channel
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("workflow CSV upload failed", extra={"error": str(exc), "channel": channel})
        return ""
    file = response.get("file") or {}
    return str(file.get("permalink") or "")
