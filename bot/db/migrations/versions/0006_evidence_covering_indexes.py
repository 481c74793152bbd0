"""Recording evidence: covering indexes for what answers read (docs/evidence.md, "Cost").

An answer totals its tasks' files by TaskId and its streams' untasked files by stream and
time. Both indexes hold every column those totals read, so neither reads a table row; status
events are found by the same indexes (`event_type` is their second key after the TaskId or the
stream). They replace the plain TaskId and stream-time indexes of 0003, which they cover.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_recording_events_task_cover",
        "recording_events",
        ["task_id", "event_type", "event_time", "duration_s", "size_bytes"],
    )
    op.create_index(
        "ix_recording_events_stream_cover",
        "recording_events",
        [
            "domain",
            "app",
            "stream",
            "event_type",
            "event_time",
            "task_id",
            "duration_s",
            "size_bytes",
        ],
    )
    op.drop_index("ix_recording_events_task_id", table_name="recording_events")
    op.drop_index("ix_recording_events_stream_time", table_name="recording_events")


def downgrade() -> None:
    op.create_index("ix_recording_events_task_id", "recording_events", ["task_id"])
    op.create_index(
        "ix_recording_events_stream_time",
        "recording_events",
        ["domain", "app", "stream", "event_time"],
    )
    op.drop_index("ix_recording_events_stream_cover", table_name="recording_events")
    op.drop_index("ix_recording_events_task_cover", table_name="recording_events")
