"""A loopback HTTP server that answers DescribeRecordTask the way Tencent Cloud does.

It verifies TC3 signatures, enforces the request rules and the 20 requests/s limit, pages with
opaque ScrollTokens, and can inject faults. The embedded default and every CSS test use it.
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.config import CSS_REGIONS
from bot.css import dataset, signing
from bot.css.sim_api import ACTION, VERSION, ApiFault, Page, TaskIndex, describe_record_task
from bot.tasks import RecordTask

SERVICE = "live"
MAX_CLOCK_SKEW_S = 300
RATE_LIMITED = "RequestLimitExceeded"
MALFORMED_BODY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass(frozen=True)
class Faults:
    """What to break, for tests and benchmarks. Rates are shares of requests, 0..1."""

    error_rate: float = 0.0  # answered with `error_code` (after auth and the rate limit)
    error_code: str = "InternalError"
    latency_s: float = 0.0  # added before every answer
    slow_body_s: float = 0.0  # the body is dribbled out over this long
    reset_rate: float = 0.0  # the connection is reset with no answer
    malformed_rate: float = 0.0  # a non-JSON body under Content-Type application/json
    truncated_rate: float = 0.0  # the body stops short of its Content-Length
    repeat_token: bool = False  # every page hands back the token it was given
    content_type: str = "application/json"  # e.g. "application/json; charset=utf-8"
    http_status: int = 200  # a gateway answering 502 instead of the API


@dataclass(frozen=True)
class LoggedRequest:
    at: float  # time.monotonic() when the request was read
    code: str  # "" for a page of tasks, else the error code or the fault injected
    region: str
    language: str
    host: str
    body: str
    request_id: str = ""  # of the answer, when an answer was sent


class RequestLog:
    """Every request the simulator answered, for assertions on calls, languages and rates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LoggedRequest] = []

    def add(self, record: LoggedRequest) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> tuple[LoggedRequest, ...]:
        with self._lock:
            return tuple(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self._records)

    def count(self, code: str) -> int:
        return sum(1 for r in self.records() if r.code == code)

    def peak_per_second(self) -> int:
        """The most requests admitted past the rate limit within any one second."""
        times = [r.at for r in self.records() if not r.code.startswith(RATE_LIMITED)]
        peak = 0
        window: deque[float] = deque()
        for at in sorted(times):
            window.append(at)
            while at - window[0] >= 1.0:
                window.popleft()
            peak = max(peak, len(window))
        return peak


class _SlidingLimit:
    """At most `rate` requests admitted in any one-second interval, as the API enforces."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self, now: float) -> bool:
        with self._lock:
            while self._times and now - self._times[0] >= 1.0:
                self._times.popleft()
            if len(self._times) >= self.rate:
                return False
            self._times.append(now)
            return True


@dataclass(frozen=True)
class _Answer:
    code: str
    payload: dict[str, Any]


class Simulator:
    """`with Simulator() as sim:` serves on `sim.url` until the block ends.

    Data: `tasks` as given; else `count` random tasks from `seed`; with `count=None`, a realistic
    account (standing daily schedules with their mishaps, see `dataset.generate_schedule`).
    `now` fixes the server's clock (data and the 90-day rule); `clock` supplies a moving one.
    Signature freshness is checked against `wall_clock` (default: the machine's clock), because
    the SDK stamps requests with the machine's time whatever the data clock says.
    """

    def __init__(
        self,
        tasks: Sequence[RecordTask] | None = None,
        *,
        seed: int = 7,
        count: int | None = 300,
        days_back: float = 90,
        days_ahead: float = 7,
        now: datetime | None = None,
        clock: Callable[[], datetime] | None = None,
        wall_clock: Callable[[], float] = time.time,
        secret_id: str | None = None,
        secret_key: str | None = None,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 20,
        rate_limit: float | None = 20.0,
        faults: Faults | None = None,
        follow_clock: bool = False,
    ) -> None:
        if now is not None:
            fixed = now
            clock = lambda: fixed  # noqa: E731 - a constant clock
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.wall_clock = wall_clock
        # With `follow_clock`, generated data is made again for each new hour of the clock,
        # so a long-running embedded simulator keeps "now" realistic (running, scheduled...).
        self._generator: Callable[[datetime], tuple[RecordTask, ...]] | None = None
        if tasks is None:
            self._generator = (
                (lambda at: dataset.generate(seed, at, count, days_back, days_ahead))
                if count is not None
                else (lambda at: dataset.generate_schedule(seed, at, days_back, days_ahead))
            )
        self._follow = follow_clock and self._generator is not None
        self._hour = self._current_hour()
        self._index = TaskIndex(tasks if tasks is not None else self._generate())
        self.secret_id = secret_id or "AKIDsim" + secrets.token_hex(12)
        self.secret_key = secret_key or secrets.token_urlsafe(24)
        self.token = token
        self.page_size = page_size
        self.faults = faults or Faults()
        self.request_log = RequestLog()
        self._limit = _SlidingLimit(rate_limit) if rate_limit else None
        self._token_key = secrets.token_bytes(16)
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._admin_lock = threading.Lock()
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def _current_hour(self) -> datetime:
        return self.clock().replace(minute=0, second=0, microsecond=0)

    def _generate(self) -> tuple[RecordTask, ...]:
        assert self._generator is not None
        return self._generator(self.clock())

    def _index_now(self) -> TaskIndex:
        if self._follow and self._current_hour() != self._hour:
            self._hour = self._current_hour()
            self._index = TaskIndex(self._generate())
        return self._index

    @property
    def tasks(self) -> tuple[RecordTask, ...]:
        return self._index_now().tasks

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> Simulator:
        if self._server is not None:
            return self
        self._server = _Server((self._host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="css-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def replace_tasks(self, tasks: Sequence[RecordTask]) -> None:
        """Serve another dataset from now on (property tests reuse one server)."""
        self._index = TaskIndex(tasks)

    # -- admin: the account changing under a reader (CreateRecordTask, Stop, Delete) ---------

    def add_task(self, task: RecordTask) -> None:
        """As CreateRecordTask: the task is listed from the next request on."""
        with self._admin_lock:
            self._index = TaskIndex([*self._index_now().tasks, task])

    def stop_task(self, task_id: str, at: datetime) -> RecordTask:
        """As StopRecordTask: `Stopped` becomes `at`. KeyError for an unknown task."""
        with self._admin_lock:
            tasks = list(self._index_now().tasks)
            ids = [t.task_id for t in tasks]
            if task_id not in ids:
                raise KeyError(task_id)
            found = ids.index(task_id)
            tasks[found] = replace(tasks[found], stopped=at)
            self._index = TaskIndex(tasks)
            return tasks[found]

    def delete_task(self, task_id: str) -> None:
        """As DeleteRecordTask: the task is no longer listed."""
        with self._admin_lock:
            self._index = TaskIndex([t for t in self._index_now().tasks if t.task_id != task_id])

    def set_faults(self, **changes: Any) -> None:
        """Change some fault knobs, e.g. `sim.set_faults(error_rate=0.1)`."""
        self.faults = replace(self.faults, **changes)

    def roll(self, share: float) -> bool:
        if share <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < share

    # -- answering --------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> _Answer:
        """Everything after the bytes arrived: auth, rate limit, rules, injected errors."""
        request_id = str(uuid.uuid4())
        try:
            page = self._checked_page(method, target, headers, body)
        except ApiFault as fault:
            error = {"Code": fault.code, "Message": fault.message}
            return _Answer(fault.code, {"Response": {"Error": error, "RequestId": request_id}})
        payload = {
            "Response": {
                "TaskList": [task.to_api() for task in page.tasks],
                "ScrollToken": page.token,
                "RequestId": request_id,
            }
        }
        return _Answer("", payload)

    def _checked_page(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Page:
        if method not in ("GET", "POST"):
            raise ApiFault("UnsupportedProtocol", "Only GET and POST requests are supported.")
        query = urlsplit(target).query if method == "GET" else ""
        self._authenticate(method, query, headers, body)
        if self._limit is not None and not self._limit.admit(time.monotonic()):
            raise ApiFault(
                RATE_LIMITED, f"Requests exceed the limit of {self._limit.rate:g} per second."
            )
        self._check_common(headers)
        params, from_form = self._params(method, query, headers, body)
        faults = self.faults
        if self.roll(faults.error_rate):
            raise ApiFault(faults.error_code, "An internal error occurred; try again later.")
        return describe_record_task(
            params,
            self.clock(),
            self._index_now(),
            self.page_size,
            self._token_key,
            from_form=from_form,
            repeat_token=faults.repeat_token,
        )

    def _authenticate(
        self, method: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> None:
        header = headers.get("authorization", "")
        auth = signing.parse_authorization(header)
        if auth is None:
            raise ApiFault(
                "AuthFailure.InvalidAuthorization",
                "The Authorization header is missing or is not a TC3-HMAC-SHA256 authorization.",
            )
        stamp = headers.get("x-tc-timestamp", "")
        if not stamp.isdigit():
            raise ApiFault("MissingParameter", "X-TC-Timestamp must be a Unix time in seconds.")
        timestamp = int(stamp)
        if abs(self.wall_clock() - timestamp) > MAX_CLOCK_SKEW_S:
            raise ApiFault(
                "AuthFailure.SignatureExpire",
                "The request timestamp differs from the server time by more than 5 minutes.",
            )
        if auth.secret_id != self.secret_id:
            raise ApiFault("AuthFailure.SecretIdNotFound", "The SecretId does not exist.")
        if auth.service != SERVICE:
            raise ApiFault(
                "AuthFailure.InvalidAuthorization",
                f"The credential scope names service '{auth.service}', not '{SERVICE}'.",
            )
        if not {"content-type", "host"} <= set(auth.signed_headers):
            raise ApiFault(
                "AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type;host."
            )
        if auth.date != signing.scope_date(timestamp):
            raise ApiFault(
                "AuthFailure.SignatureFailure",
                "The credential scope date is not the UTC date of X-TC-Timestamp.",
            )
        canonical = signing.canonical_request(method, query, headers, auth.signed_headers, body)
        expected = signing.signature(self.secret_key, timestamp, auth.service, canonical)
        if not secrets.compare_digest(expected, auth.signature):
            raise ApiFault("AuthFailure.SignatureFailure", "The signature does not match.")
        if self.token is not None and headers.get("x-tc-token") != self.token:
            raise ApiFault("AuthFailure.TokenFailure", "The temporary token is invalid.")

    @staticmethod
    def _check_common(headers: Mapping[str, str]) -> None:
        action = headers.get("x-tc-action", "")
        version = headers.get("x-tc-version", "")
        region = headers.get("x-tc-region", "")
        if not action:
            raise ApiFault("MissingParameter", "The request is missing X-TC-Action.")
        if action != ACTION:
            raise ApiFault("InvalidAction", f"The action {action} does not exist.")
        if version != VERSION:
            raise ApiFault("NoSuchVersion", f"The API version '{version}' does not exist.")
        if not region:
            raise ApiFault("MissingParameter", "The request is missing the Region parameter.")
        if region not in CSS_REGIONS:
            raise ApiFault("UnsupportedRegion", f"The region '{region}' is not supported.")

    @staticmethod
    def _params(
        method: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, object], bool]:
        if method == "GET":
            return dict(parse_qsl(query, keep_blank_values=True)), True
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            return dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True)), True
        if content_type != "application/json":
            raise ApiFault("InvalidRequest", f"Unsupported Content-Type '{content_type}'.")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise ApiFault("InvalidParameter", "The request body is not valid JSON.") from None
        if not isinstance(params, dict):
            raise ApiFault("InvalidParameter", "The request body must be a JSON object.")
        return params, False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (about 40 ms a call on a kept-alive connection).
    disable_nagle_algorithm = True
    server: _Server
    timeout = 30  # idle keep-alive connections do not hold a thread for ever
    _reset = False

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""

    def _serve(self, method: str) -> None:
        sim = self.server.simulator
        faults = sim.faults
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        at = time.monotonic()
        headers = {name.lower(): value for name, value in self.headers.items()}

        def log(code: str, request_id: str = "") -> None:
            sim.request_log.add(
                LoggedRequest(
                    at=at,
                    code=code,
                    region=headers.get("x-tc-region", ""),
                    language=headers.get("x-tc-language", ""),
                    host=headers.get("host", ""),
                    body=body.decode(errors="replace"),
                    request_id=request_id,
                )
            )

        if faults.latency_s:
            time.sleep(faults.latency_s)
        if sim.roll(faults.reset_rate):
            log("ConnectionReset")
            self._reset = True
            self.close_connection = True
            return
        answer = sim.answer(method, self.path, headers, body)
        data = json.dumps(answer.payload).encode()
        code = answer.code
        cut = len(data)
        if sim.roll(faults.malformed_rate):
            data, cut, code = MALFORMED_BODY, len(MALFORMED_BODY), "MalformedBody"
        elif sim.roll(faults.truncated_rate):
            cut, code = len(data) // 2, "TruncatedBody"
        log(code, str(answer.payload["Response"]["RequestId"]))
        try:
            self.send_response(faults.http_status)
            self.send_header("Content-Type", faults.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self._write(data[:cut], faults.slow_body_s)
        except OSError:
            self.close_connection = True  # the client went away (e.g. its timeout)
            return
        if cut < len(data):
            self.close_connection = True

    def _write(self, data: bytes, over_s: float) -> None:
        if over_s <= 0:
            self.wfile.write(data)
            return
        pieces = 10
        step = max(1, len(data) // pieces)
        for offset in range(0, len(data), step):
            self.wfile.write(data[offset : offset + step])
            self.wfile.flush()
            time.sleep(over_s / pieces)

    def finish(self) -> None:
        if not self._reset:
            with contextlib.suppress(OSError):
                super().finish()
            return
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.wfile.close()
        self.connection.close()
