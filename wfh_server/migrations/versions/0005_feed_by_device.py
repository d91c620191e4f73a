"""Which device's push last changed a feed row, its high-water mark then, and the row's ``seq``
then: a pull can leave out the records that device already has from that push's answer
(``pull?answered=``), as long as nothing (not even an older release's push, which moves only
``seq``) has changed the row since.

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
    with op.batch_alter_table("user_feed") as batch:
        batch.add_column(sa.Column("by_device", sa.String(36)))
        batch.add_column(sa.Column("by_seq", sa.BigInteger))
        batch.add_column(sa.Column("by_feed", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("user_feed") as batch:
        batch.drop_column("by_feed")
        batch.drop_column("by_seq")
        batch.drop_column("by_device")
