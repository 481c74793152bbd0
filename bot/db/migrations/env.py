"""Alembic environment: always run programmatically by bot.db.database.migrate."""

from __future__ import annotations

from alembic import context

import bot.digest.store  # registers its tables on Base
import bot.index.tables  # noqa: F401  (registers the index tables on Base)
from bot.db.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
