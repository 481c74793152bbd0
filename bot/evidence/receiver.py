"""`POST /css/callbacks`: check, store, answer 200 `{"code":0}`; everything else after.

Stored first, then answered: each accepted callback waits for the commit of the transaction
it shares with the callbacks arriving beside it (`bot.evidence.group_commit`), so a 200 always
means stored. A CSS retry of an event already stored is answered 200 again (and counted as a
duplicate), so CSS stops retrying. A database failure answers 500, so CSS retries later.
Nothing secret (key, sign, body) is ever logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import Counter

from bot.evidence.callback import MAX_BODY_BYTES, CallbackRefused, parse_callback
from bot.evidence.events import RecordingEvent
from bot.evidence.group_commit import GroupCommit
from bot.evidence.store import EvidenceStore
from bot.obs.metrics import CALLBACKS

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

CALLBACKS_PATH = "/css/callbacks"
ACCEPTED = b'{"code":0}'
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 405: "Method Not Allowed"}


class CallbackReceiver:
    """Turns one callback body into a stored event (or a refusal). `on_stored(row_id)` is told
    of each newly stored event (the alert loop's nudge), and `on_event(event)` is given it
    (the index refreshes that stream); both run on the request thread that commits the batch,
    right after the commit and before the callbacks are answered; neither may block, and a
    failing hook is logged, never a reason to refuse the callback. `close()` commits what is
    waiting and refuses what comes after."""

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
        self._commits = GroupCommit(store, on_stored=on_stored, on_event=on_event).start()

    def close(self, timeout: float = 10.0) -> None:
        self._commits.stop(timeout)

    def handle(self, raw: bytes) -> tuple[int, bytes]:
        now = self._clock()
        try:
            event = parse_callback(raw, self._key, now)
        except CallbackRefused as refused:
            _counted(refused.outcome).inc()
            log.warning(
                "css callback refused",
                extra={"status": refused.status, "reason": refused.user_message},
            )
            return refused.status, json.dumps({"code": refused.status}).encode()
        row_id = self._commits.store(event, now)
        if row_id is None:
            _counted("duplicate").inc()
            log.debug("css callback already stored", extra={"event": event.event.value})
            return 200, ACCEPTED
        _counted("accepted").inc()
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "css callback stored",
                extra={
                    "event": event.event.value,
                    "stream": event.stream,
                    "task_id": event.task_id,
                },
            )
        return 200, ACCEPTED

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The route: POST only; at most 64 KiB read (a larger body is refused unread)."""
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
        try:
            status, body = self.handle(raw)
        except Exception:
            log.exception("css callback could not be stored; CSS will retry")
            return _reply(start_response, 500, b'{"code":500}')
        return _reply(start_response, status, body)


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
