"""The years a time phrase may reach: 1970 to 2100 (docs/time-phrases.md, "Reject").

Tencent Cloud counts in Unix seconds and keeps 90 days, so nothing outside these years can
ever be served; refusing them here also keeps date arithmetic far from Python's year 1..9999.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.errors import ParseError
from bot.timephrase.lexer import EXAMPLES

FIRST_YEAR = 1970
LAST_YEAR = 2100
_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
YEARS = f"{FIRST_YEAR}–{LAST_YEAR}"


def out_of_years(what: str) -> ParseError:
    return ParseError(f"{what} is outside the years I can read ({YEARS})", EXAMPLES)


def within_years(moment: datetime | None) -> bool:
    return moment is None or _EARLIEST <= moment <= _LATEST


def check_now(now: datetime) -> None:
    if not within_years(now):
        raise out_of_years(f"The reference time {now.date().isoformat()}")
