"""Let `--tz -05:00` mean `--tz=-05:00`: argparse takes a word starting with "-" for an option
unless it looks like a plain negative number, and "-05:00" does not."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Options whose value may be a negative UTC offset: -5, -05, -0500, -05:00.
OFFSET_OPTIONS = ("--tz",)
_NEGATIVE_OFFSET = re.compile(r"-\d{1,2}(:?\d{2})?")


def join_negative_offsets(argv: Sequence[str]) -> list[str]:
    """argv with each `--tz -HH:MM` pair written as one `--tz=-HH:MM` word; everything after
    `--` is left as typed."""
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            joined.append(word)
            joined.extend(words)
            break
        if word in OFFSET_OPTIONS:
            value = next(words, None)
            if value is not None and _NEGATIVE_OFFSET.fullmatch(value):
                joined.append(f"{word}={value}")
                continue
            joined.append(word)
            if value is not None:
                joined.append(value)
            continue
        joined.append(word)
    return joined
