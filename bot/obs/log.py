"""Structured logging: one line per event, JSON when stderr is not a TTY, with the request id.

Use it like this (the request id follows the current context, so every line of one request
carries the same id)::

    from bot.obs.log import new_request_id, request_context, get_logger
    log = get_logger(__name__)
    with request_context():            # or: rid = new_request_id() at the entry point
        log.info("answered", extra={"surface": "slash", "tasks": 12})

- `new_request_id()` makes a fresh id, sets it for the current context and returns it.
- `request_context(rid=None)` sets an id (new if None) for a `with` block and restores after.
- `current_request_id()` reads it ("-" outside any request); `set_request_id(rid)` sets it,
  e.g. at the start of a worker thread. contextvars do not cross `ThreadPoolExecutor`
  boundaries by themselves: use `ContextThreadPoolExecutor` (a drop-in whose tasks run in
  the submitter's context), or submit `contextvars.copy_context().run`.
- `configure_logging(settings)` installs the handler once at start (`recbot serve`, `doctor`,
  ...). Every secret in the settings is masked as `***` in every line, including tracebacks:
  a second guard behind "never log a secret".
- Fields passed in `extra=` become JSON keys (or `key=value` in text mode).
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from bot.config import Settings

NO_REQUEST = "-"
_REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar(
    "recbot_request_id", default=NO_REQUEST
)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)
_MASK = "***"
# Secrets shorter than this are not masked: masking "a" would garble every line.
_MIN_SECRET_LEN = 4


def new_request_id() -> str:
    """A fresh request id, set as the current one and returned."""
    rid = make_request_id()
    _REQUEST_ID.set(rid)
    return rid


def request_id_or_new() -> str:
    """The current request id, or a fresh one set as current when there is none."""
    rid = _REQUEST_ID.get()
    return rid if rid != NO_REQUEST else new_request_id()


def set_request_id(rid: str) -> contextvars.Token[str]:
    return _REQUEST_ID.set(rid)


def current_request_id() -> str:
    return _REQUEST_ID.get()


def make_request_id() -> str:
    """A request id, not set anywhere."""
    return uuid.uuid4().hex[:16]


@contextmanager
def request_context(rid: str | None = None) -> Iterator[str]:
    """Run a block under a request id (a new one unless given); the previous id comes back."""
    token = _REQUEST_ID.set(rid or make_request_id())
    try:
        yield _REQUEST_ID.get()
    finally:
        _REQUEST_ID.reset(token)


_P = ParamSpec("_P")
_T = TypeVar("_T")


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose tasks run in a copy of the submitter's context, so log
    lines written by a worker carry the request id of the request that asked for the work."""

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        context = contextvars.copy_context()

        def in_context() -> _T:
            return context.run(fn, *args, **kwargs)

        return super().submit(in_context)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record, whichever logger made it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _REQUEST_ID.get()
        return True


class _Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted(
            {s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, _MASK)
        return text


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, request_id, message, extras, exc."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": self._redact(record.getMessage()),
        }
        for key, value in _extras(record).items():
            entry.setdefault(key, self._redact(value) if isinstance(value, str) else value)
        if record.exc_info:
            entry["exc"] = self._redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self._redact(self.formatStack(record.stack_info))
        # Masked before encoding (a secret with a quote or backslash is escaped in JSON) and
        # after (anything else that reached the line).
        return self._redact(json.dumps(entry, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """For people at a terminal: time level [request id] logger: message key=value..."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s")
        self._redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = _REQUEST_ID.get()
        line = super().format(record)
        extras = _extras(record)
        if extras:
            tail = " ".join(f"{k}={v!r}" for k, v in extras.items())
            first, sep, rest = line.partition("\n")
            line = f"{first} {tail}{sep}{rest}"
        return self._redact(line)


def _wants_json(log_format: str, stream: IO[str]) -> bool:
    if log_format == "json":
        return True
    if log_format == "text":
        return False
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


_HANDLER_NAME = "recbot"


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Install recbot's handler on the root logger (replacing an earlier one); return it."""
    target = stream if stream is not None else sys.stderr
    secrets = settings.secret_values()
    formatter: logging.Formatter = (
        JsonFormatter(secrets)
        if _wants_json(settings.recbot_log_format, target)
        else TextFormatter(secrets)
    )
    handler = logging.StreamHandler(target)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.recbot_log_level.upper())
    return handler


def masker(settings: Settings) -> Callable[[str], str]:
    """Masks every configured secret in a text, as the log formatters do (the audit trail
    stores what people typed, which must never keep a pasted secret)."""
    return _Redactor(settings.secret_values())
