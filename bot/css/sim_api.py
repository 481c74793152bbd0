"""DescribeRecordTask as the simulator answers it: parameter rules, the window rule and paging.

No HTTP here: `describe_record_task` takes the decoded parameters and the server's `now`.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.tasks import RecordTask, to_unix

ACTION = "DescribeRecordTask"
VERSION = "2018-08-01"
MAX_SPAN_S = 7 * 24 * 3600
RETENTION = timedelta(days=90)
FILTERS = ("StreamName", "DomainName", "AppName")
PARAMETERS = frozenset({"StartTime", "EndTime", "ScrollToken", *FILTERS})


class ApiFault(Exception):
    """An API error the simulator answers with (HTTP 200, `Response.Error`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Page:
    tasks: tuple[RecordTask, ...]
    token: str


class TaskIndex:
    """Tasks sorted by start, so a window query is a bisect plus a short scan."""

    def __init__(self, tasks: Sequence[RecordTask]) -> None:
        self.tasks = tuple(sorted(tasks, key=lambda t: (to_unix(t.start), t.task_id)))
        self._starts = [to_unix(t.start) for t in self.tasks]

    def in_window(self, start: int, end: int, filters: Mapping[str, str]) -> list[RecordTask]:
        """Tasks whose start AND end lie in `[start, end]` and that match every exact filter."""
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_right(self._starts, end)
        fields = {"StreamName": "stream", "DomainName": "domain", "AppName": "app"}
        return [
            task
            for task in self.tasks[lo:hi]
            if to_unix(task.end) <= end
            and all(getattr(task, fields[name]) == value for name, value in filters.items())
        ]


def _integer(params: Mapping[str, object], name: str, from_form: bool) -> int:
    if name not in params:
        raise _missing(name)
    value = params[name]
    if from_form and isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiFault(
            "InvalidParameter", f"{name} must be an integer Unix time in seconds, got {value!r}."
        )
    return value


def _missing(name: str) -> ApiFault:
    return ApiFault("MissingParameter", f"The request is missing the required parameter {name}.")


def _filters(params: Mapping[str, object]) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for name in FILTERS:
        if name not in params:
            continue
        value = params[name]
        if not isinstance(value, str) or not value:
            raise ApiFault("InvalidParameterValue", f"{name} must be a non-empty string.")
        chosen[name] = value
    return chosen


def check_window(start: int, end: int, now: datetime) -> None:
    """The documented window rules, each answered with a message that names it."""
    if end <= start:
        raise ApiFault("InvalidParameter", "EndTime must be greater than StartTime.")
    if end - start > MAX_SPAN_S:
        raise ApiFault(
            "InvalidParameter",
            "The time window between StartTime and EndTime may be at most one week.",
        )
    if start < to_unix(now - RETENTION):
        raise ApiFault(
            "InvalidParameter",
            "StartTime must be no earlier than 90 days before the current time.",
        )


def _query_digest(start: int, end: int, filters: Mapping[str, str]) -> str:
    text = json.dumps([start, end, sorted(filters.items())])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_token(key: bytes, offset: int, digest: str) -> str:
    payload = f"{offset}.{digest}".encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def read_token(key: bytes, token: str, digest: str) -> int:
    """The offset a token stands for; it must be ours and made for this very query."""
    invalid = ApiFault(
        "InvalidParameterValue",
        "ScrollToken is not valid for this query; start again without it.",
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        raise invalid from None
    mac, payload = raw[:8], raw[8:]
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()[:8]):
        raise invalid
    offset, _, token_digest = payload.decode(errors="replace").partition(".")
    if token_digest != digest or not offset.isdigit():
        raise invalid
    return int(offset)


def describe_record_task(
    params: Mapping[str, object],
    now: datetime,
    index: TaskIndex,
    page_size: int,
    token_key: bytes,
    *,
    from_form: bool = False,
    repeat_token: bool = False,
) -> Page:
    """One page of DescribeRecordTask. A full page always carries a token (so the page after
    an exact multiple is empty, which clients must accept); a short page ends the listing."""
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        raise ApiFault("UnknownParameter", f"The parameter {unknown[0]} is not recognized.")
    start = _integer(params, "StartTime", from_form)
    end = _integer(params, "EndTime", from_form)
    filters = _filters(params)
    check_window(start, end, now)
    digest = _query_digest(start, end, filters)
    offset = 0
    given = params.get("ScrollToken")
    if given is not None:
        if not isinstance(given, str):
            raise ApiFault("InvalidParameterValue", "ScrollToken must be a string.")
        if given:
            offset = read_token(token_key, given, digest)
    matched = index.in_window(start, end, filters)
    page = tuple(matched[offset : offset + page_size])
    token = ""
    if len(page) == page_size:
        token = make_token(token_key, offset + page_size, digest)
    if repeat_token and page:
        # Fault: a broken server that hands back the same token for ever.
        token = given if isinstance(given, str) and given else make_token(token_key, offset, digest)
    return Page(page, token)
