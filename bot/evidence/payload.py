"""A `RecordingEvent` as the JSON body CSS would POST, signed: for the simulator and tests."""

from __future__ import annotations

import json
from typing import Any

from bot.evidence.callback import sign
from bot.evidence.events import FILE_EVENT_TYPE, RecordingEvent
from bot.tasks import to_unix

APPID = 1250000001


def callback_body(event: RecordingEvent, key: str, t: int) -> dict[str, Any]:
    """The callback's fields (docs/reference/css-callbacks.md §3, §4), signed with `key`, `t`."""
    common: dict[str, Any] = {"appid": APPID, "t": t, "sign": sign(key, t)}
    if event.event_type == FILE_EVENT_TYPE and event.file is not None:
        f = event.file
        start = to_unix(f.start)
        return {
            **common,
            "event_type": FILE_EVENT_TYPE,
            "app": event.domain,
            "appname": event.app,
            "stream_id": event.stream,
            "channel_id": event.stream,
            "file_id": f.file_id,
            "record_file_id": f.file_id,
            "file_format": f.format,
            "task_id": event.task_id,
            "start_time": start - 5,
            "end_time": to_unix(f.end),
            "duration": f.duration_s,
            "file_size": f.size_bytes,
            "video_url": f.url,
            "record_temp_id": event.detail,
        }
    _, seq, _, _ = event.key.split(":", 3)
    return {
        **common,
        "event_type": event.event_type,
        "domain": event.domain,
        "appname": event.app,
        "stream_id": event.stream,
        "event_time": to_unix(event.time),
        "record_event": event.event.value,
        "task_id": event.task_id,
        "seq": seq,
        "session_id": seq,
        "record_detail": event.detail,
    }


def callback_bytes(event: RecordingEvent, key: str, t: int) -> bytes:
    return json.dumps(callback_body(event, key, t)).encode("utf-8")
