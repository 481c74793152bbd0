"""Slow clients cannot stall `recbot serve`: with 200 connections that announce a 100 kB body
and send 10 bytes, a signed slash command is still acked within Slack's 3 s and answered,
/healthz answers, and the slow connections are closed once past the request deadline."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import pytest

from bot.slack.http_server import REQUEST_DEADLINE_S, SWEEP_INTERVAL_S
from tests.support.serving import FORM, ServedBot, http, signed_headers, slash_body
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow

SLOW_CONNECTIONS = 200
SLACK_ACK_DEADLINE_S = 3.0


def slow_connection(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100000\r\n\r\n" + b"token=abcd"
    )
    sock.setblocking(False)
    return sock


@pytest.fixture
def slow(served: ServedBot) -> Iterator[list[socket.socket]]:
    socks = [slow_connection(served.port) for _ in range(SLOW_CONNECTIONS)]
    yield socks
    for sock in socks:
        sock.close()


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:  # reset: closed too
        return True


def test_slow_bodies_do_not_delay_acks_or_health(
    served: ServedBot, slack_api: SlackStandIn, slow: list[socket.socket]
) -> None:
    body = slash_body(
        "cam1 last 2 days", user="UALICE", channel="CMAIN", response_url=slack_api.response_url("s")
    )
    # The client gives up where Slack does: no ack within 3 s is a failed command.
    acked = http(
        f"{served.url}/slack/events",
        body.encode(),
        signed_headers(body, FORM),
        method="POST",
        timeout=SLACK_ACK_DEADLINE_S,
    )
    assert acked.status == 200
    assert http(f"{served.url}/healthz", timeout=SLACK_ACK_DEADLINE_S).status == 200
    [answer] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/s")
    assert "cam1" in str(answer.params)


def test_slow_connections_are_closed_after_the_request_deadline(
    served: ServedBot, slow: list[socket.socket]
) -> None:
    open_socks = list(slow)
    deadline = time.monotonic() + REQUEST_DEADLINE_S + 2 * SWEEP_INTERVAL_S + 5
    while open_socks and time.monotonic() < deadline:
        readable, _, _ = select.select(open_socks, [], [], 0.5)
        open_socks = [s for s in open_socks if s not in readable or not closed_by_server(s)]
    assert open_socks == []
    # The server still serves after shedding them.
    assert http(f"{served.url}/healthz", timeout=SLACK_ACK_DEADLINE_S).status == 200


def test_a_trickling_body_is_cut_at_the_deadline_though_never_silent(served: ServedBot) -> None:
    # One byte every half second: never silent long enough for an idle timeout, so only the
    # request deadline (counted from the request's first byte) can end it.
    sock = slow_connection(served.port)
    try:
        started = time.monotonic()
        limit = started + REQUEST_DEADLINE_S + 2 * SWEEP_INTERVAL_S + 3
        closed = False
        while not closed and time.monotonic() < limit:
            readable, _, _ = select.select([sock], [], [], 0.5)
            closed = bool(readable) and closed_by_server(sock)
            if not closed:
                try:
                    sock.send(b"x")
                except OSError:
                    closed = True
        assert closed
    finally:
        sock.close()
