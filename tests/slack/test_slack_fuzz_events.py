"""Fuzzing `POST /slack/events` on the real server (`recbot serve`, waitress, a subprocess)
with hypothesis: any body with any headers, signed, unsigned or stale, gets an answer below
500 without hanging, and the server is healthy afterwards."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from http.client import HTTPConnection
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.css.simulator import Simulator
from tests.support.serving import (
    BOT_TOKEN,
    SIGNING_SECRET,
    ServedBot,
    clean_env,
    http,
    signed_headers,
)
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBot]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with (
        SlackStandIn() as slack,
        Simulator(count=50, secret_id="AKIDfuzz0001", secret_key="fuzz-key-0001") as css,
    ):
        env = clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.base_url,
            TENCENTCLOUD_SECRET_ID=css.secret_id,
            TENCENTCLOUD_SECRET_KEY=css.secret_key,
            RECBOT_CSS_ENDPOINT=css.url,
            RECBOT_DATABASE_URL=f"sqlite:///{tmp}/recbot.sqlite3",
            RECBOT_MAX_BODY_BYTES="65536",
        )
        bot = ServedBot(env, tmp / "serve.log").start()
        try:
            yield bot
        finally:
            bot.stop()


_HEADER_NAME = st.sampled_from(
    [
        "Content-Type",
        "X-Slack-Signature",
        "X-Slack-Request-Timestamp",
        "X-Slack-Retry-Num",
        "X-Slack-Retry-Reason",
        "Content-Encoding",
        "Transfer-Encoding-X",
        "X-Forwarded-For",
        "Expect-X",
        "Accept",
        "X-Custom",
    ]
)
_HEADER_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
_CONTENT_TYPE = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-8",
        "",
    ]
)
_FORM = st.dictionaries(
    st.sampled_from(
        [
            "command",
            "text",
            "user_id",
            "channel_id",
            "payload",
            "response_url",
            "team_id",
            "type",
            "token",
            "trigger_id",
        ]
    ),
    st.text(max_size=200),
    max_size=8,
).map(urlencode)
_JSON_ISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
).map(json.dumps)
BODY = st.one_of(
    st.binary(max_size=2000).map(lambda b: b.decode("latin-1")),
    st.text(max_size=2000),
    _FORM,
    _JSON_ISH,
    st.builds(
        lambda t: json.dumps({"type": t, "challenge": "c", "event": {}}),
        st.sampled_from(["url_verification", "event_callback", "block_actions", "x"]),
    ),
)


def post_raw(bot: ServedBot, body: bytes, headers: dict[str, str]) -> int:
    """POST with http.client so odd headers go out as given; a hang fails by timeout."""
    connection = HTTPConnection("127.0.0.1", bot.port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@settings(
    max_examples=300,
    deadline=timedelta(seconds=10),
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=BODY,
    content_type=_CONTENT_TYPE,
    extra=st.dictionaries(_HEADER_NAME, _HEADER_VALUE, max_size=4),
    sign=st.sampled_from(["valid", "none", "stale"]),
)
def events_endpoint_never_500s_or_hangs(
    served: ServedBot, body: str, content_type: str, extra: dict[str, str], sign: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(extra)
    if sign != "none":
        stamp = int(time.time()) - (0 if sign == "valid" else 3600)
        headers.update(signed_headers(body, content_type or "text/plain", timestamp=stamp))
    status = post_raw(served, body.encode("utf-8", "surrogatepass"), headers)
    assert status < 500, (status, body[:200], headers)
    if sign != "valid":
        assert status in (400, 401, 404, 413), status


def test_oversized_bodies_are_refused_before_reading(served: ServedBot) -> None:
    big = "text=" + "x" * 70_000
    result = served.post(big, "application/x-www-form-urlencoded")
    assert result.status == 413


def test_a_huge_declared_body_is_refused_without_waiting_for_it(served: ServedBot) -> None:
    # Only the headers are sent: the server must answer from Content-Length alone.
    connection = HTTPConnection("127.0.0.1", served.port, timeout=5)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(50_000_000))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
    finally:
        connection.close()


def test_any_request_gets_an_answer_below_500_and_the_server_stays_healthy(
    served: ServedBot,
) -> None:
    events_endpoint_never_500s_or_hangs(served)  # hypothesis runs every example here
    assert http(f"{served.url}/healthz", timeout=5).status == 200
    metrics = http(f"{served.url}/metrics", timeout=5)
    assert metrics.status == 200
    assert b"recbot_requests_total" in metrics.body
    assert served.process is not None
    assert served.process.poll() is None
    assert "Traceback" not in served.log()


def test_an_oversized_header_is_refused(served: ServedBot) -> None:
    status = post_raw(served, b"{}", {"Content-Type": "application/json", "X-Big": "x" * 20_000})
    assert 400 <= status < 500
    assert http(f"{served.url}/healthz", timeout=5).status == 200
