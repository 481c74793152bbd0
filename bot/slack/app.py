"""The Bolt app: one registration of every surface, shared by HTTP and Socket Mode.

Listeners run before the response is sent (`process_before_response`) because all they do
is ack and hand the work to the `WorkPool`; the ack never waits on a thread hop or a query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import (
    warning_client_prioritized_and_token_skipped,
    warning_token_skipped,
)
from slack_sdk import WebClient

from bot.slack import actions, commands, home, mentions
from bot.slack.delivery import retry_handlers
from bot.slack.parts import BotParts

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Web API calls from answers; a slow Slack must not hold a worker for long.
API_TIMEOUT_S = 10


def web_client(token: str, api_url: str | None) -> WebClient:
    """The one WebClient: SLACK_API_URL as base URL, retries on 429 and dropped connections."""
    base = api_url or DEFAULT_API_URL
    if not base.endswith("/"):
        base += "/"
    return WebClient(
        token=token, base_url=base, timeout=API_TIMEOUT_S, retry_handlers=retry_handlers()
    )


class _DropLines(logging.Filter):
    def __init__(self, *messages: str) -> None:
        super().__init__()
        self.messages = frozenset(messages)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.messages


def _bolt_app(
    client: WebClient,
    authorize: Callable[..., AuthorizeResult] | None,
    signing_secret: str | None,
    socket_mode: bool,
    logger: logging.Logger,
) -> App:
    return App(
        client=client,
        authorize=authorize,
        signing_secret=signing_secret or "",
        # Socket Mode requests come over an authenticated WebSocket and carry no signature.
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        # Requests no listener handles are logged by Bolt and answered 404, not raised.
        raise_error_for_unhandled_request=False,
        logger=logger,
    )


def build_app(
    client: WebClient,
    signing_secret: str | None,
    parts: BotParts,
    *,
    socket_mode: bool = False,
    auth: Mapping[str, Any] | None = None,
) -> App:
    """Bolt `App` with every listener registered. With `auth` (the process's one auth.test
    response) Bolt makes no auth.test of its own; without, it calls auth.test once."""
    authorize: Callable[..., AuthorizeResult] | None = None
    if auth is not None:
        known = AuthorizeResult(
            enterprise_id=auth.get("enterprise_id"),
            team_id=auth.get("team_id"),
            bot_user_id=auth.get("user_id"),
            bot_id=auth.get("bot_id"),
            bot_token=client.token,
        )

        def authorize(**_kwargs: Any) -> AuthorizeResult:
            return known

    bolt_log = logging.getLogger("slack_bolt")
    # Given `authorize`, Bolt warns that the client's token "will be ignored"; given `client`
    # while SLACK_BOT_TOKEN is set (Bolt reads it itself), that the token "will be unused".
    # Both are the very token the client carries, so the warnings would only mislead.
    quiet = _DropLines(warning_token_skipped(), warning_client_prioritized_and_token_skipped())
    bolt_log.addFilter(quiet)
    try:
        app = _bolt_app(client, authorize, signing_secret, socket_mode, bolt_log)
    finally:
        bolt_log.removeFilter(quiet)

    def answer_each_event_once(body: dict[str, Any], next: Any) -> BoltResponse | None:
        # Slack re-sends an unacknowledged event with the same event_id (and X-Slack-Retry-Num);
        # the first delivery is being answered, so a repeat is acked and dropped.
        event_id = body.get("event_id")
        if (
            body.get("type") == "event_callback"
            and isinstance(event_id, str)
            and not parts.seen.first_time(event_id)
        ):
            log.info("duplicate event dropped", extra={"event_id": event_id})
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        next()
        return None

    app.use(answer_each_event_once)

    @app.error
    def on_error(error: Exception) -> None:
        # Listener errors are caught here; the asker's message comes from the worker's handler.
        log.error("listener failed", exc_info=error)

    commands.register(app, parts)
    mentions.register(app, parts)
    actions.register(app, parts)
    home.register(app, parts)
    return app
