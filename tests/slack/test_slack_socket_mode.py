"""Socket Mode over the wire: with SLACK_APP_TOKEN, `recbot serve` connects to the URL from
apps.connections.open, acks each envelope and answers through the same listeners."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import ServedBot, slash_body
from tests.support.slack_api import SlackStandIn
from tests.support.socket_mode import SocketModeServer
from tests.support.world import bot_env

pytestmark = pytest.mark.slow


class SocketModeBot(ServedBot):
    """`recbot serve` in Socket Mode: no HTTP port; ready once the WebSocket is up."""

    def __init__(self, env: dict[str, str], log_path: Path, ws: SocketModeServer) -> None:
        super().__init__(env, log_path)
        self._ws = ws

    def start(self, timeout: float = 30.0) -> SocketModeBot:
        self._spawn()
        self._ws.wait_connected(timeout)
        return self


def test_socket_mode_slash_command_is_acked_and_answered(
    slack_api: SlackStandIn, css: Simulator, tmp_path: Path
) -> None:
    with SocketModeServer() as ws:
        slack_api.socket_mode_url = ws.url
        env = bot_env(slack_api, css.url, tmp_path, SLACK_APP_TOKEN="xapp-1-test")
        env.pop("SLACK_SIGNING_SECRET")
        bot = SocketModeBot(env, tmp_path / "serve.log", ws).start()
        try:
            form = slash_body(
                "cam1 last 2 days",
                user="UALICE",
                channel="CMAIN",
                response_url=slack_api.response_url("socket1"),
            )
            ws.send_envelope("env-1", "slash_commands", dict(parse_qsl(form)))
            ws.wait_ack("env-1")
            [call] = slack_api.wait_for(
                "response_url", where=lambda c: c.path == "/response/socket1"
            )
        finally:
            code = bot.stop()
    assert "cam1" in json.dumps(call.params)
    assert code == 0
