"""Team memory's rules over its store: who sees which name, what may be saved, how a
request is rewritten before it is parsed. No clock: `now` and the zone come from the caller.

Access: a name or saved question is owned by the place it was made in (a channel, or the
user in a DM). What it stands for must stay inside that place's scope when it is saved, and
the scope is applied again when it is used (`bot.answer.answer` narrows every request), so a
name can never widen what a channel may see, even after the scopes change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from bot.errors import AccessDenied, ParseError
from bot.filters import Filters, narrow_to_scope
from bot.memory.commands import NAME_USAGE, SAVE_USAGE, MemoryCommand, Verb, read_command
from bot.memory.names import (
    NamedFilters,
    SavedQuestion,
    check_name,
    describe,
    expand,
    mentioned,
)
from bot.request import Request, StatusFilter, Subcommand, clean_text, parse_request, safe_fragment
from bot.timephrase import DateOrder

ADMINS_ONLY_EVERYWHERE = (
    "Only recbot admins (RECBOT_ADMINS) can make a name for every channel; "
    "leave out --everywhere to make it for this channel"
)
MAX_NAMES = 200


class NameReader(Protocol):
    """What a question reads of team memory: the names and saved questions a place may use."""

    def visible_names(self, owner: str) -> dict[str, NamedFilters]: ...
    def saved_questions(self, owner: str) -> dict[str, SavedQuestion]: ...


class MemoryStorage(NameReader, Protocol):
    """Where names and saved questions are kept (`bot.db.memory_store.MemoryStore`)."""

    def save_name(self, named: NamedFilters, now: datetime) -> None: ...
    def names_made_by(self, creator_id: str, limit: int = 50) -> list[NamedFilters]: ...
    def forget_name(self, owner: str, name: str) -> bool: ...
    def save_question(self, saved: SavedQuestion, now: datetime) -> None: ...
    def forget_question(self, owner: str, name: str) -> bool: ...


@dataclass(frozen=True)
class Place:
    """Who asks and where; `channel_id` None or `D…` is a direct conversation."""

    user_id: str
    channel_id: str | None

    @property
    def owner(self) -> str:
        if self.channel_id and not self.channel_id.startswith("D"):
            return self.channel_id
        return f"user:{self.user_id}"


@dataclass(frozen=True)
class SavedLine:
    name: str
    request_text: str


@dataclass(frozen=True)
class MemoryReply:
    """What a memory command answers: lines of text, and saved questions to offer as buttons."""

    title: str
    lines: tuple[str, ...] = ()
    saved: tuple[SavedLine, ...] = ()


@dataclass(frozen=True)
class Rewritten:
    """A request's text after saved questions and names were put in; `shown` is what to say
    first ("studio-a = cam1, cam2 on a.push.example.com")."""

    text: str
    shown: tuple[str, ...] = ()


def rewrite(store: NameReader, text: str, place: Place) -> Rewritten:
    """Put in a saved question (when the whole text is its name), then expand names.
    Text that cannot be cleaned is returned as is: the parser will say what is wrong."""
    try:
        cleaned = clean_text(text)
    except ParseError:
        return Rewritten(text)
    shown: list[str] = []
    if cleaned and " " not in cleaned:
        saved = store.saved_questions(place.owner).get(cleaned.lower())
        if saved is not None:
            shown.append(f"{saved.name} = {saved.request_text}")
            cleaned = saved.request_text
    expansion = expand(cleaned, store.visible_names(place.owner))
    shown += [describe(n) for n in expansion.used]
    return Rewritten(expansion.text, tuple(shown))


def _filters_only(request: Request) -> bool:
    return (
        request.subcommand is Subcommand.ANSWER
        and request.phrase is None
        and request.status is StatusFilter.ALL
        and not request.question
    )


class TeamMemory:
    def __init__(
        self,
        store: MemoryStorage,
        admins: frozenset[str] = frozenset(),
        date_order: DateOrder = DateOrder.MDY,
    ) -> None:
        self.store = store
        self.admins = admins
        # RECBOT_DATE_ORDER: what is saved is read as it will be read when asked.
        self.date_order = date_order

    # --- using names ----------------------------------------------------------------------

    def rewrite(self, text: str, place: Place) -> Rewritten:
        """`rewrite` over this memory's store."""
        return rewrite(self.store, text, place)

    def filters_of_saved(self, name: str, place: Place, now: datetime, zone: tzinfo) -> str | None:
        """A saved question's filters as request text (a digest repeats only its filters)."""
        saved = self.store.saved_questions(place.owner).get(name.lower())
        if saved is None:
            return None
        from bot.memory.names import filters_request

        text = expand(saved.request_text, self.store.visible_names(place.owner)).text
        return filters_request(parse_request(text, now, zone, order=self.date_order).filters)

    # --- commands -------------------------------------------------------------------------

    @staticmethod
    def command_in(text: str) -> MemoryCommand | None:
        """The memory command in `text`, None for any other request (ParseError if garbled)."""
        try:
            cleaned = clean_text(text)
        except ParseError:
            return None
        return read_command(cleaned) if cleaned else None

    def handle(
        self,
        command: MemoryCommand,
        place: Place,
        now: datetime,
        zone: tzinfo,
        scope: Filters | None,
    ) -> MemoryReply:
        """Carry out a name or saved-question command (not `audit`, which the surface reads)."""
        verb = command.verb
        if verb is Verb.NAME_SAVE:
            return self._save_name(command, place, now, zone, scope)
        if verb is Verb.NAME_LIST:
            names = self.store.visible_names(place.owner)
            lines = tuple(
                describe(n) + (" (every channel)" if n.everywhere else "")
                for n in sorted(names.values(), key=lambda n: n.name)
            )
            return MemoryReply("Names here", lines or ("None yet. " + NAME_USAGE[0],))
        if verb is Verb.NAME_SHOW:
            return MemoryReply("Name", (describe(self._visible(command.name, place)),))
        if verb is Verb.NAME_FORGET:
            return self._forget_name(command.name, place)
        if verb is Verb.SAVE:
            return self._save_question(command, place, now, zone, scope)
        if verb is Verb.SAVED_LIST:
            saved = self.store.saved_questions(place.owner)
            items = tuple(SavedLine(s.name, s.request_text) for s in saved.values())
            if not items:
                return MemoryReply("Saved questions", ("None yet. " + SAVE_USAGE[0],))
            return MemoryReply("Saved questions", saved=items)
        if verb is Verb.SAVED_FORGET:
            if not self.store.forget_question(place.owner, command.name):
                raise ParseError(f"There is no saved question '{command.name}' here", ("saved",))
            return MemoryReply("Forgotten", (f"Saved question '{command.name}' is gone.",))
        raise ParseError("The audit trail is read with 'audit'")

    def made_by(self, user_id: str) -> list[NamedFilters]:
        """The names this person made, every place (App Home lists them)."""
        return self.store.names_made_by(user_id)

    def forget_made(
        self, value: str, user_id: str, may_use: Callable[[str | None], None]
    ) -> MemoryReply:
        """App Home's Forget button: `value` ("OWNER NAME") is untrusted; only a name this
        person made is forgotten, and only while `may_use` (the access policy, raising
        AccessDenied) still lets them use its place (a channel, or None for their DMs)."""
        words = value.split()
        if len(words) != 2:
            raise ParseError("That is not one of your names", ("name list",))
        owner, name = words[0], check_name(words[1])
        named = self.store.visible_names(owner).get(name)
        if named is None or named.owner != owner or named.created_by != user_id:
            raise ParseError(f"You have no name '{name}' there", ("name list",))
        may_use(None if owner.startswith("user:") else owner)
        self.store.forget_name(owner, name)
        return MemoryReply("Forgotten", (f"Name '{name}' is gone.",))

    def _visible(self, name: str, place: Place) -> NamedFilters:
        named = self.store.visible_names(place.owner).get(name)
        if named is None:
            raise ParseError(f"There is no name '{name}' here", ("name list",))
        return named

    def _check_definition(
        self,
        body: str,
        name: str,
        place: Place,
        names: Mapping[str, NamedFilters],
    ) -> None:
        if name in self.store.saved_questions(place.owner):
            raise ParseError(f"'{name}' is already a saved question here", ("saved",))
        if name in mentioned(body, {name: None}):
            raise ParseError(f"'{name}' can't stand for itself; write its filters out", NAME_USAGE)
        inner = mentioned(body, names)
        if inner:
            raise ParseError(
                f"A name can't be made of another name ('{inner[0]}'); write its filters out",
                NAME_USAGE,
            )

    def _save_name(
        self,
        command: MemoryCommand,
        place: Place,
        now: datetime,
        zone: tzinfo,
        scope: Filters | None,
    ) -> MemoryReply:
        if command.everywhere and place.user_id not in self.admins:
            raise AccessDenied(ADMINS_ONLY_EVERYWHERE)
        names = self.store.visible_names(place.owner)
        self._check_definition(command.body, command.name, place, names)
        request = parse_request(command.body, now, zone, order=self.date_order)
        if request.filters.task_ids:
            raise ParseError(
                "A name stands for streams, apps and domains, not for tasks; to keep a "
                f"question about a TaskId, save it: 'save {command.name} did TASKID record?'",
                NAME_USAGE,
            )
        if not _filters_only(request) or request.filters.is_empty():
            raise ParseError(
                f"A name stands for filters only (stream:, app:, domain:), "
                f"not '{safe_fragment(command.body)}'",
                NAME_USAGE,
            )
        narrow_to_scope(request.filters, scope)  # AccessDenied: outside this channel's scope
        if len(names) >= MAX_NAMES and command.name not in names:
            raise ParseError(f"This place already has {MAX_NAMES} names; forget one first")
        named = NamedFilters(
            command.name, request.filters, place.owner, command.everywhere, place.user_id
        )
        self.store.save_name(named, now)
        where = "every channel" if command.everywhere else "here"
        return MemoryReply("Name saved", (f"{describe(named)} (usable {where})",))

    def _forget_name(self, name: str, place: Place) -> MemoryReply:
        if self.store.forget_name(place.owner, name):
            return MemoryReply("Forgotten", (f"Name '{name}' is gone.",))
        named = self.store.visible_names(place.owner).get(name)
        if named is not None and named.everywhere:
            if place.user_id not in self.admins:
                raise AccessDenied(
                    f"'{name}' is a name for every channel; only recbot admins can forget it"
                )
            self.store.forget_name(named.owner, name)
            return MemoryReply("Forgotten", (f"Name '{name}' is gone from every channel.",))
        raise ParseError(f"There is no name '{name}' here", ("name list",))

    def _save_question(
        self,
        command: MemoryCommand,
        place: Place,
        now: datetime,
        zone: tzinfo,
        scope: Filters | None,
    ) -> MemoryReply:
        names = self.store.visible_names(place.owner)
        if command.name in names:
            raise ParseError(f"'{command.name}' is already a name here", ("name list",))
        if read_command(command.body) is not None:
            raise ParseError("A saved question is a question, not a memory command", SAVE_USAGE)
        request = parse_request(expand(command.body, names).text, now, zone, order=self.date_order)
        if request.subcommand in (Subcommand.HELP, Subcommand.DIGEST):
            raise ParseError(
                f"A saved question is a question, not '{request.subcommand.value}'", SAVE_USAGE
            )
        narrow_to_scope(request.filters, scope)
        self.store.save_question(
            SavedQuestion(command.name, command.body, place.owner, place.user_id), now
        )
        return MemoryReply(
            "Question saved",
            (f"'{command.name}' now asks: {command.body}",),
            (SavedLine(command.name, command.body),),
        )
