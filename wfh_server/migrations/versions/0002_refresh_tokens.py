"""Refresh tokens: rotated, in families, kept as hashes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refresh_token",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("family_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("used_at", sa.BigInteger),
        sa.Column("replaced_by", sa.String(64)),
        sa.Column("revoked_at", sa.BigInteger),
        sa.ForeignKeyConstraint(["org_id", "user_id"], ["app_user.org_id", "app_user.user_id"]),
    )
    op.create_index("ix_refresh_family", "refresh_token", ["org_id", "family_id"])
    op.create_index("ix_refresh_hash", "refresh_token", ["token_hash"])


def downgrade() -> None:
    op.drop_table("refresh_token")
