"""`recbot serve`: the Slack bot — Socket Mode with SLACK_APP_TOKEN, else HTTP on gunicorn."""

from __future__ import annotations

import argparse
import os
import sys

from bot.errors import ConfigError

DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a server in a container listens on every interface
DEFAULT_PORT = 3000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"HTTP mode: address ({DEFAULT_HOST})")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"HTTP mode: port (default $PORT or {DEFAULT_PORT})",
    )


def _port(args: argparse.Namespace) -> int:
    if args.port is not None:
        return int(args.port)
    raw = os.environ.get("PORT")
    if not raw:
        return DEFAULT_PORT
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"PORT {raw!r} is not a port number") from None


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.digest.service import build_bot_with_digests
    from bot.obs.log import configure_logging
    from bot.slack.server import serve_http, serve_socket_mode

    try:
        settings = load_settings()
        configure_logging(settings)
        port = _port(args)
        if settings.slack_app_token is not None:
            bot = build_bot_with_digests(settings, socket_mode=True)
            serve_socket_mode(bot, settings.slack_app_token.get_secret_value())
            return 0
        # Checked here too, so a missing secret is reported before gunicorn starts.
        settings.require(
            "slack_bot_token", "slack_signing_secret", why="HTTP mode (or set SLACK_APP_TOKEN)"
        )
        # Digests (commands, App Home list, the scheduler thread) come with the bot.
        serve_http(lambda: build_bot_with_digests(settings), args.host, port)
    except ConfigError as error:
        print(f"recbot serve: {error.user_message}", file=sys.stderr)
        return 2
    return 0
