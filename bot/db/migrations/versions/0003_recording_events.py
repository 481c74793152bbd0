"""Recording evidence: CSS recording callbacks (332 status, 100 file) and alert subscriptions.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dedup_key", sa.String(255), nullable=False, unique=True),
        sa.Column("event_type", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("task_id", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("app", sa.String(255), nullable=False),
        sa.Column("stream", sa.String(255), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=True),
        sa.Column("file_format", sa.String(16), nullable=True),
        sa.Column("file_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.BigInteger(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
    )
    op.create_index("ix_recording_events_event_time", "recording_events", ["event_time"])
    op.create_index("ix_recording_events_received_at", "recording_events", ["received_at"])
    op.create_index("ix_recording_events_task_id", "recording_events", ["task_id"])
    op.create_index(
        "ix_recording_events_stream_time",
        "recording_events",
        ["domain", "app", "stream", "event_time"],
    )
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("creator_id", sa.String(32), nullable=False),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_alert_subscriptions_active", "alert_subscriptions", ["active"])
    op.create_table(
        "alert_posts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("alert_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_key", sa.String(255), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("claimed_by", sa.String(80), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.UniqueConstraint("subscription_id", "event_key", name="uq_alert_post_event"),
    )
    op.create_index("ix_alert_posts_created_at", "alert_posts", ["created_at"])


def downgrade() -> None:
    op.drop_table("alert_posts")
    op.drop_table("alert_subscriptions")
    op.drop_table("recording_events")
