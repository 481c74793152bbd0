"""The short human text for a window: "yesterday, Jul 26 00:00 → Jul 27 00:00 JST"."""

from __future__ import annotations

from datetime import datetime

from bot.timephrase.zones import zone_label

# English month abbreviations, as %b gives them in the C locale (without strftime's cost).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _moment(moment: datetime, now: datetime) -> str:
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if moment.second:
        clock += f":{moment.second:02d}"
    year = f" {moment.year}" if moment.year != now.year else ""
    return f"{_MONTHS[moment.month - 1]} {moment.day}{year} {clock}"


def _zone(*moments: datetime) -> str:
    labels = list(dict.fromkeys(zone_label(m) for m in moments))
    return "/".join(labels)


def describe(label: str, start: datetime | None, end: datetime | None, now: datetime) -> str:
    """`label` is the phrase as typed; at least one end is given."""
    if start is not None and end is not None:
        return f"{label}, {_moment(start, now)} → {_moment(end, now)} {_zone(start, end)}"
    if start is not None:
        return f"{label}, since {_moment(start, now)} {_zone(start)}"
    assert end is not None
    return f"{label}, until {_moment(end, now)} {_zone(end)}"
