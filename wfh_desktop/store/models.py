"""SQLAlchemy models: the declared schema of the local database.

The migrations in ``migrations/versions`` build exactly this schema (a test compares them).
Instants are UTC epoch milliseconds (INTEGER); see docs/decisions.md.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData()


class Task(Base):
    __tablename__ = "task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(Text(collation="NOCASE"), nullable=False)
    target_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    rhk: Mapped[str | None] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), nullable=False, server_default="open")
    done_at: Mapped[int | None] = mapped_column(Integer)
    assignee_user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    deleted_at: Mapped[int | None] = mapped_column(Integer)
    # Who made it (the server tells; a handoff changes the assignee, never the owner).
    owner_user_id: Mapped[str | None] = mapped_column(String(36))
    # Everyone it was handed from or to (comma-separated user ids, as the server tells).
    participants: Mapped[str | None] = mapped_column(Text)
    # Once handed over: each participant's time on it as the server sums it (JSON), and the
    # colleagues' part of it (not this profile's), which a task's actual time adds.
    shares: Mapped[str | None] = mapped_column(Text)
    others_ms: Mapped[int | None] = mapped_column(Integer)
    # Colleagues' timers still running on it: how many, and the sum of their starts (their
    # time so far is others_running * now - others_since).
    others_running: Mapped[int | None] = mapped_column(Integer)
    others_since: Mapped[int | None] = mapped_column(Integer)
    # The server's journal of values that lost a conflict (JSON), for the user to see.
    conflicts: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("target_minutes BETWEEN 1 AND 480", name="ck_task_target"),
        CheckConstraint("status IN ('open', 'done')", name="ck_task_status"),
        CheckConstraint("length(trim(title)) > 0", name="ck_task_title"),
        Index("ix_task_title", "title"),
        Index("ix_task_done", "done_at"),
        Index("ix_task_created", "created_at", "id", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_task_deleted", "id", sqlite_where=text("deleted_at IS NOT NULL")),
    )


class WorkSession(Base):
    """One uninterrupted stretch of work on a task by one person."""

    __tablename__ = "session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("task.id"), nullable=False)
    owner_user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    start_at: Mapped[int] = mapped_column(Integer, nullable=False)
    end_at: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    origin_device: Mapped[str] = mapped_column(String(36), nullable=False)
    auto_stop_reason: Mapped[str | None] = mapped_column(Text)
    needs_review: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    deleted_at: Mapped[int | None] = mapped_column(Integer)
    conflicts: Mapped[str | None] = mapped_column(Text)  # the server's journal (JSON)

    __table_args__ = (
        CheckConstraint("end_at IS NULL OR end_at >= start_at", name="ck_session_end"),
        CheckConstraint("source IN ('timer', 'manual')", name="ck_session_source"),
        # At most one running session per user, enforced by the database itself.
        Index(
            "ux_session_one_running",
            "owner_user_id",
            unique=True,
            sqlite_where=text("end_at IS NULL AND deleted_at IS NULL"),
        ),
        # Covering index for reports over a period.
        Index(
            "ix_session_owner_start",
            "owner_user_id",
            "start_at",
            "end_at",
            "task_id",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # Covering index for a task's actual time.
        Index(
            "ix_session_task",
            "task_id",
            "start_at",
            "end_at",
            "owner_user_id",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_session_owner_end",
            "owner_user_id",
            "end_at",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class Outbox(Base):
    """Every local change, in order, waiting to be pushed to the server (SYNC.md)."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(36), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    hlc: Mapped[str] = mapped_column(Text, nullable=False)
    base_version: Mapped[int | None] = mapped_column(Integer)
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(Integer, nullable=False)
    acked_at: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'acked', 'rejected')", name="ck_outbox_status"),
        Index("ix_outbox_entity", "entity_id"),
        Index("ix_outbox_pending", "seq", sqlite_where=text("status = 'pending'")),
        # Handoffs not sent yet: looked for whenever a task record arrives.
        Index(
            "ix_outbox_handing",
            "seq",
            sqlite_where=text("status = 'pending' AND type = 'task.handoff'"),
        ),
        {"sqlite_autoincrement": True},
    )


class Handoff(Base):
    """A task handed from one colleague to another, as the server tells it."""

    __tablename__ = "handoff"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), nullable=False)
    from_user: Mapped[str] = mapped_column(String(36), nullable=False)
    to_user: Mapped[str] = mapped_column(String(36), nullable=False)
    at: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    origin_device: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[int] = mapped_column(Integer, nullable=False)
    from_nip: Mapped[str | None] = mapped_column(String(18))
    from_name: Mapped[str | None] = mapped_column(Text)
    to_nip: Mapped[str | None] = mapped_column(String(18))
    to_name: Mapped[str | None] = mapped_column(Text)
    # Everyone's time on the task when it was handed, as the server worked it out (JSON:
    # [{"user", "nip", "name", "ms"}]).
    shares: Mapped[str | None] = mapped_column(Text)
    answer_note: Mapped[str | None] = mapped_column(Text)  # why it was declined
    answered_at: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_handoff_task", "task_id", "at"),)


class Colleague(Base):
    """The organisation's directory as last fetched (name, unit, NIP: nothing more), for
    choosing whom to hand a task to, offline too."""

    __tablename__ = "colleague"

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    unit: Mapped[str] = mapped_column(Text, nullable=False)
    fetched_at: Mapped[int] = mapped_column(Integer, nullable=False)
    used_at: Mapped[int | None] = mapped_column(Integer)  # last handed to: recent ones first


class SyncParked(Base):
    """A pulled record that refers to one not yet here (a session before its task: the feed is
    compacted, so it may come first); applied as soon as that one arrives."""

    __tablename__ = "sync_parked"

    entity: Mapped[str] = mapped_column(String(8), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    waits_for: Mapped[str] = mapped_column(String(36), nullable=False)
    change: Mapped[str] = mapped_column(Text, nullable=False)


class ReviewSeen(Base):
    """An item of "Perlu ditinjau" the user has looked at (its key names the record's version,
    so a new decision of the server shows again)."""

    __tablename__ = "review_seen"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    seen_at: Mapped[int] = mapped_column(Integer, nullable=False)


class SyncMeta(Base):
    """Device identity, the local user, the HLC and later the sync cursor."""

    __tablename__ = "sync_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class AppState(Base):
    """Local-only state that is never synced (which task is paused)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
