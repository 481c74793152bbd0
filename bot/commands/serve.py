"""`recbot serve`: the Slack bot — Socket Mode with SLACK_APP_TOKEN, else HTTP on gunicorn."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.config import Settings

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


def check_bot_token(settings: Settings) -> tuple[WebClient, dict[str, Any]]:
    """auth.test with the bot token; ConfigError naming the variable if Slack refuses it.
    Returns the client and its auth.test response, which the bot then reuses (one each)."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.slack.app import DEFAULT_API_URL, web_client

    settings.require("slack_bot_token", why="answering in Slack (Bot User OAuth Token)")
    assert settings.slack_bot_token is not None
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    try:
        auth = dict(client.auth_test().data)  # type: ignore[arg-type]
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        raise ConfigError(
            f"SLACK_BOT_TOKEN was refused by Slack ({error}); check the token"
        ) from None
    except (SlackClientError, OSError):
        url = settings.slack_api_url or DEFAULT_API_URL
        raise ConfigError(
            f"Slack's Web API at {url} could not be reached; check the network, proxy "
            "settings and SLACK_API_URL"
        ) from None
    return client, auth


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
            client, auth = check_bot_token(settings)
            bot = build_bot_with_digests(settings, socket_mode=True, client=client, auth=auth)
            serve_socket_mode(bot, settings.slack_app_token.get_secret_value())
            return 0
        # Checked here too, so a missing secret or a refused token is reported in one plain
        # line before gunicorn starts (in its worker it would be a failed boot and a traceback).
        settings.require(
            "slack_bot_token", "slack_signing_secret", why="HTTP mode (or set SLACK_APP_TOKEN)"
        )
        client, auth = check_bot_token(settings)
        # Digests (commands, App Home list, the scheduler thread) come with the bot. The
        # worker reuses the checked client and auth.test answer (no second call after fork).
        serve_http(lambda: build_bot_with_digests(settings, client=client, auth=auth),
                   args.host, port)
    except ConfigError as error:
        print(f"recbot serve: {error.user_message}", file=sys.stderr)
        return 2
    return 0
