"""Test helpers: CSS-style signed callback bodies for simulated tasks, POSTed over HTTP."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.payload import callback_body
from bot.evidence.simulate import task_events
from bot.tasks import RecordTask
from tests.support.serving import HttpResult, http

KEY = "demoKey123"


def status_event(
    task: RecordTask, event: RecordEvent, at: datetime, seq: str = "77"
) -> RecordingEvent:
    return RecordingEvent(
        key=f"332:{seq}:{event.value}:{int(at.timestamp())}",
        event_type=332,
        event=event,
        time=at,
        task_id=task.task_id,
        domain=task.domain,
        app=task.app,
        stream=task.stream,
        detail='{"file_format":3,"start_model":5}',
    )


def file_event(task: RecordTask, now: datetime) -> RecordingEvent:
    """A file written for `task` (the simulator's first, whatever the task's fate)."""
    done = task_events(task, max(now, task.end + timedelta(hours=1)), failure_share=0.0)
    return next(e for e in done if e.file is not None)


def body_of(
    event: RecordingEvent, *, key: str = KEY, t: int | None = None, **changes: Any
) -> bytes:
    body = callback_body(event, key, int(time.time()) + 600 if t is None else t)
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


def post_callback(base_url: str, raw: bytes, **headers: str) -> HttpResult:
    sent = {"Content-Type": "application/json", **headers}
    return http(f"{base_url}/css/callbacks", raw, sent, method="POST")
