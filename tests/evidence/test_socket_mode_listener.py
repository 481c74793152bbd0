"""Socket Mode keeps an HTTP listener: /healthz, /metrics and POST /css/callbacks answer while
Slack's requests come over the WebSocket. It is the HTTP mode's server: slow clients neither
stall it nor stay past the request deadline."""

from __future__ import annotations

import select
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.evidence.events import RecordEvent
from bot.slack.http_server import REQUEST_DEADLINE_S, SWEEP_INTERVAL_S
from tests.evidence.sender import KEY, body_of, post_callback, status_event
from tests.slack.test_slack_slow_clients import closed_by_server
from tests.slack.test_slack_socket_mode import SocketModeBot
from tests.support.serving import http
from tests.support.slack_api import SlackStandIn
from tests.support.socket_mode import SocketModeServer
from tests.support.world import SIM_ID, SIM_KEY, bot_env

pytestmark = pytest.mark.slow


def half_sent(port: int) -> socket.socket:
    """A callback whose head never finishes arriving: held until the request deadline."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"POST /css/callbacks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    sock.setblocking(False)
    return sock


def test_socket_mode_serves_health_metrics_and_callbacks_over_http(tmp_path: Path) -> None:
    with (
        SlackStandIn() as slack,
        Simulator(count=5, secret_id=SIM_ID, secret_key=SIM_KEY) as css,
        SocketModeServer() as ws,
    ):
        slack.socket_mode_url = ws.url
        env = bot_env(
            slack, css.url, tmp_path, SLACK_APP_TOKEN="xapp-1-test", RECBOT_CSS_CALLBACK_KEY=KEY
        )
        env.pop("SLACK_SIGNING_SECRET")
        bot = SocketModeBot(env, tmp_path / "serve.log", ws).start()
        try:
            assert http(f"{bot.url}/healthz").status == 200
            event = status_event(css.tasks[0], RecordEvent.START_FAILED, datetime.now(UTC))
            answer = post_callback(bot.url, body_of(event))
            assert (answer.status, answer.body) == (200, b'{"code":0}')
            metrics = http(f"{bot.url}/metrics").body.decode()
            assert 'recbot_css_callbacks_total{outcome="accepted"} 1.0' in metrics
            assert http(f"{bot.url}/slack/events", b"{}", method="POST").status == 404
            port = int(bot.url.rsplit(":", 1)[1])
            opened = [half_sent(port) for _ in range(50)]
            slow = list(opened)
            try:
                assert http(f"{bot.url}/healthz", timeout=3).status == 200
                answer = post_callback(bot.url, body_of(event))  # CSS retrying: a duplicate
                assert (answer.status, answer.body) == (200, b'{"code":0}')
                deadline = time.monotonic() + REQUEST_DEADLINE_S + 2 * SWEEP_INTERVAL_S + 5
                while slow and time.monotonic() < deadline:
                    readable, _, _ = select.select(slow, [], [], 0.5)
                    slow = [s for s in slow if s not in readable or not closed_by_server(s)]
                assert slow == []
            finally:
                for sock in opened:
                    sock.close()
        finally:
            bot.stop()
