"""The recbot database: engine from the operator's URL, and migrations run once at start.

Operators write `postgresql://user@host:5432/db` or `sqlite:///path`; we pick the drivers
(psycopg 3, the standard library's sqlite3). Migrations run under a lock (a PostgreSQL
advisory lock, a file lock beside a SQLite file) so replicas starting at once don't race.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL

from bot.db.sqlite_file import SQLITE_BUSY_MS, sqlite_pragmas
from bot.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same in every replica and unused by others.
_ADVISORY_LOCK_KEY = 0x7265_6362_6F74  # "recbot"


def driver_url(operator_url: str) -> URL:
    """`postgresql://…` → psycopg 3; `sqlite:///path` as is. Anything else is a ConfigError."""
    try:
        url = make_url(operator_url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with the URL in the text
        raise ConfigError(
            "RECBOT_DATABASE_URL is not a database URL; write it as "
            "postgresql://user@host:5432/db or sqlite:///path/recbot.sqlite3"
        ) from exc
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    raise ConfigError(
        f"RECBOT_DATABASE_URL uses '{backend}'; recbot stores digests in sqlite or postgresql"
    )


class RoundTrips:
    """Counts statements sent to the database (the bench reports round trips per digest)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, *_: Any) -> None:
        with self._lock:
            self.count += 1


def open_engine(
    operator_url: str,
    round_trips: RoundTrips | None = None,
    *,
    connect_timeout_s: float | None = None,
) -> Engine:
    """The engine for an operator's URL (not migrated: see `migrate`). `connect_timeout_s`
    bounds a PostgreSQL connect (`recbot doctor` must not hang on an unreachable server)."""
    url = driver_url(operator_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", lambda connection, _record: sqlite_pragmas(connection))
    else:
        connect_args = (
            {} if connect_timeout_s is None else {"connect_timeout": int(connect_timeout_s)}
        )
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args
        )
    if round_trips is not None:
        event.listen(engine, "before_cursor_execute", round_trips.add)
    return engine


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to call from many replicas at once.

    Alembic is loaded only when there is something to do: a database already at the head is
    one query, and a new SQLite database is made from the snapshot of the migrated schema
    (`bot.db.schema_snapshot`)."""
    from bot.db.schema_snapshot import code_head, create_from_snapshot, database_revisions

    head = code_head()
    if engine.url.get_backend_name() == "postgresql":
        with engine.begin() as connection:
            # Held until this transaction ends; PostgreSQL DDL is transactional, so a replica
            # that waited here sees the finished schema and does nothing.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
            )
            if head is None or database_revisions(connection) != frozenset({head}):
                _upgrade(connection)
        return
    with _sqlite_file_lock(engine), engine.begin() as connection:
        done = head is not None and (
            database_revisions(connection) == frozenset({head})
            or create_from_snapshot(connection, head)
        )
        if not done:
            _upgrade(connection)


def migrate_with_alembic(engine: Engine) -> None:
    """`migrate` through Alembic's scripts whatever the database holds (the snapshot is
    written from this)."""
    with _sqlite_file_lock(engine), engine.begin() as connection:
        _upgrade(connection)


def _upgrade(connection: Connection) -> None:
    # Alembic narrates every start at INFO (plugins, dialect, each step); a `recbot ask` on a
    # fresh machine would open with a dozen such lines. Its warnings and errors still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_heads() -> frozenset[str]:
    """The revisions the code needs (the heads of bot/db/migrations)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(_alembic_config()).get_heads())
