"""The server's schema. Every table is keyed by ``org_id`` first and no table has a global
sequence (``SYNC.md``: partitioning by organisation), so one PostgreSQL can later become a
sharded one without a schema rewrite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
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
    # Changes when the organisation's data is restored from a backup: clients then re-push.
    epoch: Mapped[str] = mapped_column(String(40), server_default="1")


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


class _Synced:
    """What every synced record has: its id in its organisation, its owner, a server version,
    its merge clock (``merge.py``), its conflict journal, where it came from and when the server
    last changed it."""

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_user_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    clock: Mapped[dict[str, Any]] = mapped_column(JSON)
    conflicts: Mapped[list[Any]] = mapped_column(JSON)
    origin_device: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[int | None] = mapped_column(BigInteger)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Task(_Synced, Base):
    """A task; seen and changed by its owner (who made it) and its assignee."""

    __tablename__ = "task"
    assignee_user_id: Mapped[str] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(Text)
    target_minutes: Mapped[int] = mapped_column(Integer)
    rhk: Mapped[str | None] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    done_at: Mapped[int | None] = mapped_column(BigInteger)
    # Everyone the task was handed from or to, comma-separated user ids: they keep seeing it.
    participants: Mapped[str | None] = mapped_column(Text)
    # Once handed over: each participant's time on it (ended sessions), [{"user", "nip",
    # "name", "ms"}], kept current by the pushes that change its sessions.
    shares: Mapped[list[Any] | None] = mapped_column(JSON)
    # The version of its last real change (None: ``version``): its shares summed again are
    # not one, and a handoff based on a version since then is current.
    content_version: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_task_assignee", "org_id", "assignee_user_id"),)


class WorkSession(_Synced, Base):
    """One stretch of work by one person; it never changes owner."""

    __tablename__ = "session"
    task_id: Mapped[str] = mapped_column(String(36))
    start_at: Mapped[int] = mapped_column(BigInteger)
    end_at: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    auto_stop_reason: Mapped[str | None] = mapped_column(Text)
    needs_review: Mapped[str | None] = mapped_column(Text)
    client_clock_offset_ms: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        Index("ix_session_owner_start", "org_id", "owner_user_id", "start_at"),
        Index("ix_session_owner_end", "org_id", "owner_user_id", "end_at"),
        Index("ix_session_task", "org_id", "task_id"),  # a handed-over task's shares
    )


class Handoff(Base):
    """A task handed from one colleague to another (``SYNC.md``: handing a task over)."""

    __tablename__ = "handoff"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    from_user: Mapped[str] = mapped_column(String(36))
    to_user: Mapped[str] = mapped_column(String(36))
    at: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    origin_device: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    # The parties as they were named then, and everyone's time on the task when it was handed
    # ([{"user", "nip", "name", "ms"}]): the colleague sees what was already spent.
    from_nip: Mapped[str | None] = mapped_column(String(18))
    from_name: Mapped[str | None] = mapped_column(Text)
    to_nip: Mapped[str | None] = mapped_column(String(18))
    to_name: Mapped[str | None] = mapped_column(Text)
    shares: Mapped[list[Any] | None] = mapped_column(JSON)
    answer_note: Mapped[str | None] = mapped_column(Text)  # why it was declined
    answered_at: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_handoff_task", "org_id", "task_id"),)


class UserFeed(Base):
    """The compacted change feed: one row per record a user sees, with the ``seq`` of its last
    change, allocated from the user's counter row inside the writing transaction."""

    __tablename__ = "user_feed"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    # The device whose push made this change, its high-water mark after that push, and this
    # row's seq then, when the push's answer carried the record as it is now (NULL otherwise):
    # that device has it, as long as seq is still by_feed (an older release moves seq only).
    by_device: Mapped[str | None] = mapped_column(String(36))
    by_seq: Mapped[int | None] = mapped_column(BigInteger)
    by_feed: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_feed_seq", "org_id", "user_id", "seq"),)


class MutationLog(Base):
    """Every pushed mutation's outcome, by device and ``seq``: replays answer from it."""

    __tablename__ = "mutation_log"
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mutation_id: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    hlc: Mapped[str] = mapped_column(String(80))
    original_hlc: Mapped[str | None] = mapped_column(String(80))  # before clamping
    at: Mapped[int] = mapped_column(BigInteger)
