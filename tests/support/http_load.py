"""Bench helper: an open-loop HTTP/1.1 load client on asyncio, and a do-nothing server to
measure it against (bench/evidence.py).

Python threads with `http.client` top out at a few hundred requests a second on the shared
2-core machine (the client then measures itself, not the server). One asyncio loop writing
pre-built request bytes over keep-alive connections offers several thousand a second; the
bench reports that capacity (`capacity()`) beside each figure it takes with it.

Open loop: request i is due at `start + i / rate`, whatever happened to the others. Its
latency is timed from when it was due (so a request that waited for a free connection, or
for a late client, counts that wait against the figure, never for it); `late` counts
requests sent more than 10 ms after they were due, which says when the client fell behind.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

LATE_S = 0.010


@dataclass(frozen=True)
class Load:
    latencies_s: list[float]  # from when each request was due to its full answer
    statuses: list[int]  # 0: no answer (connection failed)
    elapsed_s: float  # first due → last answered
    late: int  # sent more than LATE_S after due

    @property
    def rate(self) -> float:
        return len(self.statuses) / self.elapsed_s

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[int(q * (len(ordered) - 1))]


def _request(path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer


async def _offer(
    port: int, path: str, bodies: Sequence[bytes], rate: float, connections: int
) -> Load:
    requests = [_request(path, b) for b in bodies]
    latencies = [0.0] * len(requests)
    statuses = [0] * len(requests)
    late = 0
    cursor = 0
    opened = [await _connect(port) for _ in range(connections)]  # before the clock starts
    start = time.perf_counter() + 0.1
    finished = start

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal cursor, late, finished
        while cursor < len(requests):
            i = cursor
            cursor += 1
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            elif -wait > LATE_S:
                late += 1
            try:
                writer.write(requests[i])
                statuses[i] = await _answer(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                writer.close()
                reader, writer = await _connect(port)
            done = time.perf_counter()
            latencies[i] = done - due
            finished = max(finished, done)
        writer.close()

    await asyncio.gather(*(connection(r, w) for r, w in opened))
    return Load(latencies, statuses, finished - start, late)


def offer(
    port: int, path: str, bodies: Sequence[bytes], rate: float, connections: int = 64
) -> Load:
    """POST `bodies` to `path` at `rate` a second over `connections` keep-alive connections."""
    return asyncio.run(_offer(port, path, bodies, rate, connections))


def _null_server(ready: multiprocessing.synchronize.Event, port: list[int]) -> None:
    """Answers every request `200 {"code":0}` at once: the fastest server there could be."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"code":0}')
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(client, "127.0.0.1", 0)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        await asyncio.sleep(3600)

    asyncio.run(main())


def capacity(bodies: Sequence[bytes], rate: float = 5000.0) -> Load:
    """The client's own ceiling: `bodies` offered at `rate` to a do-nothing server in another
    process (what it achieves there, it can offer a real server)."""
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    with context.Manager() as manager:
        port = manager.list()
        server = context.Process(target=_null_server, args=(ready, port), daemon=True)
        server.start()
        try:
            ready.wait(10)
            return offer(int(port[0]), "/css/callbacks", bodies, rate)
        finally:
            server.kill()
            server.join()
