"""Alembic migrations of the recbot database (digests and every later store)."""
