"""One DescribeRecordTask reply, read strictly from its bytes: a page of tasks or a failure.

We parse the body ourselves rather than trust the SDK's model, because the SDK treats an error
body under an unexpected Content-Type as success and an absent TaskList as nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.tasks import RecordTask


@dataclass(frozen=True)
class PageReply:
    tasks: tuple[RecordTask, ...]
    token: str  # "" when the window is exhausted
    request_id: str


class CallFailed(Exception):
    """One call failed: an API error code, or one of ours (ClientNetworkError, ...)."""

    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.request_id = request_id


def _malformed(why: str, body: bytes) -> CallFailed:
    preview = body[:60].decode(errors="replace")
    return CallFailed("MalformedResponse", f"{why}; it began {preview!r}")


def parse_page(body: bytes) -> PageReply:
    try:
        document: Any = json.loads(body)
    except ValueError:
        raise _malformed("the body is not JSON", body) from None
    response = document.get("Response") if isinstance(document, dict) else None
    if not isinstance(response, dict):
        raise _malformed("there is no Response object", body)
    request_id = str(response.get("RequestId") or "")
    error = response.get("Error")
    if isinstance(error, dict):
        raise CallFailed(
            str(error.get("Code") or "UnknownError"), str(error.get("Message") or ""), request_id
        )
    items = response.get("TaskList")
    token = response.get("ScrollToken", "")
    if not isinstance(items, list) or not isinstance(token, str):
        raise _malformed("TaskList or ScrollToken is missing", body)
    try:
        tasks = tuple(RecordTask.from_api(item) for item in items)
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise _malformed(f"a task is incomplete ({exc})", body) from None
    return PageReply(tasks, token, request_id)
