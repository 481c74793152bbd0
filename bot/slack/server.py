"""Running the bot: gunicorn (gthread, one worker) for HTTP, or Bolt's Socket Mode handler.

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

from gunicorn.app.base import BaseApplication
from slack_bolt import App

from bot.slack.parts import BotParts
from bot.slack.wsgi import SideWsgi, SlackWsgi, WsgiRoute

log = logging.getLogger(__name__)

# Threads serving HTTP: each request only verifies, acks and hands off, so a few dozen
# threads take far more than Slack ever sends to one workspace's bot.
HTTP_THREADS = 32
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

    def stop(self) -> None:
        """Finish accepted answers, then release what the bot holds."""
        self.parts.pool.drain(DRAIN_TIMEOUT_S)
        self.on_stop()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn embedded: no config file, no command line of its own."""

    def __init__(self, build: Callable[[], Bot], options: dict[str, Any]) -> None:
        self._build = build
        self._options = options
        self._bot: Bot | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> SlackWsgi:
        # Built in the worker, after the fork: threads, sockets and the pool belong to it.
        # Answers are CPU work on the same GIL as the acks; a short switch interval keeps a
        # request thread from waiting 5 ms (the default) for each GIL hand-over.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._bot = self._build()
        return SlackWsgi(
            self._bot.app, self._bot.max_body_bytes, self._bot.parts.pool, self._bot.routes
        )

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        if self._bot is not None:
            log.info("worker stopping: finishing answers in flight")
            self._bot.stop()


def serve_http(build: Callable[[], Bot], host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT; gunicorn stops accepting, then the pool drains."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": HTTP_THREADS,
        "timeout": 60,
        "graceful_timeout": int(DRAIN_TIMEOUT_S) + 5,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "recbot",
        # Slack sends small requests; refuse huge header sections early.
        "limit_request_field_size": 16_384,
    }
    _Gunicorn(build, options).run()


def _side_listener(bot: Bot, host: str, port: int) -> Any:
    """Socket Mode's HTTP listener (/healthz, /metrics, the bot's routes), on its own thread."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server(host, port, SideWsgi(bot.routes), Server, Quiet)
    threading.Thread(target=server.serve_forever, name="http-listener", daemon=True).start()
    return server


def serve_socket_mode(
    bot: Bot, app_token: str, host: str | None = None, port: int | None = None
) -> None:
    """Connect over Socket Mode (built-in backend) and block until SIGTERM/SIGINT; with a
    `port`, an HTTP listener serves /healthz, /metrics and the bot's routes meanwhile."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    listener = _side_listener(bot, host or "0.0.0.0", port) if port is not None else None  # noqa: S104
    handler = SocketModeHandler(bot.app, app_token)
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
            listener.shutdown()
        bot.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
