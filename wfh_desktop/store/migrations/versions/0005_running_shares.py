"""A colleague's timer still running on a handed-over task: how many run (``others_running``)
and the sum of their starts (``others_since``), so that the task's actual time counts them up to
now: ``others_ms + others_running * now - others_since``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task", sa.Column("others_running", sa.Integer))
    op.add_column("task", sa.Column("others_since", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("others_since")
        batch.drop_column("others_running")
