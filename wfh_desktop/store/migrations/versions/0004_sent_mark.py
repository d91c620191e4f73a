"""The sent mark (``sync_meta.sent_seq``, ``outbox.fold``): a change may be folded only into a
creation above it. A profile from before it may hold pending mutations an earlier version sent
(an answer lost), so every mutation it has counts as possibly sent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT OR IGNORE INTO sync_meta(key, value) "
        "SELECT 'sent_seq', CAST(max(seq) AS TEXT) FROM outbox HAVING max(seq) IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM sync_meta WHERE key = 'sent_seq'")
