"""`POST /css/callbacks`: check, store, answer 200 `{"code":0}`; everything else after.

Stored first, then answered: the HTTP server's lane for this path (`bot.slack.http_lane`)
gives `answer_batch` every callback that arrived while the previous batch was being stored;
their events share one transaction (`bot.evidence.batch`), and none is answered before it
has committed, so a 200 always means stored. A CSS retry of an event already stored is
answered 200 again (and counted as a duplicate), so CSS stops retrying. A database failure
answers 500, so CSS retries later. Nothing secret (key, sign, body) is ever logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import Counter

from bot.evidence.batch import Hooks, commit_batch
from bot.evidence.callback import MAX_BODY_BYTES, CallbackRefused, parse_callback
from bot.evidence.events import RecordingEvent
from bot.evidence.store import EvidenceStore
from bot.obs.log import request_context
from bot.obs.metrics import CALLBACKS

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

CALLBACKS_PATH = "/css/callbacks"
ACCEPTED = b'{"code":0}'
NOT_STORED = b'{"code":500}'
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 405: "Method Not Allowed"}


class CallbackReceiver:
    """Turns callback bodies into stored events (or refusals). `on_stored(row_id)` is told of
    each newly stored event (the alert loop's nudge), and `on_event(event)` is given it (the
    index refreshes that stream); both run right after the commit and before the callbacks
    are answered; neither may block, and a failing hook is logged, never a reason to refuse
    the callback."""

    def __init__(
        self,
        store: EvidenceStore,
        key: str,
        clock: Callable[[], datetime],
        on_stored: Callable[[int], None] | None = None,
        on_event: Callable[[RecordingEvent], None] | None = None,
    ) -> None:
        self.store = store
        self._key = key
        self._clock = clock
        self._hooks = Hooks(on_stored, on_event)

    def answer_batch(
        self, bodies: Sequence[bytes], request_ids: Sequence[str]
    ) -> list[tuple[int, bytes]]:
        """Answers for these callbacks, in order: refusals at once, the accepted ones after
        their one shared commit; each logged under its request id. (The HTTP server's lane
        for this path, `bot.slack.http_lane.BatchRoute`.)"""
        now = self._clock()
        answers: list[tuple[int, bytes]] = [(200, ACCEPTED)] * len(bodies)
        accepted: list[tuple[int, RecordingEvent]] = []
        for index, (body, rid) in enumerate(zip(bodies, request_ids, strict=True)):
            with request_context(rid):
                refused = self._refusal(body, now)
            if isinstance(refused, tuple):
                answers[index] = refused
            else:
                accepted.append((index, refused))
        if not accepted:
            return answers
        outcomes = commit_batch(self.store, [e for _, e in accepted], now, self._hooks)
        for (index, event), outcome in zip(accepted, outcomes, strict=True):
            with request_context(request_ids[index]):
                answers[index] = _answer(event, outcome)
        return answers

    def handle(self, raw: bytes) -> tuple[int, bytes]:
        """One callback on its own (its own transaction)."""
        with request_context() as rid:
            return self.answer_batch([raw], [rid])[0]

    def _refusal(self, raw: bytes, now: datetime) -> tuple[int, bytes] | RecordingEvent:
        """The event of an acceptable callback, or the answer refusing it."""
        if len(raw) > MAX_BODY_BYTES:
            CALLBACKS.labels(outcome="malformed").inc()
            return 400, b'{"code":400}'
        try:
            return parse_callback(raw, self._key, now)
        except CallbackRefused as refused:
            _counted(refused.outcome).inc()
            log.warning(
                "css callback refused",
                extra={"status": refused.status, "reason": refused.user_message},
            )
            return refused.status, json.dumps({"code": refused.status}).encode()

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI route: answers what the lane does not take (other methods: 405), and a
        POST on a server without a lane, one callback per transaction; at most 64 KiB read
        (a larger body is refused unread)."""
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, 405, b"method not allowed\n")
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = -1
        if declared < 0 or declared > MAX_BODY_BYTES:
            CALLBACKS.labels(outcome="malformed").inc()
            return _reply(start_response, 400, b'{"code":400}')
        stream = environ["wsgi.input"]
        raw = stream.read(declared) if declared else stream.read(MAX_BODY_BYTES + 1)
        status, body = self.handle(raw)
        return _reply(start_response, status, body)


def _answer(event: RecordingEvent, outcome: int | BaseException | None) -> tuple[int, bytes]:
    if isinstance(outcome, BaseException):
        return 500, NOT_STORED
    if outcome is None:
        _counted("duplicate").inc()
        log.debug("css callback already stored", extra={"event": event.event.value})
        return 200, ACCEPTED
    _counted("accepted").inc()
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "css callback stored",
            extra={"event": event.event.value, "stream": event.stream, "task_id": event.task_id},
        )
    return 200, ACCEPTED


_COUNTERS: dict[str, Counter] = {}


def _counted(outcome: str) -> Counter:
    """The outcome's counter, looked up once (a label lookup takes a lock and a hash)."""
    counter = _COUNTERS.get(outcome)
    if counter is None:
        counter = _COUNTERS[outcome] = CALLBACKS.labels(outcome=outcome)
    return counter


def _reply(start_response: StartResponse, status: int, body: bytes) -> list[bytes]:
    start_response(
        f"{status} {_REASONS.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
