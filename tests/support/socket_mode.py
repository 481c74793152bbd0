"""A loopback Socket Mode server for tests: the WebSocket end of Slack's Socket Mode.

Accepts one client at a time on ws://127.0.0.1:PORT/link (what `apps.connections.open`
hands out; set `SlackStandIn.socket_mode_url = server.url`), says hello, pushes envelopes
with `send_envelope`, answers pings, and records every text message the client sends
(the acks: `{"envelope_id": …}`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame (unmasked, final)."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    b0, b1 = _read_exact(sock, 2)
    size = b1 & 0x7F
    if size == 126:
        size = struct.unpack("!H", _read_exact(sock, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _read_exact(sock, 8))[0]
    mask = _read_exact(sock, 4) if b1 & 0x80 else b"\0\0\0\0"
    data = _read_exact(sock, size)
    return b0 & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


class SocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.url = f"ws://127.0.0.1:{self.port}/link"
        self._client: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> SocketModeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped = True
        self._listener.close()
        if self._client is not None:
            self._client.close()

    def _serve(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(client,), daemon=True).start()

    def _talk(self, client: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += _read_exact(client, 1)
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in request.decode().split("\r\n")[1:])
            }
            accept = base64.b64encode(
                hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest()
            ).decode()
            client.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            with self._cond:
                self._client = client
                self.connections += 1
                self._cond.notify_all()
            self._send(client, {"type": "hello", "num_connections": 1})
            while True:
                opcode, data = _read_frame(client)
                if opcode == PING:
                    with self._send_lock:
                        client.sendall(_frame(PONG, data))
                elif opcode == TEXT:
                    with self._cond:
                        self.received.append(json.loads(data))
                        self._cond.notify_all()
                elif opcode == CLOSE:
                    return
        except (ConnectionError, OSError):
            return

    def _send(self, client: socket.socket, message: dict[str, Any]) -> None:
        with self._send_lock:
            client.sendall(_frame(TEXT, json.dumps(message).encode()))

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._client is not None, timeout):
                raise AssertionError("no Socket Mode client connected")

    def send_envelope(self, envelope_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Push one envelope (`kind`: events_api | slash_commands | interactive)."""
        self.wait_connected()
        assert self._client is not None
        self._send(
            self._client,
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            },
        )

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for {envelope_id}; got {self.received}")
                self._cond.wait(left)
