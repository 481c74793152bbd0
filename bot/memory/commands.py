"""What a memory command says: `name …`, `save …`, `saved …`, `audit …` (pure).

`read_command(text)` returns None for anything else, which is then an ordinary request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import ParseError
from bot.memory.names import check_name

NAME_USAGE = (
    "name studio-a stream:cam1,cam2,cam3 domain:a.push.example.com",
    "name list",
    "name show studio-a",
    "name forget studio-a",
)
SAVE_USAGE = ("save nightly studio-a last night stopped", "saved", "saved forget nightly")
AUDIT_USAGE = ("audit --since yesterday", "audit --user @alice --channel #ops")
# Slack clients may turn a typed `--` into a dash; both spellings mean the flag.
_FLAG = re.compile(r"^(?:--|—|–)([a-z]+)$")


class Verb(StrEnum):
    NAME_SAVE = "name"
    NAME_LIST = "name list"
    NAME_SHOW = "name show"
    NAME_FORGET = "name forget"
    SAVE = "save"
    SAVED_LIST = "saved"
    SAVED_FORGET = "saved forget"
    AUDIT = "audit"


@dataclass(frozen=True)
class MemoryCommand:
    verb: Verb
    name: str = ""
    body: str = ""  # a name's filters, a saved request, or audit's arguments
    everywhere: bool = False


def _flag(word: str) -> str | None:
    match = _FLAG.match(word)
    return match.group(1) if match else None


def _one_name(words: list[str], verb: str, usage: tuple[str, ...]) -> str:
    if len(words) != 1:
        raise ParseError(f"'{verb}' needs one name", usage)
    return check_name(words[0])


def _name_command(words: list[str]) -> MemoryCommand:
    if not words:
        raise ParseError("Say which name", NAME_USAGE)
    head, rest = words[0].lower(), words[1:]
    if head == "list" and not rest:
        return MemoryCommand(Verb.NAME_LIST)
    if head == "show":
        return MemoryCommand(Verb.NAME_SHOW, _one_name(rest, "name show", NAME_USAGE))
    if head == "forget":
        return MemoryCommand(Verb.NAME_FORGET, _one_name(rest, "name forget", NAME_USAGE))
    everywhere = False
    body: list[str] = []
    for word in rest:
        flag = _flag(word)
        if flag == "everywhere":
            everywhere = True
        elif flag is not None:
            raise ParseError(f"'name' knows only --everywhere, not --{flag}", NAME_USAGE)
        else:
            body.append(word)
    name = check_name(head)
    if not body:
        raise ParseError(f"Say what '{name}' stands for (its filters)", NAME_USAGE)
    return MemoryCommand(Verb.NAME_SAVE, name, " ".join(body), everywhere)


def _saved_command(words: list[str]) -> MemoryCommand:
    if not words:
        return MemoryCommand(Verb.SAVED_LIST)
    if words[0].lower() == "forget":
        return MemoryCommand(Verb.SAVED_FORGET, _one_name(words[1:], "saved forget", SAVE_USAGE))
    raise ParseError("'saved' lists saved questions; 'saved forget NAME' removes one", SAVE_USAGE)


def read_command(text: str) -> MemoryCommand | None:
    """The memory command in cleaned request text, or None when it is not one."""
    words = text.split(" ")
    head = words[0].lower()
    if head == "name":
        return _name_command([w for w in words[1:] if w])
    if head == "save":
        rest = [w for w in words[1:] if w]
        if len(rest) < 2:
            raise ParseError("'save' needs a name and the question to save", SAVE_USAGE)
        return MemoryCommand(Verb.SAVE, check_name(rest[0]), " ".join(rest[1:]))
    if head == "saved":
        return _saved_command([w for w in words[1:] if w])
    if head == "audit":
        return MemoryCommand(Verb.AUDIT, body=" ".join(words[1:]).strip())
    return None
