"""20 concurrent signed `/recordings` commands against `recbot serve` (waitress) on loopback.

Figures: ack latency p50/p99 (target p99 ≤ 50 ms; Slack allows 3 s), answer latency p50/p99
(request sent → answer received at the response_url), every answer delivered, server RSS.
The bot talks to the loopback Slack stand-in and the CSS simulator (its default data).

    .venv/bin/python bench/slack.py        # prints the figures
    .venv/bin/python bench/run.py slack    # the same rows in the bench table
"""

from __future__ import annotations

import multiprocessing
import selectors
import socket
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench._served import served_bot  # noqa: E402
from tests.support.serving import FORM, signed_headers, slash_body  # noqa: E402

CONCURRENT = 20
ACK_P99_TARGET_MS = 50.0
REQUESTS = ("last 3 days", "running", "yesterday", "scheduled", "stats last 7 days")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _rss_mib(pid: int) -> float:
    """RSS of the server process (and any children), from /proc."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total_kib = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


def _raw_request(port: int, body: str) -> bytes:
    headers = signed_headers(body, FORM)
    lines = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: close",
        f"Content-Length: {len(body.encode())}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def _fire_all(port: int, requests: list[bytes]) -> tuple[list[float], list[float], list[int]]:
    """Send all at once (one selector loop), time each until its response is complete.

    Returns each request's send time (time.monotonic(), one clock for every process on
    Linux), its ack latency and status.
    """
    selector = selectors.DefaultSelector()
    sent = [0.0] * len(requests)
    acks = [0.0] * len(requests)
    statuses = [0] * len(requests)
    buffers = [b""] * len(requests)
    # Like 20 independent senders: each connects and sends its request at once (the clock
    # starts at connect, so the TCP handshake counts as part of the ack).
    for i, data in enumerate(requests):
        sent[i] = time.monotonic()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(data)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, i)
    open_count = len(requests)
    while open_count:
        for key, _ in selector.select(timeout=10):
            i = key.data
            chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
            buffers[i] += chunk
            if chunk and not _complete(buffers[i]):
                continue
            acks[i] = time.monotonic() - sent[i]
            statuses[i] = int(buffers[i].split(b" ", 2)[1])
            selector.unregister(key.fileobj)
            key.fileobj.close()  # type: ignore[union-attr]
            open_count -= 1
    return sent, acks, statuses


def _complete(response: bytes) -> bool:
    """The whole response arrived: headers and Content-Length bytes of body."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


def measure() -> dict[str, float]:
    with served_bot() as (slack, bot):
        # One warm-up answer, so the figures are of a running bot, not of its first imports.
        warm = slash_body(
            "help", user="UWARM", channel="CBENCH", response_url=slack.response_url("warm")
        )
        bot.post(warm, FORM)
        slack.wait_for("response_url", where=lambda c: c.path == "/response/warm", timeout=30)

        bodies = [
            slash_body(
                REQUESTS[i % len(REQUESTS)],
                user=f"UBENCH{i:02d}",
                channel="CBENCH",
                response_url=slack.response_url(f"b{i:02d}"),
            )
            for i in range(CONCURRENT)
        ]
        # The requests go out from a separate process, one selector loop, so the client's
        # own work (and the stand-in and simulator in this process) adds nothing to the acks.
        raw = [_raw_request(bot.port, body) for body in bodies]
        with multiprocessing.get_context("spawn").Pool(1) as client:
            sent_at, acks, statuses = client.apply(_fire_all, (bot.port, raw))
        answers = slack.wait_for(
            "response_url",
            count=CONCURRENT,
            where=lambda c: c.path.startswith("/response/b"),
            timeout=60,
        )
        answer_s = [c.at - sent_at[int(c.path.rsplit("/b", 1)[1])] for c in answers]
        assert bot.process is not None
        rss = _rss_mib(bot.process.pid)
    return {
        "ack_p50_ms": _percentile(acks, 50) * 1000,
        "ack_p99_ms": _percentile(acks, 99) * 1000,
        "answer_p50_ms": _percentile(answer_s, 50) * 1000,
        "answer_p99_ms": _percentile(answer_s, 99) * 1000,
        "acked_200": float(sum(1 for s in statuses if s == 200)),
        "delivered": float(len({c.path for c in answers})),
        "rss_mib": rss,
        "answer_mean_ms": statistics.fmean(answer_s) * 1000,
    }


def run() -> list[tuple[str, str, str, bool]]:
    m = measure()
    ack_ok = m["ack_p99_ms"] <= ACK_P99_TARGET_MS
    delivered = int(m["delivered"])
    return [
        (
            f"slack: ack latency, {CONCURRENT} concurrent slash commands (p50 / p99)",
            f"p99 ≤ {ACK_P99_TARGET_MS:.0f} ms",
            f"{m['ack_p50_ms']:.1f} / {m['ack_p99_ms']:.1f} ms",
            ack_ok,
        ),
        (
            "slack: answers delivered to response_url",
            f"{CONCURRENT} of {CONCURRENT}",
            f"{delivered} of {CONCURRENT} (acked 200: {int(m['acked_200'])})",
            delivered == CONCURRENT and int(m["acked_200"]) == CONCURRENT,
        ),
        (
            "slack: answer latency, request sent → answer at response_url (p50 / p99)",
            "reported",
            f"{m['answer_p50_ms']:.0f} / {m['answer_p99_ms']:.0f} ms",
            True,
        ),
        (
            "slack: server RSS",
            "reported",
            f"{m['rss_mib']:.0f} MiB",
            True,
        ),
    ]


if __name__ == "__main__":
    from run import report  # bench/run.py, beside this file

    raise SystemExit(report(run()))
