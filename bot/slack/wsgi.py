"""The WSGI application waitress serves: POST /slack/events, GET /healthz, GET /metrics.

Bolt's own WSGI adapter is not used because four things must happen before Bolt dispatches
a body: a size limit (413 before reading more), the signature check (nothing unsigned is
parsed), `slack_request`, which fixes Bolt's parsing of a slash command whose text contains
the word "payload", and the shape check (bot/slack/payload_shape.py: a malformed signed
payload is a 400 with one log line, never a listener crash).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

from bot.obs.log import request_context
from bot.obs.metrics import render_metrics
from bot.slack.parts import RECEIVED_AT
from bot.slack.payload_shape import shape_problem

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.slack.workers import WorkPool

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
FORM = "application/x-www-form-urlencoded"
REQUEST_ID_HEADER = "X-Request-Id"


def slack_request(
    body: str, query: str, headers: dict[str, str | Sequence[str]], received: float
) -> BoltRequest:
    """A BoltRequest for an HTTP body, parsed right even when the text says "payload".

    Bolt treats any form body containing the substring "payload" as an interactivity
    payload and, finding no `payload` field, parses it to {} (so `/recordings payload-cam`
    matched nothing). A form body without a `payload` field is parsed as the plain form here.
    The raw body is untouched, so the signature is still checked over exactly what arrived.
    """
    request = BoltRequest(body=body, query=query, headers=headers, context={RECEIVED_AT: received})
    if not request.body and body and (request.content_type or FORM).startswith(FORM):
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in form:
            request.body = form
            request.context = build_context(BoltContext({RECEIVED_AT: received}), form)
    return request


def _headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


class SlackWsgi:
    """Routes the three paths; everything else is 404. /healthz says the bot is serving: the
    server listens only once the bot is built, so it is always ready.

    Each request runs under a request id of its own (every log line it causes carries it, and
    the response names it in `X-Request-Id`); the id is cleared when the request is answered,
    so the server's thread carries none into its next request."""

    def __init__(
        self,
        app: App,
        max_body_bytes: int,
        pool: WorkPool | None = None,
        signing_secret: str | None = None,
    ):
        self.app = app
        self.max_body = max_body_bytes
        self.pool = pool
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def _signed(self, body: str, headers: Mapping[str, str | Sequence[str]]) -> bool:
        """Slack's signature (slack_sdk's check: HMAC of the body, timestamp within 5 min)."""
        if self.verifier is None:
            return True
        stamp, signature = (
            headers.get("x-slack-request-timestamp"),
            headers.get("x-slack-signature"),
        )
        if not (isinstance(stamp, str) and stamp.isdigit() and isinstance(signature, str)):
            # slack_sdk's verifier raises on a non-numeric timestamp; no such request is genuine.
            return False
        return self.verifier.is_valid(body=body, timestamp=stamp, signature=signature)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with request_context() as rid:

            def with_id(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                return start_response(status, [*headers, (REQUEST_ID_HEADER, rid)], *exc)

            return self._route(environ, with_id)

    def _route(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        received = time.monotonic()
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == EVENTS_PATH and method == "POST":
            if self.pool is None:
                return self._events(environ, start_response, received)
            with self.pool.acking():
                return self._events(environ, start_response, received)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _reply(start_response, "200 OK", b"ok\n")
        if path == METRICS_PATH and method == "GET":
            body, content_type = render_metrics()
            return _reply(start_response, "200 OK", body, content_type)
        if path in (EVENTS_PATH, HEALTH_PATH, METRICS_PATH):
            return _reply(start_response, "405 Method Not Allowed", b"method not allowed\n")
        return _reply(start_response, "404 Not Found", b"not found\n")

    def _events(
        self, environ: WSGIEnvironment, start_response: StartResponse, received: float
    ) -> Iterable[bytes]:
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reply(start_response, "400 Bad Request", b"bad content-length\n")
        if declared > self.max_body:
            return _reply(start_response, "413 Payload Too Large", b"body too large\n")
        stream = environ["wsgi.input"]
        raw = stream.read(declared) if declared else stream.read(self.max_body + 1)
        if len(raw) > self.max_body:
            return _reply(start_response, "413 Payload Too Large", b"body too large\n")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _reply(start_response, "400 Bad Request", b"body is not UTF-8\n")
        request_headers = _headers(environ)
        if not self._signed(body, request_headers):
            # Checked here, before any parsing: an unsigned body never reaches a parser.
            log.warning("request refused: no valid Slack signature")
            return _reply(start_response, "401 Unauthorized", b'{"error": "invalid request"}')
        try:
            request = slack_request(
                body, environ.get("QUERY_STRING", ""), request_headers, received
            )
            problem = shape_problem(request.body)
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError) as error:
            # A signed body Bolt cannot parse (not JSON, `null`, nested past Python's limit,
            # a payload that is no object) is a bad request, not a 500.
            problem = f"it cannot be parsed ({type(error).__name__})"
        if problem is not None:
            log.warning("malformed Slack request refused", extra={"problem": problem})
            return _reply(start_response, "400 Bad Request", b"malformed body\n")
        response = self.app.dispatch(request)
        status = f"{response.status} {_REASONS.get(response.status, 'Status')}"
        headers = [(k, v) for k, values in response.headers.items() for v in values]
        data = response.body.encode("utf-8") if isinstance(response.body, str) else b""
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(data))))
        start_response(status, headers)
        return [data]


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Error"}


def _reply(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
