"""Handing tasks over: who took part in a task (they keep seeing it) and each one's time on it,
and a handoff's parties
by name and NIP, everyone's time on the task when it was handed, and the colleague's answer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("participants", sa.Text))
        batch.add_column(sa.Column("shares", sa.JSON))
        batch.add_column(sa.Column("content_version", sa.Integer))
    op.create_index("ix_session_task", "session", ["org_id", "task_id"])
    op.create_index("ix_handoff_task", "handoff", ["org_id", "task_id"])
    with op.batch_alter_table("handoff") as batch:
        batch.add_column(sa.Column("from_nip", sa.String(18)))
        batch.add_column(sa.Column("from_name", sa.Text))
        batch.add_column(sa.Column("to_nip", sa.String(18)))
        batch.add_column(sa.Column("to_name", sa.Text))
        batch.add_column(sa.Column("shares", sa.JSON))
        batch.add_column(sa.Column("answer_note", sa.Text))
        batch.add_column(sa.Column("answered_at", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("handoff") as batch:
        for name in (
            "answered_at",
            "answer_note",
            "shares",
            "to_name",
            "to_nip",
            "from_name",
            "from_nip",
        ):
            batch.drop_column(name)
    op.drop_index("ix_handoff_task", "handoff")
    op.drop_index("ix_session_task", "session")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("content_version")
        batch.drop_column("shares")
        batch.drop_column("participants")
