"""Test helpers: run `recbot serve` as a subprocess on loopback and send it signed requests.

Requests are signed with slack_sdk's SignatureVerifier exactly as Slack signs them; the
server's Web API calls go to the Slack stand-in and its CSS calls to the CSS simulator.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.support.environment import clean_env

__all__ = ["clean_env"]  # the served bot's environment, re-exported for its users

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-recbot"
REPO = Path(__file__).resolve().parents[2]


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


_PORT_FLOOR = 10000
_next_port = [0]


def free_port() -> int:
    """A loopback port for a server a test starts later in a subprocess, or for a dead address.

    Asking the kernel (bind to 0, close) races: until the child binds, any bind(0) or outgoing
    connection on the machine may be given the same port. So the port is taken from below the
    kernel's ephemeral range, which the kernel never hands out by itself; each process walks its
    own random stretch of that range and never hands a port out twice, and the port is checked
    to be bindable right now.
    """
    ceiling = _ephemeral_floor()
    if ceiling - _PORT_FLOOR < 1000:  # an odd kernel setting: fall back to asking the kernel
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    span = ceiling - _PORT_FLOOR
    if not _next_port[0]:
        _next_port[0] = _PORT_FLOOR + int.from_bytes(os.urandom(4), "big") % span
    for _ in range(span):
        port = _next_port[0]
        _next_port[0] = _PORT_FLOOR + (port + 1 - _PORT_FLOOR) % span
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # someone listens (or just listened) there
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: bytes
    headers: Mapping[str, str]  # names in lower case: HTTP header names ignore case
    elapsed_s: float


def http(
    url: str,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
    timeout: float = 10.0,
) -> HttpResult:
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}), method=method)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return HttpResult(
                response.status, body, _lower(response.headers), time.perf_counter() - started
            )
    except urllib.error.HTTPError as error:
        body = error.read()
        return HttpResult(error.code, body, _lower(error.headers), time.perf_counter() - started)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def signed_headers(
    body: str, content_type: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


def slash_body(text: str, *, user: str, channel: str, response_url: str) -> str:
    return urlencode(
        {
            "token": "deprecated",
            "team_id": "T0RECBOT",
            "team_domain": "recbot-test",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": "/recordings",
            "text": text,
            "api_app_id": "A0RECBOT",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def event_body(event: Mapping[str, Any], *, event_id: str) -> str:
    return json.dumps(
        {
            "token": "deprecated",
            "team_id": "T0RECBOT",
            "api_app_id": "A0RECBOT",
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0RECBOT", "user_id": "UBOTRECBOT", "is_bot": True}],
        }
    )


def action_body(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str,
    response_url: str | None,
    ephemeral: bool = True,
    on_home: bool = False,
) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T0RECBOT", "domain": "recbot-test"},
        "user": {"id": user, "team_id": "T0RECBOT"},
        "api_app_id": "A0RECBOT",
        "token": "deprecated",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": channel.lower()},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "recbot_actions",
                "value": value,
                "action_ts": "1700000001.000200",
            }
        ],
    }
    if on_home:  # a button on the App Home tab: a view container, no channel, no response_url
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        del payload["channel"], payload["response_url"]
    return urlencode({"payload": json.dumps(payload)})


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class ServedBot:
    """`recbot serve` in a subprocess on a free loopback port, stopped with SIGTERM."""

    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = dict(env)
        self._log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> None:
        with self._log_path.open("wb") as log:  # the child keeps its own copy of the fd
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=REPO,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start(self, timeout: float = 30.0) -> ServedBot:
        self._spawn()
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"recbot serve exited early:\n{self.log()}")
            try:
                if http(f"{self.url}/healthz", timeout=1).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)  # polling the port until it listens; not waiting for a result
        raise AssertionError(f"recbot serve did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self._log_path.read_text(errors="replace")

    def stop(self, timeout: float = 40.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def acks(self, surface: str) -> float:
        """How many requests of `surface` the server has taken up (acked), from /metrics.

        Counted before the HTTP response is sent, so it is exact as soon as a post returns.
        """
        metric = f'recbot_ack_latency_seconds_count{{surface="{surface}"}} '
        for line in http(f"{self.url}/metrics").body.decode().splitlines():
            if line.startswith(metric):
                return float(line.split()[-1])
        raise AssertionError(f"{metric} not in /metrics")

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
    ) -> HttpResult:
        sent = signed_headers(body, content_type, secret=secret, timestamp=timestamp)
        sent.update(headers or {})
        return http(f"{self.url}/slack/events", body.encode(), sent, method="POST")
