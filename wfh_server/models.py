"""The server's schema. Every table is keyed by ``org_id`` first and no table has a global
sequence (``SYNC.md``: partitioning by organisation), so one PostgreSQL can later become a
sharded one without a schema rewrite."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# Instants are UTC epoch milliseconds, as on the desktop.
class Org(Base):
    __tablename__ = "org"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[int] = mapped_column(BigInteger)


class Unit(Base):
    """A work unit (*unit kerja*) of an organisation."""

    __tablename__ = "unit"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        ForeignKeyConstraint(["org_id"], ["org.org_id"]),
        UniqueConstraint("org_id", "name", name="uq_unit_name"),
    )


class AppUser(Base):
    __tablename__ = "app_user"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUIDv7
    nip: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_at: Mapped[int | None] = mapped_column(BigInteger)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "unit_id"], ["unit.org_id", "unit.unit_id"]),
        UniqueConstraint("org_id", "nip", name="uq_user_nip"),
        Index("ix_user_nip", "nip"),  # sign-in by NIP, before the organisation is known
        Index("ix_user_email", "email"),
    )


class UserSyncState(Base):
    """The per-user counter row that orders the user's change feed (``SYNC.md``)."""

    __tablename__ = "user_sync_state"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    gc_floor: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["app_user.org_id", "app_user.user_id"]),
    )


class Device(Base):
    __tablename__ = "device"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str | None] = mapped_column(String(200))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_mutation_id: Mapped[str | None] = mapped_column(String(36))
    last_seen_at: Mapped[int | None] = mapped_column(BigInteger)
    protocol: Mapped[int] = mapped_column(Integer, default=1)
    registered_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["app_user.org_id", "app_user.user_id"]),
        Index("ix_device_user", "org_id", "user_id"),
    )


class RefreshToken(Base):
    """An opaque refresh token, kept only as its SHA-256. Rotated on every use; the tokens of one
    sign-in form a family, revoked together when an old one comes back (``SYNC.md``)."""

    __tablename__ = "refresh_token"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36))
    family_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger)
    replaced_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["app_user.org_id", "app_user.user_id"]),
        Index("ix_refresh_family", "org_id", "family_id"),
        Index("ix_refresh_hash", "token_hash"),  # looked up before the organisation is known
    )
