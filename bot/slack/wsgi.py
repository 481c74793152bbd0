"""The WSGI application gunicorn serves: POST /slack/events, GET /healthz, GET /metrics.

Bolt's own WSGI adapter is not used because two things must happen before Bolt parses a
body: a size limit (413 before reading more), and `slack_request`, which fixes Bolt's
parsing of a slash command whose text contains the word "payload".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.request.internals import build_context

from bot.obs.metrics import render_metrics
from bot.slack.parts import RECEIVED_AT

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.slack.workers import WorkPool

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
FORM = "application/x-www-form-urlencoded"
WsgiRoute = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


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
    """Routes the three paths; everything else is 404. /healthz says the worker is serving:
    it is built only once the bot is (gunicorn loads it after build), so it is always ready."""

    def __init__(
        self,
        app: App,
        max_body_bytes: int,
        pool: WorkPool | None = None,
        routes: Mapping[str, WsgiRoute] | None = None,
    ):
        self.app = app
        self.max_body = max_body_bytes
        self.pool = pool
        # Other parts' paths (POST /css/callbacks), each its own WSGI callable.
        self.routes = dict(routes or {})

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        received = time.monotonic()
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        route = self.routes.get(path)
        if route is not None:
            return route(environ, start_response)
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
        if not str(request_headers.get("x-slack-request-timestamp", "0")).isdigit():
            # slack_sdk's verifier raises on a non-numeric timestamp, which Bolt turns into a
            # 500; such a request cannot be genuine, so it is refused as forged.
            return _reply(start_response, "401 Unauthorized", b'{"error": "invalid request"}')
        try:
            request = slack_request(
                body, environ.get("QUERY_STRING", ""), request_headers, received
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            # Bolt parses the body before the signature is checked; a body it cannot parse
            # (not JSON, `null`, a payload that is no object) is a bad request, not a 500.
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


class SideWsgi:
    """Socket Mode's HTTP listener: /healthz, /metrics and the other parts' routes (Slack's
    own requests come over the socket)."""

    def __init__(self, routes: Mapping[str, WsgiRoute] | None = None) -> None:
        self.routes = dict(routes or {})

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        route = self.routes.get(path)
        if route is not None:
            return route(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _reply(start_response, "200 OK", b"ok\n")
        if path == METRICS_PATH and method == "GET":
            body, content_type = render_metrics()
            return _reply(start_response, "200 OK", body, content_type)
        return _reply(start_response, "404 Not Found", b"not found\n")
