"""Running the bot: waitress for HTTP (bot/slack/http_server.py), or Bolt's Socket Mode handler.

Both drain the worker pool on shutdown, so answers already accepted are still delivered.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

from bot.errors import ConfigError
from bot.obs.log import request_context
from bot.slack.http_lane import BatchRoute
from bot.slack.http_server import finish_serving, make_server
from bot.slack.parts import BotParts
from bot.slack.wsgi import SideWsgi, SlackWsgi, WsgiRoute

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 25.0
SWITCH_INTERVAL_S = 0.0005


@dataclass(frozen=True)
class Bot:
    """A built bot: the Bolt app and the parts its listeners share."""

    app: App
    parts: BotParts
    max_body_bytes: int
    on_stop: Callable[[], None] = lambda: None
    # Extra HTTP paths served beside Slack's (POST /css/callbacks), in both modes.
    routes: Mapping[str, WsgiRoute] = field(default_factory=dict)
    # Of those, POSTs answered in batches by a lane of their own (bot/slack/http_lane.py).
    lanes: Mapping[str, BatchRoute] = field(default_factory=dict)
    # HTTP mode: requests are verified with it before anything parses them.
    signing_secret: str | None = None
    drain_timeout_s: float = DRAIN_TIMEOUT_S

    def stop(self) -> None:
        """Finish accepted answers (askers of those not finished in time are told), then
        release what the bot holds."""
        self.parts.pool.drain(self.drain_timeout_s)
        self.on_stop()


def _stop_serving(_signum: int, _frame: FrameType | None) -> None:
    # Raised in the main thread, inside waitress's event loop, which stops on SystemExit.
    raise SystemExit(0)


def serve_http(build: Callable[[], Bot], host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT: stop taking requests, then drain the answers in flight."""
    # Answers are CPU work on the same GIL as the acks; a short switch interval keeps a
    # request thread from waiting 5 ms (the default) for each GIL hand-over.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    bot = build()
    try:
        server = make_server(
            SlackWsgi(
                bot.app, bot.max_body_bytes, bot.parts.pool, bot.signing_secret, routes=bot.routes
            ),
            host,
            port,
            bot.max_body_bytes,
            bot.lanes,
        )
    except ConfigError:
        bot.stop()  # the scheduler and clients it started
        raise
    previous = {s: signal.signal(s, _stop_serving) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        log.info("serving HTTP", extra={"host": host, "port": port})
        server.run()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        log.info("stopping: finishing answers in flight")
        finish_serving(server)
        bot.stop()


class _OneIdPerRequest(SocketModeHandler):
    """Socket Mode's handler, each request under its own request id (cleared after it)."""

    def handle(self, client: Any, req: Any) -> None:
        with request_context():
            super().handle(client, req)


def _side_listener(bot: Bot, host: str, port: int) -> Any:
    """Socket Mode's HTTP listener (/healthz, /metrics, the bot's routes): the same waitress
    server as HTTP mode (slow clients, request deadline, lanes), on its own thread."""
    server = make_server(SideWsgi(bot.routes), host, port, bot.max_body_bytes, bot.lanes)
    threading.Thread(target=server.run, name="http-listener", daemon=True).start()
    return server


def serve_socket_mode(
    bot: Bot, app_token: str, host: str | None = None, port: int | None = None
) -> None:
    """Connect over Socket Mode (built-in backend) and block until SIGTERM/SIGINT; with a
    `port`, an HTTP listener serves /healthz, /metrics and the bot's routes meanwhile."""
    listener = _side_listener(bot, host or "0.0.0.0", port) if port is not None else None  # noqa: S104
    handler = _OneIdPerRequest(bot.app, app_token)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        handler.connect()  # type: ignore[no-untyped-call]
        log.info("connected over Socket Mode")
        stop.wait()
    finally:
        log.info("stopping: finishing answers in flight")
        handler.close()  # type: ignore[no-untyped-call]
        if listener is not None:
            finish_serving(listener, loop_running=True)
        bot.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
