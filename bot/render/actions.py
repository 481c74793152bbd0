"""Button action ids and their values. A value carries what is needed to re-run an answer
(request text, page, the original `now`, the zone) and is validated on decode: it comes back
from Slack's client and is never trusted (the Slack layer re-checks scope on every click)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.errors import ParseError
from bot.request import MAX_LENGTH, clean_text
from bot.timephrase.zones import named_zone

ACTION_NEXT = "recbot_next"
ACTION_PREV = "recbot_prev"
ACTION_SHARE = "recbot_share"
ACTION_EXPORT = "recbot_export"
ACTION_CHART = "recbot_chart"
ACTION_IDS = (ACTION_NEXT, ACTION_PREV, ACTION_SHARE, ACTION_EXPORT, ACTION_CHART)

MAX_PAGE = 10_000
MAX_VALUE = 2000
# 2001-09-09 .. 2286: a Unix time in seconds, not milliseconds or garbage.
_MIN_UNIX, _MAX_UNIX = 1_000_000_000, 9_999_999_999
_VERSION = 1


@dataclass(frozen=True)
class ActionValue:
    request: str
    page: int
    now: datetime
    zone: str | None = None


def encode_action_value(request: str, page: int, now: datetime, zone: str | None = None) -> str:
    """Compact JSON; `now` as Unix seconds so "yesterday" means the same day on every click."""
    payload: dict[str, object] = {"v": _VERSION, "r": request, "p": page, "n": int(now.timestamp())}
    if zone:
        payload["z"] = zone
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_VALUE:
        raise ValueError("request too long for a button value")
    return text


def _refuse(why: str) -> ParseError:
    return ParseError(f"That button's data is not valid ({why}); please ask again")


def decode_action_value(value: str) -> ActionValue:
    """Raises ParseError for anything that encode_action_value could not have produced."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise _refuse("too long")
    try:
        payload = json.loads(value)
    except ValueError:
        raise _refuse("not JSON") from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise _refuse("unknown version")
    if set(payload) - {"v", "r", "p", "n", "z"}:
        raise _refuse("unexpected fields")
    request, page = payload.get("r"), payload.get("p")
    now, zone = payload.get("n"), payload.get("z")
    if not isinstance(request, str) or len(request) > MAX_LENGTH:
        raise _refuse("request")
    if clean_text(request) != request:
        raise _refuse("request is not in its normal form")
    if type(page) is not int or not 0 <= page <= MAX_PAGE:
        raise _refuse("page")
    if type(now) is not int or not _MIN_UNIX <= now <= _MAX_UNIX:
        raise _refuse("time")
    if zone is not None and (not isinstance(zone, str) or not _is_zone_name(zone)):
        raise _refuse("zone")
    return ActionValue(request, page, datetime.fromtimestamp(now, tz=UTC), zone)


def _is_zone_name(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if len(name) > 64 or ".." in name or name.startswith("/"):
        return False
    try:
        return ZoneInfo(name) == named_zone(name)  # the one zone reader (timephrase.zones)
    except (ZoneInfoNotFoundError, ValueError, ParseError):
        return False
