"""The CLI's `--now` and `--tz`, read the same way by `recbot parse` and `recbot ask`.

The zone: --tz, else the offset --now carries, else RECBOT_DEFAULT_TZ, else UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.errors import ParseError
from bot.timephrase.zones import fixed_offset_zone, read_zone

NOW_EXAMPLES = ("2026-07-27T10:00:00+09:00", "2026-07-27T10:00")


def read_now(text: str) -> datetime:
    """--now as written: aware if it carries an offset, naive if not."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        shown = "".join(ch if ch.isprintable() else "?" for ch in text[:40])
        raise ParseError(f"--now '{shown}' is not an ISO 8601 time", NOW_EXAMPLES) from None


def choose(
    now_text: str | None, tz_text: str | None, default_tz: str | None, clock: datetime
) -> tuple[datetime, tzinfo]:
    """(now, zone) for a command; `clock` is the real time, used when --now is not given.
    Raises ParseError for a bad --now or zone."""
    written = read_now(now_text) if now_text is not None else None
    if tz_text is not None:
        zone = read_zone(tz_text)
    elif written is not None and written.tzinfo is not None:
        zone = fixed_offset_zone(written.utcoffset() or timedelta(0))
    else:
        zone = read_zone(default_tz) if default_tz else read_zone("UTC")
    if written is None:
        return clock, zone
    return (written if written.tzinfo is not None else written.replace(tzinfo=zone)), zone
