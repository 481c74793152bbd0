"""Alembic migrations of the digest database."""
