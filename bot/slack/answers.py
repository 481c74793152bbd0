"""The Slack side of the one pipeline: access → parse → answer → render, as a `Reply`.

Every surface calls `SlackConversation`; it decides nothing about delivery and builds no
Block Kit itself (renderers do). Every failure becomes a short plain message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.access import AccessPolicy
from bot.answer import Answer, AnswerContext, answer
from bot.errors import AccessDenied, ApiError, ParseError, RecbotError
from bot.evidence.state import EvidenceSource
from bot.render.actions import (
    ACTION_CHART,
    ACTION_EXPORT,
    ACTION_NEXT,
    ACTION_PREV,
    ACTION_SHARE,
    decode_action_value,
)
from bot.render.blocks import fallback_text, render_error, render_for_request, render_help
from bot.render.digest_replies import ACTION_DIGEST_OFF, DigestLine
from bot.render.home import ACTION_ALERT_OFF, HomeAlertLine, render_home, render_home_refusal
from bot.render.interrupted import ACTION_ASK_AGAIN
from bot.render.message import SlackMessage
from bot.render.unpostable import ACTION_DIGEST_RESUME
from bot.request import Request, Subcommand, parse_request
from bot.routes import Attachment, Handler, route_of
from bot.slack.conversation import Asker, Reply
from bot.slack.delivery import Upload
from bot.source import TaskSource
from bot.timephrase import DateOrder

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Sorry, something went wrong while answering; please try again in a minute."
NO_DIGESTS = "Digests are not set up on this bot."
UPLOAD_FAILED = (
    "I couldn't upload the CSV file here. Invite me to this channel, or ask me in a direct "
    "message, and try again."
)


class DigestCommands(Protocol):
    """What the digest part offers the Slack surfaces (`digest …` and the App Home list)."""

    def handle(
        self, args: str, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        """Run `digest <args>` for this user and channel; raise RecbotError to refuse."""
        ...

    def home_off(self, value: str, user_id: str) -> SlackMessage:
        """The App Home Off button (value untrusted); only the digest's creator may use it."""
        ...

    def home_lines(self, user_id: str) -> list[DigestLine]:
        """This user's digests, for the App Home tab."""
        ...

    def home_resume(self, value: str, user_id: str) -> SlackMessage:
        """The Resume button of a paused digest (value untrusted); its creator only."""
        ...

    def home_paused(self, user_id: str) -> list[DigestLine]:
        """This user's digests paused because their channel refused the post."""
        ...


class AlertCommands(Protocol):
    """What the alert part offers the Slack surfaces (`alert …`)."""

    def handle(
        self, args: str, user_id: str, channel_id: str | None, zone: ZoneInfo
    ) -> SlackMessage:
        """Run `alert <args>` for this user and channel; raise RecbotError to refuse."""
        ...

    def home_lines(self, user_id: str) -> list[HomeAlertLine]:
        """This user's alerts, for the App Home tab."""
        ...

    def home_off(self, value: str, user_id: str, may_use: Callable[[str], None]) -> SlackMessage:
        """The App Home Off button (value untrusted); its creator only, while `may_use`
        (raising AccessDenied) lets them use the alert's channel."""
        ...


class NameCommands(Protocol):
    """What team memory offers the name modal: `name NAME FILTERS [--everywhere]`."""

    def save_name(self, name: str, filters: str, everywhere: bool, asker: Asker) -> SlackMessage:
        """Save a name as the typed command does (same checks); raise RecbotError to refuse."""
        ...


NO_ALERTS = (
    "Alerts are not set up on this bot: it needs RECBOT_CSS_CALLBACK_KEY to receive "
    "CSS recording callbacks."
)


def _outcome(error: RecbotError) -> str:
    if isinstance(error, ParseError):
        return "parse_error"
    if isinstance(error, ApiError):
        return "api_error"
    if isinstance(error, AccessDenied):
        return "denied"
    return "error"


@dataclass(frozen=True)
class SlackConversation:
    """Implements `bot.slack.conversation.Conversation` over the core pipeline."""

    source: TaskSource
    policy: AccessPolicy
    zone_of: Callable[[str], ZoneInfo]
    members_of: Callable[[str], frozenset[str]]
    clock: Callable[[], datetime]
    digests: DigestCommands | None = None
    evidence: EvidenceSource | None = None  # recording callbacks; None when they are off
    alerts: AlertCommands | None = None
    date_order: DateOrder = DateOrder.MDY  # RECBOT_DATE_ORDER: numeric dates "3/8"

    # --- the Conversation protocol ------------------------------------------------------

    def reply(self, text: str, asker: Asker) -> Reply:
        return self._safely(lambda: self._reply(text, asker))

    def click(self, action_id: str, value: str, asker: Asker) -> Reply:
        return self._safely(lambda: self._click(action_id, value, asker))

    def home(self, user_id: str) -> Mapping[str, Any]:
        try:
            # The App Home is a direct conversation: allow_dms and the scopes apply to it.
            self.policy.check_direct(user_id, self.members_of)
        except AccessDenied as denied:
            return render_home_refusal(denied)
        lines: list[DigestLine] | None = None
        paused: list[DigestLine] = []
        if self.digests is not None:
            try:
                lines = self.digests.home_lines(user_id)
                paused = self.digests.home_paused(user_id)
            except Exception:
                log.exception("digest list for App Home failed")
        alerts: list[HomeAlertLine] | None = None
        if self.alerts is not None:
            try:
                alerts = self.alerts.home_lines(user_id)
            except Exception:
                log.exception("alert list for App Home failed")
                alerts = []
        return render_home(lines, paused=paused, alerts=alerts)

    # --- the work -----------------------------------------------------------------------

    def _safely(self, make: Callable[[], Reply]) -> Reply:
        try:
            return make()
        except RecbotError as error:
            log.info("answered with an error", extra={"error": type(error).__name__})
            return Reply(render_error(error), outcome=_outcome(error))
        except Exception:
            # The traceback goes to the log only; the asker reads one plain sentence.
            log.exception("answer failed")
            return Reply(render_error(RecbotError(SOMETHING_WENT_WRONG)), outcome="error")

    def _guard(self, asker: Asker) -> None:
        self.policy.check(asker.user_id, asker.channel_id, self.members_of)

    def _reply(self, text: str, asker: Asker) -> Reply:
        self._guard(asker)
        zone = self.zone_of(asker.user_id)
        now = self.clock()
        request = parse_request(text, now, zone, order=self.date_order)
        handler = route_of(request.subcommand).handler
        if handler is Handler.HELP:
            return Reply(render_help())
        if handler is Handler.DIGESTS:
            if self.digests is None:
                raise RecbotError(NO_DIGESTS)
            message = self.digests.handle(
                request.digest_args, asker.user_id, asker.channel_id, zone
            )
            return Reply(message)
        if handler is Handler.ALERTS:
            if self.alerts is None:
                raise RecbotError(NO_ALERTS)
            return Reply(
                self.alerts.handle(request.alert_args, asker.user_id, asker.channel_id, zone)
            )
        return self._answered(request, now, zone, asker, page=0)

    def _click(self, action_id: str, value: str, asker: Asker) -> Reply:
        # The value came back from a Slack client: decode strictly, then re-check everything
        # for the person clicking, in the channel they click in.
        self._guard(asker)
        if action_id == ACTION_ASK_AGAIN:
            # "Ask again" after an interrupted answer: the value is the question's text, no
            # more trusted than if the clicker had typed it (and parsed the same way).
            return self._reply(value, asker)
        if action_id == ACTION_DIGEST_OFF and self.digests is not None:
            # App Home's Off button: the value is a digest number, parsed like typed text;
            # only its creator may press it, and only while allowed in its channel.
            return Reply(self.digests.home_off(value, asker.user_id))
        if action_id == ACTION_DIGEST_RESUME and self.digests is not None:
            # Resume (in the pause DM or App Home): the same rules as Off.
            return Reply(self.digests.home_resume(value, asker.user_id))
        if action_id == ACTION_ALERT_OFF and self.alerts is not None:
            # App Home's Off button of an alert: its creator, while allowed in its channel.
            user = asker.user_id
            return Reply(
                self.alerts.home_off(
                    value, user, lambda channel: self.policy.check(user, channel, self.members_of)
                )
            )
        decoded = decode_action_value(value)
        zone = ZoneInfo(decoded.zone) if decoded.zone else self.zone_of(asker.user_id)
        request = parse_request(decoded.request, decoded.now, zone, order=self.date_order)
        if action_id in (ACTION_NEXT, ACTION_PREV):
            return self._answered(request, decoded.now, zone, asker, page=decoded.page)
        if action_id == ACTION_SHARE:
            shared = replace(asker, ephemeral=False)
            reply = self._answered(request, decoded.now, zone, shared, page=decoded.page)
            return replace(reply, in_channel=True)
        if action_id == ACTION_EXPORT:
            request = replace(request, subcommand=Subcommand.EXPORT)
        elif action_id == ACTION_CHART:
            request = replace(request, subcommand=Subcommand.CHART)
        else:
            raise ParseError("That button is not one of mine; please ask again")
        return self._answered(request, decoded.now, zone, asker, page=0)

    def _answered(
        self, request: Request, now: datetime, zone: ZoneInfo, asker: Asker, page: int
    ) -> Reply:
        scope = self.policy.scope_for(asker.channel_id)
        context = AnswerContext(
            now, zone, self.source, scope, evidence=self.evidence, date_order=self.date_order
        )
        result = answer(request, context)
        attachment = route_of(request.subcommand).attachment
        if attachment is Attachment.CSV:
            # The answer is the file; the message is only seen when the upload fails.
            return Reply(render_error(RecbotError(UPLOAD_FAILED)), upload=_csv_upload(result))
        message = render_for_request(result, page, share=asker.ephemeral)
        if attachment is Attachment.CHART:
            # Where the PNG cannot be made or uploaded, the text timeline is the answer.
            return Reply(message, upload=_chart_upload(result))
        return Reply(message)


def _csv_upload(result: Answer) -> Upload:
    from bot.render.csv import render_csv

    return Upload(render_csv(result), "recordings.csv", "Recording tasks", fallback_text(result))


def _chart_upload(result: Answer) -> Upload | None:
    from bot.render.chart import render_chart_png

    try:
        png = render_chart_png(result)
    except Exception:
        log.exception("chart rendering failed; sending the text timeline")
        return None
    return Upload(png, "recordings.png", "Recording timeline", fallback_text(result))
