"""`recbot serve`: the Slack bot — Socket Mode with SLACK_APP_TOKEN, else HTTP on waitress."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.errors import ConfigError
from bot.ports import port_argument
from bot.wiring import check_bot_token

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a server in a container listens on every interface
DEFAULT_PORT = 3000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help="HTTP mode: address")
    parser.add_argument(
        "--port",
        type=port_argument,
        default=None,
        help=f"HTTP mode: port (default: PORT, else {DEFAULT_PORT})",
    )


def _port(args: argparse.Namespace, settings: Settings) -> int:
    return int(args.port) if args.port is not None else settings.http_port(DEFAULT_PORT)


def require_slack(settings: Settings) -> None:
    """What each mode needs, all missing pieces named at once: the bot token always (every
    answer is posted with it); in HTTP mode the signing secret, unless SLACK_APP_TOKEN picks
    Socket Mode instead."""
    problems = []
    if settings.slack_bot_token is None:
        problems.append(
            "SLACK_BOT_TOKEN is not set; recbot serve always needs it (the Bot "
            "User OAuth Token, xoxb-…)"
        )
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        problems.append(
            "SLACK_SIGNING_SECRET is not set; HTTP mode needs it (Basic "
            "Information → Signing Secret). For Socket Mode set SLACK_APP_TOKEN "
            "(xapp-…) instead"
        )
    if problems:
        raise ConfigError("\n".join(problems))


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.obs.log import configure_logging
    from bot.slack.server import serve_http, serve_socket_mode
    from bot.wiring import build_server_bot

    try:
        settings = load_settings()
        configure_logging(settings)
        port = _port(args, settings)
        require_slack(settings)
        if settings.slack_app_token is not None:
            # The one WebClient and its one auth.test, shared by everything the bot builds.
            client, auth = check_bot_token(settings)
            bot = build_server_bot(settings, socket_mode=True, client=client, auth=auth)
            serve_socket_mode(bot, settings.slack_app_token.get_secret_value())
            return 0
        # Checked before the server starts, so a missing secret or a refused token is one plain
        # line (in its worker it would be a failed boot and a traceback).
        client, auth = check_bot_token(settings)
        # Digests (commands, App Home list, the scheduler thread) come with the bot. The
        # worker reuses the checked client and auth.test answer (no second call after fork).
        serve_http(lambda: build_server_bot(settings, client=client, auth=auth), args.host, port)
    except ConfigError as error:
        print(f"recbot serve: {error.user_message}", file=sys.stderr)
        return 2
    return 0
