"""Database test fixtures: a SQLite file or a fresh PostgreSQL database per test."""

from __future__ import annotations

from tests.support.databases import database_url

__all__ = ["database_url"]  # the shared fixture, for the tests here
