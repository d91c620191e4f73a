"""Initial schema: tasks, work sessions, the outbox, sync metadata and local state.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("target_minutes", sa.Integer, nullable=False),
        sa.Column("rhk", sa.Text),
        sa.Column("output", sa.Text),
        sa.Column("volume", sa.Float),
        sa.Column("unit", sa.Text),
        sa.Column("status", sa.String(8), nullable=False, server_default="open"),
        sa.Column("done_at", sa.Integer),
        sa.Column("assignee_user_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("deleted_at", sa.Integer),
        sa.CheckConstraint("target_minutes BETWEEN 1 AND 480", name="ck_task_target"),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_task_status"),
        sa.CheckConstraint("length(trim(title)) > 0", name="ck_task_title"),
    )
    op.create_index("ix_task_title", "task", ["title"])
    op.create_index("ix_task_done", "task", ["done_at"])
    op.create_index(
        "ix_task_created",
        "task",
        ["created_at", "id"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_task_deleted", "task", ["id"], sqlite_where=sa.text("deleted_at IS NOT NULL")
    )
    op.create_table(
        "session",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("owner_user_id", sa.String(36), nullable=False),
        sa.Column("start_at", sa.Integer, nullable=False),
        sa.Column("end_at", sa.Integer),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("origin_device", sa.String(36), nullable=False),
        sa.Column("auto_stop_reason", sa.Text),
        sa.Column("needs_review", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("deleted_at", sa.Integer),
        sa.CheckConstraint("end_at IS NULL OR end_at >= start_at", name="ck_session_end"),
        sa.CheckConstraint("source IN ('timer', 'manual')", name="ck_session_source"),
    )
    op.create_index(
        "ux_session_one_running",
        "session",
        ["owner_user_id"],
        unique=True,
        sqlite_where=sa.text("end_at IS NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        "ix_session_owner_start",
        "session",
        ["owner_user_id", "start_at", "end_at", "task_id"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_session_task",
        "session",
        ["task_id", "start_at", "end_at", "owner_user_id"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_session_owner_end",
        "session",
        ["owner_user_id", "end_at"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mutation_id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("hlc", sa.Text, nullable=False),
        sa.Column("base_version", sa.Integer),
        sa.Column("clock_offset_ms", sa.Integer),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("result", sa.Text),
        sa.Column("created_at", sa.Integer, nullable=False),
        sa.Column("acked_at", sa.Integer),
        sa.CheckConstraint("status IN ('pending', 'acked', 'rejected')", name="ck_outbox_status"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_entity", "outbox", ["entity_id"])
    op.create_table(
        "sync_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_state")
    op.drop_table("sync_meta")
    op.drop_index("ix_outbox_entity", "outbox")
    op.drop_table("outbox")
    op.drop_index("ix_session_owner_end", "session")
    op.drop_index("ix_session_task", "session")
    op.drop_index("ix_session_owner_start", "session")
    op.drop_index("ux_session_one_running", "session")
    op.drop_table("session")
    op.drop_index("ix_task_deleted", "task")
    op.drop_index("ix_task_created", "task")
    op.drop_index("ix_task_done", "task")
    op.drop_index("ix_task_title", "task")
    op.drop_table("task")
