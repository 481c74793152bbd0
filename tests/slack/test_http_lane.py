"""A lane (bot/slack/http_lane.py) on the real waitress server: POSTs to its path are answered
in batches by one thread, none before its route has returned, in order on a keep-alive
connection, each with a request id; other requests still reach the WSGI app; a full or
stopping lane answers 503; stopping answers what it holds and sends those answers."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from waitress import wasyncore

from bot.slack.http_lane import Lane
from bot.slack.http_server import finish_serving, make_server

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

PATH = "/in"


class HeldRoute:
    """Answers each body with itself (status 200), recording each batch; the first batch
    waits in the route until `open()`, so requests arriving meanwhile queue up."""

    def __init__(self) -> None:
        self.batches: list[list[bytes]] = []
        self.request_ids: list[str] = []
        self.gate = threading.Event()
        self.entered = threading.Event()

    def open(self) -> None:
        self.gate.set()

    def answer_batch(
        self, bodies: Sequence[bytes], request_ids: Sequence[str]
    ) -> list[tuple[int, bytes]]:
        self.entered.set()
        assert self.gate.wait(10)
        self.batches.append(list(bodies))
        self.request_ids += request_ids
        return [(200, body) for body in bodies]


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = f"app {environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]


def loop_once(server: Any) -> None:
    server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)


def close(server: Any) -> None:
    server.task_dispatcher.shutdown()
    wasyncore.close_all(server._map)


@contextmanager
def serving(route: HeldRoute) -> Iterator[Any]:
    """The server's event loop on a thread (as Socket Mode's listener runs it)."""
    server = make_server(app, "127.0.0.1", 0, 1_000_000, {PATH: route})
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            loop_once(server)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        route.open()
        finish_serving(server, loop_running=True)
        stop.set()
        thread.join(10)
        close(server)


def port_of(server: Any) -> int:
    return int(server.socket.getsockname()[1])


def post(port: int, body: bytes, path: str = PATH) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("X-Request-Id", "")
    finally:
        connection.close()


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)  # polling a condition with a deadline


def lane_of(server: Any) -> Lane:
    [lane] = server.lanes
    assert isinstance(lane, Lane)
    return lane


def test_requests_arriving_during_a_batch_are_answered_together_after_it() -> None:
    route = HeldRoute()
    with serving(route) as server:
        port = port_of(server)
        answers: dict[bytes, tuple[int, bytes, str]] = {}

        def send(body: bytes) -> None:
            answers[body] = post(port, body)

        first = threading.Thread(target=send, args=(b"0",))
        first.start()
        assert route.entered.wait(10)
        later = [threading.Thread(target=send, args=(str(n).encode(),)) for n in range(1, 11)]
        for thread in later:
            thread.start()
        until(lambda: lane_of(server).waiting() == 10)
        time.sleep(0.2)  # giving a wrong early answer time to arrive; none may
        assert answers == {}
        route.open()
        for thread in [first, *later]:
            thread.join(10)
    assert [len(b) for b in route.batches] == [1, 10]
    assert {body: (status, text) for body, (status, text, _) in answers.items()} == {
        str(n).encode(): (200, str(n).encode()) for n in range(11)
    }
    ids = [rid for _, _, rid in answers.values()]
    assert len(set(ids)) == 11
    assert sorted(ids) == sorted(route.request_ids)


def test_pipelined_requests_on_one_connection_are_answered_in_order() -> None:
    route = HeldRoute()
    route.open()
    with serving(route) as server, socket.create_connection(("127.0.0.1", port_of(server))) as s:
        wire = b"".join(
            b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n%02d" % (PATH.encode(), n)
            for n in range(5)
        )
        wire += b"GET /other HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(wire)
        s.settimeout(10)
        received = b""
        while received.count(b"HTTP/1.1 200") < 6 or not received.endswith(b"app GET /other"):
            chunk = s.recv(65536)
            assert chunk, received
            received += chunk
    bodies = [part.rsplit(b"\r\n\r\n", 1)[-1][:2] for part in received.split(b"HTTP/1.1 ")[1:]]
    assert bodies == [b"00", b"01", b"02", b"03", b"04", b"ap"]


def test_other_methods_and_paths_reach_the_app() -> None:
    route = HeldRoute()
    route.open()
    with serving(route) as server:
        port = port_of(server)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", PATH)
        assert connection.getresponse().read() == b"app GET /in"
        connection.close()
        assert post(port, b"x", "/elsewhere")[:2] == (200, b"app POST /elsewhere")
    assert route.batches == []


def test_a_full_lane_answers_503_at_once() -> None:
    route = HeldRoute()
    with serving(route) as server:
        lane = Lane(PATH, route, capacity=1)
        server.lanes = (lane,)
        port = port_of(server)
        results: list[tuple[int, bytes, str]] = []
        held = threading.Thread(target=lambda: results.append(post(port, b"a")))
        held.start()
        assert route.entered.wait(10)  # "a" is being answered; the lane holds nothing
        queued = threading.Thread(target=lambda: results.append(post(port, b"b")))
        queued.start()
        until(lambda: lane.waiting() == 1)  # "b" fills the lane
        status, body, rid = post(port, b"c")
        assert (status, body) == (503, b'{"code":503}')
        assert rid
        route.open()
        held.join(10)
        queued.join(10)
        lane.stop()
    assert sorted(r[:2] for r in results) == [(200, b"a"), (200, b"b")]
    assert route.batches == [[b"a"], [b"b"]]


def test_stopping_answers_what_the_lane_holds_and_refuses_what_comes_after() -> None:
    """As at SIGTERM in HTTP mode: the event loop has stopped; what the lane holds is still
    answered (and what the socket did not take at once is sent by a last pass of the loop)
    before the server is gone."""
    route = HeldRoute()
    server = make_server(app, "127.0.0.1", 0, 1_000_000, {PATH: route})
    port = port_of(server)
    results: list[tuple[int, bytes, str]] = []
    sender = threading.Thread(target=lambda: results.append(post(port, b"held")))
    sender.start()
    while not route.entered.is_set():  # the test runs the loop, as `run()` would
        loop_once(server)
    # The loop stops here (SIGTERM); the lane still holds "held", mid-batch.
    threading.Timer(0.2, route.open).start()
    finish_serving(server)
    sender.join(10)
    close(server)
    assert [r[:2] for r in results] == [(200, b"held")]
    lane = lane_of(server)
    assert not lane.put(object())  # a stopped lane takes nothing more
    assert Lane.refusal().status == 503


class FailingRoute(HeldRoute):
    """Raises on its first batch, answers like HeldRoute after."""

    def answer_batch(
        self, bodies: Sequence[bytes], request_ids: Sequence[str]
    ) -> list[tuple[int, bytes]]:
        if not self.entered.is_set():
            self.entered.set()
            raise RuntimeError("database gone")
        return super().answer_batch(bodies, request_ids)


def test_a_failing_route_answers_500_and_the_lane_goes_on() -> None:
    route = FailingRoute()
    route.open()
    with serving(route) as server:
        port = port_of(server)
        assert post(port, b"first")[:2] == (500, b'{"code":500}')
        assert post(port, b"second")[:2] == (200, b"second")
