"""HTTP serving that a slow or idle client cannot stall: waitress, with a request deadline.

waitress reads every request (headers and body) on one event loop and hands it to a worker
thread only once it has fully arrived, so a client that announces a body and never sends it
holds a socket, never a thread. Each such socket is closed once its request has taken longer
than `REQUEST_DEADLINE_S` from its first byte (or the connection has been silent that long),
so an attacker must keep opening connections to keep any; `CONNECTION_LIMIT` bounds them.
Why waitress and these numbers: docs/operations-http.md.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from bot.errors import ConfigError
from bot.slack.http_lane import BatchRoute, Lane, LaneTask

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

log = logging.getLogger(__name__)

# Slack gives up on an ack after 3 s; a request still arriving after 5 s can only be abuse.
REQUEST_DEADLINE_S = 5
# Open connections at once (idle, arriving, being answered). Each costs a socket and a few
# KB, no thread; beyond it waitress stops accepting until some close (within the deadline).
CONNECTION_LIMIT = 2000
# Threads that run the app on fully received requests: each only verifies, acks and hands
# off (milliseconds), so a few take far more than Slack ever sends to one bot. CSS callbacks
# do not use them: they are answered in batches by a lane of their own (bot/slack/http_lane.py).
HTTP_THREADS = 8
# How long a stopping server keeps sending answers already written.
FLUSH_S = 1.0
# How often the event loop looks for connections past their deadline.
SWEEP_INTERVAL_S = 1


class _TimedParser(HTTPRequestParser):  # type: ignore[misc]
    """A request parser that remembers when its request's first byte arrived."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.begun = time.monotonic()


class _TimedChannel(HTTPChannel):  # type: ignore[misc]
    """A connection whose requests are timed, and which closes without a reset.

    A request refused early (413 on its declared length) leaves the client still sending;
    closing then would reset the connection and the client would never read the 413. So the
    sending half is shut, and what still arrives is read and dropped until the client closes
    or the deadline sweep closes the connection for good (a lingering close)."""

    parser_class = _TimedParser
    task_class = LaneTask
    lingering = False
    lane_answer = None  # an answer a lane decided on, written by the next service()

    def handle_close(self) -> None:
        # Always linger, not only when input is waiting: a client refused mid-body may simply
        # not have sent its next bytes yet (a peek then sees nothing, and a full close resets
        # it before it reads the 413).
        if self.lingering or not self.connected:
            super().handle_close()
            return
        try:
            self.socket.shutdown(socket.SHUT_WR)
        except OSError:
            super().handle_close()
            return
        self.lingering = True
        self.will_close = False
        self.last_activity = time.time()  # the sweep closes it once silent that long

    def readable(self) -> bool:
        return True if self.lingering else bool(super().readable())

    def handle_read(self) -> None:
        if not self.lingering:
            super().handle_read()
            return
        try:
            data = self.recv(self.adj.recv_bytes)
        except OSError:
            data = b""
        if not data and self.connected:  # recv() may have closed it already
            super().handle_close()


class _DeadlineServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server, also closing connections whose request is past its deadline."""

    channel_class = _TimedChannel
    lanes: tuple[Lane, ...] = ()
    _deferring: threading.local  # per server: its lane thread's deferred wake-up

    def pull_trigger(self) -> None:
        if getattr(self._deferring, "on", False):
            self._deferring.pulled = True
            return
        super().pull_trigger()

    @contextmanager
    def one_wake_up(self) -> Iterator[None]:
        """Answers written within wake the event loop once, at the end (a lane's batch): each
        wake-up is a loop pass over every open connection."""
        self._deferring.on, self._deferring.pulled = True, False
        try:
            yield
        finally:
            self._deferring.on = False
            if self._deferring.pulled:
                super().pull_trigger()

    def add_task(self, channel: Any) -> None:
        """A request for a lane goes to it (or, when it is full, is refused by a worker)."""
        for lane in self.lanes:
            if lane.takes(channel):
                if lane.put(channel):
                    return
                channel.lane_answer = lane.refusal()
                break
        super().add_task(channel)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # silent connections (channel_timeout)
        cutoff = time.monotonic() - REQUEST_DEADLINE_S
        late = 0
        for channel in list(self.active_channels.values()):
            request = getattr(channel, "request", None)
            begun = request.begun if isinstance(request, _TimedParser) else float("inf")
            # `requests` holds requests that fully arrived and wait for a thread: never cut.
            if begun < cutoff and not channel.requests and not channel.will_close:
                channel.will_close = True
                late += 1
        if late:
            log.info("closed connections past the request deadline", extra={"connections": late})


def make_server(
    app: WSGIApplication,
    host: str,
    port: int,
    max_body_bytes: int,
    lanes: Mapping[str, BatchRoute] | None = None,
) -> Any:
    """Bind and return the server (ConfigError if the address cannot be had); `.run()` serves
    until SystemExit or KeyboardInterrupt in the main thread. POSTs to a path of `lanes` are
    answered in batches by that route (bot/slack/http_lane.py); `stop_lanes(server)` answers
    what they hold once serving has stopped."""
    adj = Adjustments(
        host=host,
        port=port,
        threads=HTTP_THREADS,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=REQUEST_DEADLINE_S,
        cleanup_interval=SWEEP_INTERVAL_S,
        # A declared body over the limit is refused with 413 before it is read.
        max_request_body_size=max_body_bytes,
        max_request_header_size=65_536,
        # poll(), not select(): select() fails past 1024 open sockets.
        asyncore_use_poll=True,
        ident="recbot",
        expose_tracebacks=False,
    )
    # waitress warns "Task queue depth is N" for each request that finds no idle thread: under
    # a burst that is one log line per request, costing the very threads it reports on.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    sockets: dict[int, Any] = {}
    try:
        servers = [
            _DeadlineServer(app, sockets, dispatcher=dispatcher, adj=adj, sockinfo=info)
            for info in adj.listen
        ]
    except OSError as error:
        dispatcher.shutdown()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({error.strerror or error}); choose another "
            "--port or PORT"
        ) from None
    server = servers[0]
    server._deferring = threading.local()
    server.lanes = tuple(
        Lane(path, route, batch_scope=server.one_wake_up) for path, route in (lanes or {}).items()
    )
    return server


def finish_serving(server: Any, timeout: float = 10.0, *, loop_running: bool = False) -> None:
    """Stop accepting connections, have the lanes answer what they hold (callbacks already
    stored are answered, not left for CSS to send again), and flush the answers written.

    Answers are sent by the thread that writes them; what a full socket did not take is sent
    by the event loop. HTTP mode calls this once its loop has stopped (SIGTERM), so the loop
    runs a last time here, only until every answer is out (at most `FLUSH_S`). Socket Mode's
    listener keeps its loop running on a thread of its own (`loop_running`): that loop
    flushes, and this only waits for it."""
    server.accepting = False
    for lane in server.lanes:
        lane.stop(timeout)
    deadline = time.monotonic() + FLUSH_S
    while time.monotonic() < deadline and any(
        channel.total_outbufs_len for channel in list(server.active_channels.values())
    ):
        if loop_running:
            time.sleep(0.01)  # the listener's own thread flushes; wait for it
        else:
            server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
