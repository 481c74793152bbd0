"""The database checked once at start, before any worker runs: down or unusable is one
ConfigError naming RECBOT_DATABASE_URL and the reason (no traceback, no password)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from bot.db.database import driver_url, migrate
from bot.errors import ConfigError

_FIX_SERVER = "check RECBOT_DATABASE_URL and that the database server runs and accepts this user"
_FIX_FILE = "check RECBOT_DATABASE_URL and that the file's folder exists and is writable"


def prepare_database(operator_url: str, open_engine: Callable[[], Engine]) -> None:
    """Connect with the engine `open_engine` makes, then bring the schema to the newest
    revision; ConfigError on any failure. The engine is disposed afterwards.

    Run by `recbot serve` before it builds the bot or starts serving, so the bot's own
    migration finds nothing to do and a database that is down is never a traceback."""
    backend = driver_url(operator_url).get_backend_name()
    shown = make_url(operator_url).render_as_string(hide_password=True)
    fix = _FIX_FILE if backend == "sqlite" else _FIX_SERVER
    try:
        engine = open_engine()
    except OSError as exc:  # the folder of a SQLite file cannot be made
        raise ConfigError(
            f"RECBOT_DATABASE_URL: cannot open {shown} ({_reason(exc)}); {fix}"
        ) from None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        migrate(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise ConfigError(
            f"RECBOT_DATABASE_URL: cannot use {shown} ({_reason(exc)}); {fix}"
        ) from None
    finally:
        engine.dispose()


def _reason(exc: BaseException) -> str:
    """The driver's own words, last clause of the first line ("Connection refused",
    "unable to open database file", "Not a directory")."""
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    first = (str(cause).strip().splitlines() or [""])[0]
    clause = first.rsplit(": ", 1)[-1].strip()
    return clause[:160] or type(cause).__name__
