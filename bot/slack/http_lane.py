"""A path whose requests are answered in batches by one thread of their own: a lane.

waitress hands each fully received request to one of its worker threads, which runs the WSGI
app and writes the answer. For POST /css/callbacks at a thousand a second that costs a thread
hand-over per request, and each callback's thread then waits for the commit of the batch its
event went into: on a 2-core machine most of the CPU went to threads waking, waiting for the
GIL and sleeping again (docs/evidence.md, "Receiving a thousand a second").

A lane takes such requests from waitress's event loop instead (`takes`, `put`) and gives them
to one thread, which takes everything waiting, has the route answer it all at once
(`BatchRoute.answer_batch`: parse each body, store the accepted ones in one transaction), and
then writes each answer through waitress's own response path (`LaneTask`), so keep-alive,
pipelining, `Connection: close` and HTTP/1.0 are handled exactly as for any other request. A
batch is whatever arrived while the previous one was being answered: a lone request is
answered at once, a burst shares one commit.

Nothing is answered before the route returns (for callbacks: before the commit). A lane that
is full (`CAPACITY` waiting) or stopping answers at once with 503, so the sender retries.
`stop()` answers what is waiting and then refuses the rest.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from waitress.task import WSGITask

from bot.obs.log import make_request_id, request_context

log = logging.getLogger(__name__)

# Requests answered together at most (a batch is one INSERT of up to this many events).
BATCH = 500
# Requests waiting at most; more are answered 503 at once (each is an open connection).
CAPACITY = 2000
BUSY = b'{"code":503}'
FAILED = b'{"code":500}'
REQUEST_ID_HEADER = "X-Request-Id"
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class BatchRoute(Protocol):
    """What a lane serves: answers (status, JSON body) for request bodies, in their order;
    `request_ids[i]` is the id request i's answer and every log line about it carry."""

    def answer_batch(
        self, bodies: Sequence[bytes], request_ids: Sequence[str]
    ) -> list[tuple[int, bytes]]: ...


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    request_id: str

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(self.body))),
            (REQUEST_ID_HEADER, self.request_id),
        ]


class LaneTask(WSGITask):  # type: ignore[misc]
    """waitress's WSGI task, writing a lane's answer when the channel holds one (and running
    the WSGI app as usual otherwise). The answer goes out as one write, head and body."""

    def execute(self) -> None:
        answer: Answer | None = getattr(self.channel, "lane_answer", None)
        if answer is None:
            super().execute()
            return
        self.channel.lane_answer = None
        self.status = f"{answer.status} {_REASONS.get(answer.status, 'Error')}"
        self.response_headers.extend(answer.headers())
        self.content_length = len(answer.body)
        self.complete = True
        head = self.build_response_header()
        self.wrote_header = True
        self.content_bytes_written = len(answer.body)
        self.channel.write_soon(head + answer.body)


class Lane:
    """POSTs to `path`, answered in batches by `route` on one thread."""

    def __init__(
        self,
        path: str,
        route: BatchRoute,
        *,
        capacity: int = CAPACITY,
        batch_scope: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self.path = path
        self._route = route
        self._batch_scope = batch_scope  # around writing a batch's answers
        self._capacity = capacity
        self._waiting: deque[Any] = deque()  # waitress channels, each with one request
        self._busy = False  # the thread is answering a batch
        self._stopped = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"lane{path}", daemon=True)
        self._thread.start()

    def takes(self, channel: Any) -> bool:
        """Whether the channel's next request is this lane's (a POST to its path that waitress
        parsed without error: an oversized or broken request gets waitress's own answer)."""
        request = channel.requests[0]
        return bool(
            request.error is None and request.command == "POST" and request.path == self.path
        )

    def put(self, channel: Any) -> bool:
        """Queue the channel's request; False (nothing queued) when full or stopping: the
        caller then answers it with `refusal()` through the usual worker threads."""
        with self._wake:
            if self._stopped or len(self._waiting) >= self._capacity:
                return False
            self._waiting.append(channel)
            self._wake.notify()
            return True

    @staticmethod
    def refusal() -> Answer:
        with request_context() as rid:
            log.warning("request refused: too many waiting, or stopping")
            return Answer(503, BUSY, rid)

    def waiting(self) -> int:
        with self._wake:
            return len(self._waiting)

    def stop(self, timeout: float = 10.0) -> None:
        """Answer what is waiting (within `timeout`), then refuse what comes."""
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
            drained = self._wake.wait_for(lambda: not self._waiting and not self._busy, timeout)
        if not drained:
            log.warning(
                "lane not drained in time; unanswered senders retry", extra={"path": self.path}
            )

    def _take(self) -> list[Any] | None:
        with self._wake:
            self._busy = False
            self._wake.notify_all()
            while not self._waiting:
                if self._stopped:
                    return None
                self._wake.wait()
            count = min(len(self._waiting), BATCH)
            batch = [self._waiting.popleft() for _ in range(count)]
            self._busy = True
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            answers = self._answers(batch)
            with self._batch_scope():
                for channel, answer in zip(batch, answers, strict=True):
                    channel.lane_answer = answer
                    try:
                        channel.service()  # writes the answer; queues a pipelined request
                    except Exception:
                        log.exception("lane answer could not be written")

    def _answers(self, batch: list[Any]) -> list[Answer]:
        """One answer per channel; whatever fails, the lane's thread goes on (a lane that
        stopped would leave every later request unanswered)."""
        ids = [make_request_id() for _ in batch]
        answers = [Answer(500, FAILED, rid) for rid in ids]
        readable: list[int] = []
        bodies: list[bytes] = []
        for index, channel in enumerate(batch):
            try:
                bodies.append(channel.requests[0].get_body_stream().read())
            except Exception:
                log.exception("lane request body unreadable", extra={"path": self.path})
                continue
            readable.append(index)
        try:
            found = self._route.answer_batch(bodies, [ids[i] for i in readable])
            for index, (status, body) in zip(readable, found, strict=True):
                answers[index] = Answer(status, body, ids[index])
        except Exception:
            log.exception("lane batch failed; senders retry", extra={"path": self.path})
            return [Answer(500, FAILED, rid) for rid in ids]
        return answers
