"""The sync client's tables: the server's conflict journals, task owners, handoffs as the
server tells them, records parked until what they refer to arrives, what the user has reviewed,
and a fast way to the pending part of the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("session", sa.Column("conflicts", sa.Text))
    op.add_column("task", sa.Column("owner_user_id", sa.String(36)))
    op.add_column("task", sa.Column("conflicts", sa.Text))
    op.create_table(
        "handoff",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("from_user", sa.String(36), nullable=False),
        sa.Column("to_user", sa.String(36), nullable=False),
        sa.Column("at", sa.Integer, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("origin_device", sa.String(36)),
        sa.Column("created_at", sa.Integer, nullable=False),
    )
    op.create_index("ix_handoff_task", "handoff", ["task_id", "at"])
    op.create_table(
        "sync_parked",
        sa.Column("entity", sa.String(8), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("waits_for", sa.String(36), nullable=False),
        sa.Column("change", sa.Text, nullable=False),
    )
    op.create_table(
        "review_seen",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("seen_at", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_outbox_pending", "outbox", ["seq"], sqlite_where=sa.text("status = 'pending'")
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", "outbox")
    op.drop_table("review_seen")
    op.drop_table("sync_parked")
    op.drop_index("ix_handoff_task", "handoff")
    op.drop_table("handoff")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("conflicts")
        batch.drop_column("owner_user_id")
    with op.batch_alter_table("session") as batch:
        batch.drop_column("conflicts")
