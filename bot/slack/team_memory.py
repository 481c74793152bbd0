"""Team memory on the Slack surfaces: a `Conversation` around the answering one.

It answers `name …`, `save …`, `saved …` and `audit …` itself, puts saved questions and
names into every other request before the answering conversation parses it, shows what a
name stood for on the answer's first line, and records every question in the audit trail
(handed to the background writer: the reply never waits for the database).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.db.audit_store import AuditFilter, AuditStore
from bot.errors import AccessDenied, ParseError, RecbotError
from bot.memory.audit_query import read_audit_args
from bot.memory.audit_record import (
    MAX_REASON,
    AuditEvent,
    clean_for_audit,
    outcome_of,
    request_id_in,
    understood,
)
from bot.memory.audit_writer import AuditWriter
from bot.memory.commands import MemoryCommand, Verb
from bot.memory.desk import Place, Rewritten, TeamMemory
from bot.memory.names import check_name
from bot.memory.trail import Trail, trail
from bot.obs.log import current_request_id
from bot.render.actions import decode_action_value
from bot.render.blocks import render_error
from bot.render.memory import (
    ACTION_ASK_AGAIN,
    ACTION_NAME_FORGET,
    ACTION_SAVED_RUN,
    HOME_RECENT,
    name_list_blocks,
    recent_blocks,
    render_audit,
    render_memory_reply,
    with_expansion,
)
from bot.render.message import SlackMessage
from bot.render.modals import HOME_NAME, home_button, with_home_part
from bot.request import Subcommand, parse_request
from bot.slack.answers import SOMETHING_WENT_WRONG, SlackConversation, _outcome
from bot.slack.conversation import Asker, Reply
from bot.timephrase import parse_phrase

log = logging.getLogger(__name__)

AUDIT_ADMINS_ONLY = (
    "The audit trail is for recbot admins (RECBOT_ADMINS); ask the bot's operator if you "
    "need to see it."
)
HOME_BLOCKS = 100
# Surfaces a person typed or clicked a question on (the App Home lists these).
ASKED_SURFACES = frozenset({"slash", "mention", "dm", "action"})
QUESTION_KINDS = frozenset({"answer", "export", "chart", "stats"})
# A button press is recorded as "[action_id] request".
CLICKED = "["


@dataclass(frozen=True)
class AuditTrail:
    """Where records go (the writer's queue) and are read from; `mask` hides known secrets."""

    writer: AuditWriter
    store: AuditStore
    team_id: str
    mask: Callable[[str], str] = lambda text: text


@dataclass(frozen=True)
class RememberingConversation:
    """Implements `bot.slack.conversation.Conversation` around `inner`."""

    inner: SlackConversation
    memory: TeamMemory
    audit: AuditTrail | None = None

    # --- the Conversation protocol ------------------------------------------------------

    def reply(self, text: str, asker: Asker) -> Reply:
        started = time.monotonic()
        with trail() as noted:
            reply, asked = self._reply(text, asker, noted)
            self._record(asker, text, asked, reply, noted=noted, started=started)
        return reply

    def click(self, action_id: str, value: str, asker: Asker) -> Reply:
        if action_id == ACTION_ASK_AGAIN or (
            action_id == ACTION_SAVED_RUN and self._is_saved(value, asker)
        ):
            return self.reply(value, asker)  # asked again: recorded as the question itself
        started = time.monotonic()
        with trail() as noted:
            if action_id == ACTION_SAVED_RUN:
                reply = self._no_saved()
            elif action_id == ACTION_NAME_FORGET:
                reply = self._forget_from_home(value, asker)
            else:
                reply = self.inner.click(action_id, value, asker)
            typed = f"{CLICKED}{action_id}] {_clicked_request(value)}"
            self._record(asker, typed, "", reply, noted=noted, started=started)
        return reply

    def home(self, user_id: str) -> Mapping[str, Any]:
        view = dict(self.inner.home(user_id))
        if view.get("type") != "home":
            return view
        try:
            self.inner.policy.check_direct(user_id, self.inner.members_of)
        except AccessDenied:
            return view  # the refusal only
        try:
            names = name_list_blocks(self.memory.made_by(user_id))
        except Exception:
            log.exception("names for App Home failed")
            names = []
        view = with_home_part(view, home_button(HOME_NAME, "Name a set of streams"), names)
        if self.audit is None:
            return view
        try:
            events = self.audit.store.read(AuditFilter(user_id=user_id, limit=HOME_RECENT * 3))
        except Exception:
            log.exception("recent questions for App Home failed")
            return view
        asked = [e for e in events if _is_question(e)][:HOME_RECENT]
        view["blocks"] = (recent_blocks(asked) + list(view.get("blocks", [])))[:HOME_BLOCKS]
        return view

    # --- the name modal (bot.slack.answers.NameCommands) ---------------------------------

    def save_name(self, name: str, filters: str, everywhere: bool, asker: Asker) -> SlackMessage:
        """`name NAME FILTERS [--everywhere]` from the modal: the typed command's own path
        (access, the place's scope, the admins-only rule), recorded in the audit trail as
        the command it stands for. Built as a command, not parsed from text, so nothing in
        a field can turn it into another verb."""
        started = time.monotonic()
        command = MemoryCommand(Verb.NAME_SAVE, check_name(name), filters, everywhere)
        text = " ".join(w for w in ("name", command.name, filters) if w)
        text += " --everywhere" if everywhere else ""
        with trail() as noted:
            noted.understood = f"{command.verb.value} {command.name}"
            try:
                message = self._command(command, text, asker)
            except RecbotError as error:
                noted.reason = error.user_message
                refused = Reply(render_error(error), outcome=_outcome(error))
                self._record(asker, text, text, refused, noted=noted, started=started)
                raise
            self._record(asker, text, text, Reply(message), noted=noted, started=started)
        return message

    # --- the work -----------------------------------------------------------------------

    def _place(self, asker: Asker) -> Place:
        return Place(asker.user_id, asker.channel_id)

    def _is_saved(self, value: str, asker: Asker) -> bool:
        try:
            name = check_name(value)
            return name in self.memory.store.saved_questions(self._place(asker).owner)
        except (ParseError, Exception):
            return False

    def _forget_from_home(self, value: str, asker: Asker) -> Reply:
        """App Home's Forget: the person who made the name, while allowed in its place."""
        inner, user = self.inner, asker.user_id
        try:
            inner.policy.check_direct(user, inner.members_of)
            reply = self.memory.forget_made(
                value, user, lambda place: inner.policy.check(user, place, inner.members_of)
            )
        except RecbotError as error:
            return Reply(render_error(error), outcome=_outcome(error))
        return Reply(render_memory_reply(reply))

    def _no_saved(self) -> Reply:
        error = ParseError("That saved question is not saved here any more", ("saved",))
        return Reply(render_error(error), outcome="parse_error")

    def _reply(self, text: str, asker: Asker, noted: Trail) -> tuple[Reply, str]:
        try:
            command = TeamMemory.command_in(text)
            if command is not None:
                noted.understood = f"{command.verb.value} {command.name}".strip()
                return Reply(self._command(command, text, asker)), text
        except RecbotError as error:
            noted.reason = error.user_message
            return Reply(render_error(error), outcome=_outcome(error)), text
        except Exception:
            log.exception("memory command failed")
            return Reply(render_error(RecbotError(SOMETHING_WENT_WRONG)), outcome="error"), text
        rewritten = self._rewrite(text, asker)
        reply = self.inner.reply(rewritten.text, asker)
        if rewritten.shown and isinstance(reply.message, SlackMessage):
            reply = replace(reply, message=with_expansion(reply.message, rewritten.shown))
        return reply, rewritten.text

    def _rewrite(self, text: str, asker: Asker) -> Rewritten:
        """Names and saved questions put in; on a database failure the text as typed (the
        question is still answered, only without names)."""
        place = self._place(asker)
        try:
            words = text.split()
            if len(words) >= 3 and words[0].lower() == "digest":
                return self._digest_rewrite(words, place, asker)
            return self.memory.rewrite(text, place)
        except Exception:
            log.exception("names could not be read; answering the text as typed")
            return Rewritten(text)

    def _digest_rewrite(self, words: list[str], place: Place, asker: Asker) -> Rewritten:
        """`digest daily 09:00 nightly`: a saved question's filters become the digest's."""
        head = 3 if words[1].lower() == "daily" else 4
        rest = words[head:]
        if len(rest) == 1:
            zone = self.inner.zone_of(asker.user_id)
            filters = self.memory.filters_of_saved(rest[0], place, self.inner.clock(), zone)
            if filters is not None:
                text = " ".join([*words[:head], filters])
                return Rewritten(text, (f"{rest[0].lower()} = {filters}",))
        return self.memory.rewrite(" ".join(words), place)

    def _command(self, command: MemoryCommand, text: str, asker: Asker) -> SlackMessage:
        inner = self.inner
        inner.policy.check(asker.user_id, asker.channel_id, inner.members_of)
        zone = inner.zone_of(asker.user_id)
        now = inner.clock()
        if command.verb is Verb.AUDIT:
            return self._audit(text, asker, now, zone)
        scope = inner.policy.scope_for(asker.channel_id)
        reply = self.memory.handle(command, self._place(asker), now, zone, scope)
        return render_memory_reply(reply)

    def _audit(self, text: str, asker: Asker, now: datetime, zone: ZoneInfo) -> SlackMessage:
        if asker.user_id not in self.memory.admins:
            raise AccessDenied(AUDIT_ADMINS_ONLY)
        if self.audit is None:
            raise RecbotError("The audit trail is not set up on this bot.")
        # The arguments as typed (Slack markup kept): `@alice` arrives as `<@U…>`.
        args = text.strip().split(None, 1)[1] if len(text.split()) > 1 else ""
        query = read_audit_args(args)
        since = None
        if query.since:
            since = parse_phrase(query.since, now, zone, self.inner.date_order).start
        events = self.audit.store.read(
            AuditFilter(since=since, user_id=query.user, channel_id=query.channel, limit=100)
        )
        return render_audit(events, zone)

    def _record(
        self, asker: Asker, typed: str, asked: str, reply: Reply, *, noted: Trail, started: float
    ) -> None:
        if self.audit is None:
            return
        try:
            self.audit.writer.submit(
                self._event(asker, typed, asked, reply, noted=noted, started=started)
            )
        except Exception:
            log.exception("audit record could not be made")

    def _event(
        self, asker: Asker, typed: str, asked: str, reply: Reply, *, noted: Trail, started: float
    ) -> AuditEvent:
        assert self.audit is not None
        mask = self.audit.mask
        outcome = outcome_of(reply.outcome)
        reason = noted.reason or ("" if reply.outcome == "ok" else str(reply.message.text))
        return AuditEvent(
            at=self.inner.clock(),
            surface=asker.surface,
            team_id=self.audit.team_id,
            channel_id=asker.channel_id or "",
            user_id=asker.user_id,
            text=mask(clean_for_audit(typed)),
            understood=mask(noted.understood or self._understood(asked, asker)),
            outcome=outcome,
            reason=mask(reason)[:MAX_REASON],
            api_request_id=noted.api_request_id or request_id_in(reason),
            api_calls=noted.api_calls,
            duration_ms=(time.monotonic() - started) * 1000,
            request_id=current_request_id(),
        )

    def _understood(self, asked: str, asker: Asker) -> str:
        if not asked:
            return ""
        try:
            request = parse_request(
                asked,
                self.inner.clock(),
                self.inner.zone_of(asker.user_id),
                order=self.inner.date_order,
            )
        except RecbotError:
            return "unreadable"
        if request.subcommand is Subcommand.HELP:
            return "help"
        return understood(request)


def _is_question(event: AuditEvent) -> bool:
    """A question typed (or asked again) about tasks: not a button's record, nor a digest
    or memory command, which are no question to repeat."""
    return (
        event.surface in ASKED_SURFACES
        and not event.text.startswith(CLICKED)
        and event.understood.split(" ")[0] in QUESTION_KINDS
    )


def _clicked_request(value: str) -> str:
    try:
        return decode_action_value(value).request
    except RecbotError:
        return value[:100]
