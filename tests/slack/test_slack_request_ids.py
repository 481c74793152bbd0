"""Every log line of a request carries that request's id, and no other request's: three
requests, one after the other, through one `recbot serve` (one worker), each answered with
its id in `X-Request-Id`, and each line logged while it was handled checked against it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.serving import JSON, ServedBot, event_body
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow


def log_lines(served: ServedBot) -> list[dict[str, Any]]:
    lines = []
    for text in served.log().splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return lines


def wait_for_line(
    served: ServedBot, where: Callable[[dict[str, Any]], bool], timeout: float = 15.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(where(line) for line in log_lines(served)):
            return
        time.sleep(0.05)  # polling the log file for a condition, with a deadline
    raise AssertionError(f"no such log line within {timeout} s:\n{served.log()[-4000:]}")


def mention(text: str, ts: str) -> dict[str, str]:
    return {
        "type": "app_mention",
        "user": "UBOB",
        "text": f"<@UBOTRECBOT> {text}",
        "ts": ts,
        "channel": "CMAIN",
        "event_ts": ts,
    }


def handled(
    served: ServedBot, body: str, done: Callable[[str, dict[str, Any]], bool]
) -> tuple[str, list[dict[str, Any]]]:
    """Post one signed event; return its request id and the lines logged while handling it
    (until `done(rid, line)` holds for a line)."""
    before = len(log_lines(served))
    response = served.post(body, JSON)
    assert response.status == 200
    rid = response.headers.get("x-request-id", "")
    assert rid, "each response names its request id"
    wait_for_line(served, lambda line: done(rid, line))
    ours = [
        line
        for line in log_lines(served)[before:]
        # The digest scheduler's ticks run beside requests, under their own ids.
        if not str(line.get("logger", "")).startswith("bot.digest")
    ]
    return rid, ours


def test_each_line_of_a_request_carries_that_requests_id(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    def answered(rid: str, line: dict[str, Any]) -> bool:
        return line.get("message") == "answered" and line.get("request_id") == rid

    def dropped(rid: str, line: dict[str, Any]) -> bool:
        return line.get("message") == "duplicate event dropped" and line.get("request_id") == rid

    first = event_body(mention("help", "1700009000.000100"), event_id="EvIds1")
    first_id, first_lines = handled(served, first, answered)
    # Slack's retry of the same event: dropped before any listener (and before an ack) runs.
    retry_id, retry_lines = handled(served, first, dropped)
    asked = mention("did cam1 record yesterday?", "1700009001.000100")
    second = event_body(asked, event_id="EvIds2")
    second_id, second_lines = handled(served, second, answered)

    assert len({first_id, retry_id, second_id}) == 3
    for rid, lines in ((first_id, first_lines), (retry_id, retry_lines), (second_id, second_lines)):
        assert lines
        assert [line for line in lines if line.get("request_id") != rid] == []
