"""Accounts: organisations, work units, users, their feed counters, and devices.

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
        "org",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "unit",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("unit_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["org.org_id"]),
        sa.UniqueConstraint("org_id", "name", name="uq_unit_name"),
    )
    op.create_table(
        "app_user",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
        sa.Column("disabled_at", sa.BigInteger),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.BigInteger),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(["org_id", "unit_id"], ["unit.org_id", "unit.unit_id"]),
        sa.UniqueConstraint("org_id", "nip", name="uq_user_nip"),
    )
    op.create_index("ix_user_nip", "app_user", ["nip"])
    op.create_index("ix_user_email", "app_user", ["email"])
    op.create_table(
        "user_sync_state",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("gc_floor", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(["org_id", "user_id"], ["app_user.org_id", "app_user.user_id"]),
    )
    op.create_table(
        "device",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("last_mutation_id", sa.String(36)),
        sa.Column("last_seen_at", sa.BigInteger),
        sa.Column("protocol", sa.Integer, nullable=False),
        sa.Column("registered_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger),
        sa.ForeignKeyConstraint(["org_id", "user_id"], ["app_user.org_id", "app_user.user_id"]),
    )
    op.create_index("ix_device_user", "device", ["org_id", "user_id"])


def downgrade() -> None:
    for table in ("device", "user_sync_state", "app_user", "unit", "org"):
        op.drop_table(table)
