"""The sync tables: tasks, sessions, handoffs, the per-user change feed and the mutation log;
each organisation gets an epoch.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _synced() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("clock", sa.JSON, nullable=False),
        sa.Column("conflicts", sa.JSON, nullable=False),
        sa.Column("origin_device", sa.String(36)),
        sa.Column("created_at", sa.BigInteger),
        sa.Column("deleted_at", sa.BigInteger),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("org") as batch:
        batch.add_column(sa.Column("epoch", sa.String(40), nullable=False, server_default="1"))
    op.create_table(
        "task",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_user_id", sa.String(36), nullable=False),
        sa.Column("assignee_user_id", sa.String(36), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("target_minutes", sa.Integer, nullable=False),
        sa.Column("rhk", sa.Text),
        sa.Column("output", sa.Text),
        sa.Column("volume", sa.Float),
        sa.Column("unit", sa.Text),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("done_at", sa.BigInteger),
        *_synced(),
    )
    op.create_index("ix_task_assignee", "task", ["org_id", "assignee_user_id"])
    op.create_table(
        "session",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_user_id", sa.String(36), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("start_at", sa.BigInteger, nullable=False),
        sa.Column("end_at", sa.BigInteger),
        sa.Column("source", sa.String(8)),
        sa.Column("note", sa.Text),
        sa.Column("auto_stop_reason", sa.Text),
        sa.Column("needs_review", sa.Text),
        sa.Column("client_clock_offset_ms", sa.BigInteger),
        *_synced(),
    )
    op.create_index("ix_session_owner_start", "session", ["org_id", "owner_user_id", "start_at"])
    op.create_index("ix_session_owner_end", "session", ["org_id", "owner_user_id", "end_at"])
    op.create_table(
        "handoff",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("from_user", sa.String(36), nullable=False),
        sa.Column("to_user", sa.String(36), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("origin_device", sa.String(36)),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "user_feed",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("entity_type", sa.String(8), primary_key=True),
        sa.Column("entity_id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_feed_seq", "user_feed", ["org_id", "user_id", "seq"])
    op.create_table(
        "mutation_log",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("mutation_id", sa.String(36), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("hlc", sa.String(80), nullable=False),
        sa.Column("original_hlc", sa.String(80)),
        sa.Column("at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("mutation_log", "user_feed", "handoff", "session", "task"):
        op.drop_table(table)
    with op.batch_alter_table("org") as batch:
        batch.drop_column("epoch")
