"""The synced index of recording tasks: tasks, synced ranges, the sync lease, sync runs.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_tasks",
        sa.Column("account", sa.String(160), primary_key=True),
        sa.Column("task_id", sa.String(128), primary_key=True),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("app", sa.String(255), nullable=False),
        sa.Column("stream", sa.String(255), nullable=False),
        sa.Column("start_s", sa.BigInteger(), nullable=False),
        sa.Column("end_s", sa.BigInteger(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("stopped_s", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_index_tasks_account_start", "index_tasks", ["account", "start_s"])
    op.create_table(
        "index_ranges",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(160), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_index_ranges_account", "index_ranges", ["account"])
    op.create_table(
        "index_leases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "index_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_index_runs_account_finished", "index_runs", ["account", "finished_at"])


def downgrade() -> None:
    op.drop_table("index_runs")
    op.drop_table("index_leases")
    op.drop_table("index_ranges")
    op.drop_table("index_tasks")
