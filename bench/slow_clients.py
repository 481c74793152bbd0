"""`recbot serve` under 200 slow clients (each announces a 100 kB body and sends 10 bytes):
signed slash commands are still acked and answered, /healthz answers, and the slow
connections are closed by the request deadline (bot/slack/http_server.py).

Figures: ack latency of 20 signed slash commands sent one after another while the 200 slow
connections are open (p50 / max; target max < 3 s, Slack's ack deadline, and p50 ≤ 50 ms),
answers delivered, /healthz latency, and how long until every slow connection was closed.

    .venv/bin/python bench/slow_clients.py          # prints the figures
    .venv/bin/python bench/run.py slow_clients      # the same rows in the bench table
"""

from __future__ import annotations

import select
import socket
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench._served import served_bot  # noqa: E402
from bot.slack.http_server import REQUEST_DEADLINE_S  # noqa: E402
from tests.support.serving import FORM, http, signed_headers, slash_body  # noqa: E402

SLOW = 200
COMMANDS = 20
ACK_DEADLINE_S = 3.0
ACK_P50_TARGET_MS = 50.0
SLOW_HEAD = (
    b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
)


def _open_slow(port: int) -> list[socket.socket]:
    socks = []
    for _ in range(SLOW):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(SLOW_HEAD + b"token=abcd")
        sock.setblocking(False)
        socks.append(sock)
    return socks


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _wait_closed(socks: list[socket.socket], opened: float, limit_s: float) -> tuple[int, float]:
    """How many the server closed, and when the last one closed (seconds after opening)."""
    pending, last = list(socks), 0.0
    deadline = opened + limit_s
    while pending and time.monotonic() < deadline:
        readable, _, _ = select.select(pending, [], [], 0.2)
        gone = [s for s in readable if _closed(s)]
        if gone:
            last = time.monotonic() - opened
        pending = [s for s in pending if s not in gone]
    return len(socks) - len(pending), last


def measure() -> dict[str, float]:
    with served_bot() as (slack, bot):
        socks: list[socket.socket] = []
        try:
            opened = time.monotonic()
            socks = _open_slow(bot.port)
            acks: list[float] = []
            statuses: list[int] = []
            for i in range(COMMANDS):
                body = slash_body(
                    "last 3 days",
                    user=f"USLOW{i:02d}",
                    channel="CBENCH",
                    response_url=slack.response_url(f"s{i:02d}"),
                )
                try:
                    result = http(
                        f"{bot.url}/slack/events",
                        body.encode(),
                        signed_headers(body, FORM),
                        method="POST",
                        timeout=ACK_DEADLINE_S,
                    )
                    acks.append(result.elapsed_s)
                    statuses.append(result.status)
                except OSError:
                    acks.append(ACK_DEADLINE_S)
                    statuses.append(0)
            health = http(f"{bot.url}/healthz", timeout=ACK_DEADLINE_S)
            answers = slack.wait_for(
                "response_url",
                count=COMMANDS,
                where=lambda c: c.path.startswith("/response/s"),
                timeout=60,
            )
            closed, last_closed = _wait_closed(socks, opened, REQUEST_DEADLINE_S + 15)
        finally:
            for sock in socks:
                sock.close()
    return {
        "ack_p50_ms": statistics.median(acks) * 1000,
        "ack_max_ms": max(acks) * 1000,
        "acked_200": float(sum(1 for s in statuses if s == 200)),
        "delivered": float(len({c.path for c in answers})),
        "health_ms": health.elapsed_s * 1000 if health.status == 200 else float("inf"),
        "closed": float(closed),
        "last_closed_s": last_closed,
    }


def run() -> list[tuple[str, str, str, bool]]:
    m = measure()
    acked = int(m["acked_200"])
    return [
        (
            f"slow clients: ack latency, {COMMANDS} slash commands with {SLOW} slow bodies "
            "open (p50 / max)",
            f"max < {ACK_DEADLINE_S * 1000:.0f} ms, p50 ≤ {ACK_P50_TARGET_MS:.0f} ms",
            f"{m['ack_p50_ms']:.1f} / {m['ack_max_ms']:.1f} ms (acked 200: {acked})",
            acked == COMMANDS
            and m["ack_max_ms"] < ACK_DEADLINE_S * 1000
            and m["ack_p50_ms"] <= ACK_P50_TARGET_MS,
        ),
        (
            "slow clients: answers delivered, /healthz",
            f"{COMMANDS} of {COMMANDS}, answers",
            f"{int(m['delivered'])} of {COMMANDS}, {m['health_ms']:.1f} ms",
            int(m["delivered"]) == COMMANDS and m["health_ms"] < ACK_DEADLINE_S * 1000,
        ),
        (
            "slow clients: slow connections closed by the request deadline",
            f"{SLOW} of {SLOW} within {REQUEST_DEADLINE_S + 2} s",
            f"{int(m['closed'])} of {SLOW}, last after {m['last_closed_s']:.1f} s",
            int(m["closed"]) == SLOW and m["last_closed_s"] <= REQUEST_DEADLINE_S + 2,
        ),
    ]


if __name__ == "__main__":
    from run import report  # bench/run.py, beside this file

    raise SystemExit(report(run()))
