"""A uniquely named, empty PostgreSQL database per test, so xdist workers never share tables.

Making and dropping a database costs about a second each time (PostgreSQL copies template1
and writes it through the WAL); emptying one costs a few milliseconds. So a test process keeps
the databases its tests are done with, emptied as new: every connection to it ended, every
schema dropped and `public` made again as PostgreSQL makes it. A database something still
connects to, or that cannot be emptied, is dropped instead. The process drops its databases
when it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"

_emptied: list[str] = []  # this process's databases, empty and unused

_USER_SCHEMAS = (
    "SELECT nspname FROM pg_namespace "
    "WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'"
)


@contextmanager
def fresh_postgres_url() -> Iterator[str]:
    name = _emptied.pop() if _emptied else _create()
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        if _empty(name):
            _emptied.append(name)
        else:
            _drop(name)


def _create() -> str:
    name = f"recbot_t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty(name: str) -> bool:
    """The database as new: True, or False when that could not be made sure of."""
    ended = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()"
    )
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(ended, (name,))
        with psycopg.connect(f"{ADMIN_DSN.rsplit(' ', 1)[0]} dbname={name}") as connection:
            schemas = [row[0] for row in connection.execute(_USER_SCHEMAS)]
            for schema in schemas:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
            connection.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
            connection.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
            others = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()
            if others is None or others[0]:
                connection.rollback()
                return False
            connection.commit()
    except psycopg.Error:
        return False
    return True


@atexit.register  # pytest-xdist's workers end without atexit: tests/conftest.py calls it too
def drop_emptied() -> None:
    """Drop the databases this process kept."""
    while _emptied:
        with contextlib.suppress(psycopg.Error):  # the server is gone: nothing to clean
            _drop(_emptied.pop())
