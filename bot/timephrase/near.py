"""When a phrase is refused, a near reading to offer: one misspelt word replaced by a time
word it is close to, offered only if the whole phrase then reads. Never applied silently."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from functools import cache

from bot.timephrase.lexer import Kind, Token
from bot.timephrase.lexicon import ORDINAL_SUFFIXES, ORDINAL_WORDS, RELATIVE_DAYS, TIME_WORDS

# Few tries: a refusal must stay as cheap as a reading.
_MAX_WORDS = 3
_MAX_TRIES = 6


@cache
def _vocabulary() -> tuple[str, ...]:
    # Offer the usual spelling, not the misspellings the lexicon also accepts ("yesteday").
    aliases = set(RELATIVE_DAYS) - {"today", "yesterday", "tomorrow"}
    return tuple(sorted((TIME_WORDS | set(ORDINAL_WORDS)) - aliases - {"a", "an"}))


def _swapped(word: str) -> list[str]:
    """Words one swap of neighbouring letters away ("teh" -> "the")."""
    vocabulary = set(_vocabulary())
    swaps = (word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1))
    return [w for w in dict.fromkeys(swaps) if w in vocabulary and w != word]


def _near_words(word: str) -> list[str]:
    # Only words of about the same length can reach the cutoff; the rest are not compared.
    similar = [w for w in _vocabulary() if abs(len(w) - len(word)) <= max(2, len(word) // 3)]
    close = difflib.get_close_matches(word, similar, n=3, cutoff=0.75)
    return list(dict.fromkeys([*_swapped(word), *close]))


def near_reading(label: str, tokens: Sequence[Token], reads: Callable[[str], bool]) -> str | None:
    """`label` with one unknown word replaced so that `reads` accepts it, or None."""
    known = TIME_WORDS | ORDINAL_SUFFIXES | set(ORDINAL_WORDS)
    unknown = [t.text for t in tokens if t.kind is Kind.WORD and t.text not in known]
    tries = 0
    for word in unknown[:_MAX_WORDS]:
        if len(word) < 3:
            continue
        for candidate in _near_words(word):
            guess = re.sub(rf"(?i)(?<![a-z]){re.escape(word)}(?![a-z])", candidate, label, count=1)
            tries += 1
            if guess != label and reads(guess):
                return guess
            if tries >= _MAX_TRIES:
                return None
    return None
