"""What one question left behind for its audit record, gathered where it happens.

A surface opens `trail()` around a question; the pipeline's steps note what they learn
(the request as understood, API calls, an API error's RequestId, a refusal's reason) on the
trail of the current context. Outside a trail every note is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.errors import AccessDenied, ApiError, ParseError, RecbotError
from bot.filters import Filters
from bot.memory.audit_record import understood
from bot.request import Request
from bot.source import FetchResult, TaskSource
from bot.timephrase.window import Window


@dataclass
class Trail:
    understood: str = ""
    api_calls: int = 0
    api_request_id: str = ""
    reason: str = ""
    outcome: str = ""  # set by note_error: parse_error | refused | api_error | error


_CURRENT: ContextVar[Trail | None] = ContextVar("recbot_audit_trail", default=None)


@contextmanager
def trail() -> Iterator[Trail]:
    current = Trail()
    token = _CURRENT.set(current)
    try:
        yield current
    finally:
        _CURRENT.reset(token)


def note_request(request: Request) -> None:
    current = _CURRENT.get()
    if current is not None:
        current.understood = understood(request)


def note_error(error: RecbotError) -> None:
    current = _CURRENT.get()
    if current is not None:
        current.reason = error.user_message
        current.outcome = (
            "parse_error"
            if isinstance(error, ParseError)
            else "refused"
            if isinstance(error, AccessDenied)
            else "api_error"
            if isinstance(error, ApiError)
            else "error"
        )
        if isinstance(error, ApiError) and error.request_id:
            current.api_request_id = error.request_id


class TrailingSource:
    """A task source that notes each fetch's API calls (and a failure's RequestId) on the
    current trail; everything else is the wrapped source's."""

    def __init__(self, inner: TaskSource) -> None:
        self.inner = inner

    def fetch_tasks(self, window: Window, filters: Filters, now: datetime) -> FetchResult:
        try:
            result = self.inner.fetch_tasks(window, filters, now)
        except ApiError as error:
            note_error(error)
            raise
        current = _CURRENT.get()
        if current is not None:
            current.api_calls += result.stats.api_calls
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
