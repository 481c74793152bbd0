"""Names for sets of filters: what a name may be, and a request's text with names expanded.

Pure: the visible names are passed in. A name expands to filters only (never to another
name), so expansion is one pass and cannot loop; a scope is applied after expansion, at use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.errors import ParseError
from bot.filters import Filters
from bot.request import (
    FILLER,
    FILTER_KEYS,
    KEYWORD_FILTERS,
    STATUS_WORDS,
    SUBCOMMAND_WORDS,
    YES_NO_STARTERS,
    safe_fragment,
)
from bot.timephrase import looks_temporal

# The words that start a memory command; a name may not be one of them.
MEMORY_VERBS = frozenset({"name", "names", "save", "saved", "audit", "forget"})
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_EDGE_PUNCT = "\"'?!.,;:()[]"
EXAMPLES = ("name studio-a stream:cam1,cam2,cam3 domain:a.push.example.com",)


@dataclass(frozen=True)
class NamedFilters:
    """A saved name: `owner` is the channel it was made in (or `user:U…` for a DM)."""

    name: str
    filters: Filters
    owner: str
    everywhere: bool = False
    created_by: str = ""


@dataclass(frozen=True)
class SavedQuestion:
    """A whole request saved under a name, owned like a name."""

    name: str
    request_text: str
    owner: str
    created_by: str


@dataclass(frozen=True)
class Expansion:
    """The request's text with names replaced, and the names that were used (in order)."""

    text: str
    used: tuple[NamedFilters, ...] = ()


def filters_request(filters: Filters) -> str:
    """The filters as request text (`stream:a,b domain:x`); parses back to the same filters."""
    parts = [
        f"{key}:{','.join(values)}"
        for key, values in (
            ("stream", filters.streams),
            ("app", filters.apps),
            ("domain", filters.domains),
        )
        if values
    ]
    return " ".join(parts)


def describe(named: NamedFilters) -> str:
    """`studio-a = cam1, cam2, cam3 on a.push.example.com` (app: `in app live`)."""
    f = named.filters
    what = ", ".join(f.streams) if f.streams else "every stream"
    text = f"{named.name} = {what}"
    if f.apps:
        text += f" in app {', '.join(f.apps)}"
    if f.domains:
        text += f" on {', '.join(f.domains)}"
    return text


def reserved_reason(word: str, temporal: Callable[[str], bool] = looks_temporal) -> str | None:
    """Why `word` cannot be a name (it would read as something else), or None."""
    if not NAME_PATTERN.fullmatch(word):
        return (
            "a name is up to 40 lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    if not any(ch.isalpha() for ch in word):
        return "a name needs at least one letter"
    if word in STATUS_WORDS:
        return "it reads as a status"
    if word in SUBCOMMAND_WORDS or word in MEMORY_VERBS:
        return "it reads as a command"
    if word in FILTER_KEYS:
        return "it reads as a filter keyword"
    if temporal(word):
        return "it reads as a time word"
    if word in FILLER or word in YES_NO_STARTERS:
        return "it is one of the everyday words a question is made of"
    return None


def check_name(word: str, temporal: Callable[[str], bool] = looks_temporal) -> str:
    """The name, lower-cased; ParseError saying why not when it would read as something else."""
    name = word.lower()
    reason = reserved_reason(name, temporal)
    if reason is not None:
        raise ParseError(f"'{safe_fragment(word)}' can't be a name: {reason}", EXAMPLES)
    return name


def _bare(piece: str) -> str:
    return piece.strip(_EDGE_PUNCT).lower()


def mentioned(text: str, visible: Mapping[str, object]) -> list[str]:
    """The visible names that appear as words of `text` (a key:value is never a name)."""
    return [w for w in (_bare(p) for p in text.split(" ")) if w in visible]


def expand(text: str, visible: Mapping[str, NamedFilters]) -> Expansion:
    """Replace every word that is a visible name by its filters. One pass: what a name
    expands to is filters only, so nothing it produces is read as a name again. A word
    right after a filter keyword ("stream studio-a") is that literal stream, not a name."""
    if not visible:
        return Expansion(text)
    pieces = text.split(" ")
    used: list[NamedFilters] = []
    out: list[str] = []
    previous = ""
    for piece in pieces:
        word = _bare(piece)
        named = visible.get(word)
        if named is not None and previous not in KEYWORD_FILTERS:
            out.append(filters_request(named.filters))
            if named not in used:
                used.append(named)
        else:
            out.append(piece)
        previous = word
    if not used:
        return Expansion(text)
    return Expansion(" ".join(out), tuple(used))
