"""A CSS callback body → `RecordingEvent`, or a refusal saying why; pure (the caller passes `now`).

Order matters: the signature and expiry are checked before anything else is trusted, so a
forged body is refused as unauthorized whatever else is wrong with it. See
docs/reference/css-callbacks.md for the fields and the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import RecbotError
from bot.evidence.events import (
    FILE_EVENT_TYPE,
    STATUS_EVENT_TYPE,
    RecordedFile,
    RecordEvent,
    RecordingEvent,
)

MAX_BODY_BYTES = 64 * 1024
CLOCK_SKEW = timedelta(seconds=30)
# CSS sets `t` 10 minutes ahead by default; a signature valid for more than a day is not CSS's.
MAX_AHEAD = timedelta(days=1)
_STATUS_EVENTS = {e.value: e for e in RecordEvent if e is not RecordEvent.FILE_WRITTEN}


class CallbackRefused(RecbotError):
    """A callback not stored. `status` is the HTTP answer (401 or 400), `outcome` the metric
    label (`unauthorized` or `malformed`); the message never holds the key or the body."""

    def __init__(self, status: int, outcome: str, user_message: str) -> None:
        super().__init__(user_message)
        self.status = status
        self.outcome = outcome


def _unauthorized(why: str) -> CallbackRefused:
    return CallbackRefused(401, "unauthorized", why)


def _malformed(why: str) -> CallbackRefused:
    return CallbackRefused(400, "malformed", why)


def sign(key: str, t: int) -> str:
    """`md5(key + str(t))` as lowercase hex, as CSS signs (not a security hash: CSS's choice)."""
    return hashlib.md5((key + str(t)).encode("utf-8"), usedforsecurity=False).hexdigest()


def check_signature(body: dict[str, Any], key: str, now: datetime) -> None:
    """Raise 401 unless `sign` matches `t` and `t` is neither past (30 s skew) nor > 1 day ahead."""
    t, given = body.get("t"), body.get("sign")
    if isinstance(t, str) and t.isdigit():
        t = int(t)
    if not isinstance(t, int) or isinstance(t, bool) or not isinstance(given, str):
        raise _unauthorized("missing t or sign")
    if not hmac.compare_digest(sign(key, t).encode(), given.strip().lower().encode()):
        raise _unauthorized("wrong sign")
    try:
        expires = datetime.fromtimestamp(t, UTC)
    except (OverflowError, OSError, ValueError):
        raise _unauthorized("t out of range") from None
    if expires + CLOCK_SKEW < now:
        raise _unauthorized("t has passed")
    if expires > now + MAX_AHEAD:
        raise _unauthorized("t is more than a day ahead")


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise _malformed(f"missing {name}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _malformed(f"{name} is not text")
    return str(value)[:512]


def _int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise _malformed(f"missing or bad {name}")
    return value


def _moment(body: dict[str, Any], name: str) -> datetime:
    try:
        return datetime.fromtimestamp(_int(body, name), UTC)
    except (OverflowError, OSError, ValueError):
        raise _malformed(f"{name} out of range") from None


def _status_event(body: dict[str, Any]) -> RecordingEvent:
    event = _STATUS_EVENTS.get(_text(body, "record_event"))
    if event is None:
        raise _malformed("unknown record_event")
    when = _moment(body, "event_time")
    seq = _text(body, "seq", required=False) or _text(body, "session_id")
    return RecordingEvent(
        key=f"{STATUS_EVENT_TYPE}:{seq}:{event.value}:{int(when.timestamp())}",
        event_type=STATUS_EVENT_TYPE,
        event=event,
        time=when,
        task_id=_text(body, "task_id", required=False),
        domain=_text(body, "domain"),
        app=_text(body, "appname"),
        stream=_text(body, "stream_id"),
        detail=_text(body, "record_detail", required=False)[:512],
    )


def _file_event(body: dict[str, Any]) -> RecordingEvent:
    file_id = _text(body, "file_id")
    end = _moment(body, "end_time")
    duration = _int(body, "duration")
    _moment(body, "start_time")  # required, though the content start is end - duration
    recorded = RecordedFile(
        file_id=file_id,
        format=_text(body, "file_format", required=False).lower(),
        start=end - timedelta(seconds=duration),
        end=end,
        duration_s=duration,
        size_bytes=_int(body, "file_size"),
        url=_text(body, "video_url", required=False),
    )
    return RecordingEvent(
        key=f"{FILE_EVENT_TYPE}:{file_id}",
        event_type=FILE_EVENT_TYPE,
        event=RecordEvent.FILE_WRITTEN,
        time=end,
        task_id=_text(body, "task_id", required=False),
        domain=_text(body, "app"),
        app=_text(body, "appname"),
        stream=_text(body, "stream_id"),
        detail=_text(body, "record_temp_id", required=False),
        file=recorded,
    )


def parse_callback(raw: bytes, key: str, now: datetime) -> RecordingEvent:
    """The event a callback body carries; CallbackRefused (401 before 400) otherwise."""
    if len(raw) > MAX_BODY_BYTES:
        raise _malformed("body over 64 KiB")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _malformed("body is not JSON") from None
    if not isinstance(body, dict):
        raise _malformed("body is not a JSON object")
    check_signature(body, key, now)
    event_type = body.get("event_type")
    if isinstance(event_type, str) and event_type.isdigit():
        event_type = int(event_type)
    if event_type == STATUS_EVENT_TYPE:
        return _status_event(body)
    if event_type == FILE_EVENT_TYPE:
        return _file_event(body)
    raise _malformed("unknown event_type")
