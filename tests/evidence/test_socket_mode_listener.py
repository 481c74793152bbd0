"""Socket Mode keeps an HTTP listener: /healthz, /metrics and POST /css/callbacks answer while
Slack's requests come over the WebSocket."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.evidence.events import RecordEvent
from tests.evidence.sender import KEY, body_of, post_callback, status_event
from tests.slack.test_slack_socket_mode import SocketModeBot
from tests.support.serving import http
from tests.support.slack_api import SlackStandIn
from tests.support.socket_mode import SocketModeServer
from tests.support.world import SIM_ID, SIM_KEY, bot_env

pytestmark = pytest.mark.slow


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
        finally:
            bot.stop()
