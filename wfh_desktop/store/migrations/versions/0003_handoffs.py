"""Handing tasks over: a handoff's parties by name and NIP, everyone's time on the task when it
was handed, the colleague's answer; who took part in a task and each one's time on it (and the
colleagues' part, summed); the organisation's directory kept for working offline.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task", sa.Column("participants", sa.Text))
    op.add_column("task", sa.Column("shares", sa.Text))
    op.add_column("task", sa.Column("others_ms", sa.Integer))
    for column in (
        sa.Column("from_nip", sa.String(18)),
        sa.Column("from_name", sa.Text),
        sa.Column("to_nip", sa.String(18)),
        sa.Column("to_name", sa.Text),
        sa.Column("shares", sa.Text),
        sa.Column("answer_note", sa.Text),
        sa.Column("answered_at", sa.Integer),
    ):
        op.add_column("handoff", column)
    op.create_index(
        "ix_outbox_handing",
        "outbox",
        ["seq"],
        sqlite_where=sa.text("status = 'pending' AND type = 'task.handoff'"),
    )
    op.create_table(
        "colleague",
        sa.Column("nip", sa.String(18), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("fetched_at", sa.Integer, nullable=False),
        sa.Column("used_at", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("colleague")
    op.drop_index("ix_outbox_handing", "outbox")
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
    with op.batch_alter_table("task") as batch:
        batch.drop_column("others_ms")
        batch.drop_column("shares")
        batch.drop_column("participants")
