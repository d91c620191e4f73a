"""Manual sessions and corrections: add, edit, delete (soft) and restore; the day log."""

from __future__ import annotations

from typing import NamedTuple

from wfh_desktop.domain import SESSION_COLUMNS, TASK_COLUMNS, Task, WorkSession
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.ids import uuid7
from wfh_desktop.lookup import find_session, find_task, get_task
from wfh_desktop.profile import PAUSED_KEY, Profile
from wfh_desktop.tasks import clean_text
from wfh_desktop.timer import insert_session, kept_review_flag, running_session

FUTURE_SLACK_MS = 60_000


class LogEntry(NamedTuple):
    session: WorkSession
    task: Task


def check_span(start_ms: int, end_ms: int | None, now_ms: int) -> None:
    """A session ends after it starts, and not in the future."""
    if end_ms is not None and end_ms <= start_ms:
        raise UserError("The end must be after the start.")
    if (end_ms if end_ms is not None else start_ms) > now_ms + FUTURE_SLACK_MS:
        raise UserError("A session cannot end in the future.")


def review_text(flag: str | None) -> str:
    """Why a session should be looked at again (its ``needs_review``), in words."""
    if flag == "overlap":
        return tr("overlaps")
    if flag == "long":
        return tr("long")
    return ""


class SessionService:
    def __init__(self, profile: Profile) -> None:
        self._p = profile

    def add(self, task_ref: str, start_ms: int, end_ms: int, note: str | None = None) -> LogEntry:
        """A manual session: work done without the timer."""
        now = self._p.clock.now_ms()
        check_span(start_ms, end_ms, now)
        with self._p.write() as (conn, outbox):
            task = find_task(conn, task_ref)
            session = WorkSession(
                id=uuid7(now),
                task_id=task.id,
                owner_user_id=self._p.user_id,
                start_at=start_ms,
                end_at=end_ms,
                source="manual",
                origin_device=self._p.device_id,
                auto_stop_reason=None,
                needs_review=None,
                note=clean_text(note),
                created_at=now,
                updated_at=now,
                version=0,
                deleted_at=None,
            )
            session = insert_session(conn, outbox, session, now)
            return LogEntry(session, task)

    def edit(
        self,
        ref: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        task_ref: str | None = None,
        note: str | None = None,
    ) -> LogEntry:
        """Correct a session. Setting the end of a running session stops it then."""
        now = self._p.clock.now_ms()
        with self._p.write() as (conn, outbox):
            session = find_session(conn, ref)
            if session.owner_user_id != self._p.user_id:
                raise UserError("This session belongs to someone else; only they can change it.")
            changes: dict[str, object] = {}
            if task_ref is not None:
                task = find_task(conn, task_ref)
                changes["task_id"] = task.id
            if start_ms is not None:
                changes["start_at"] = start_ms
            if end_ms is not None:
                changes["end_at"] = end_ms
            if note is not None:
                changes["note"] = clean_text(note)
            new = session._replace(**changes)  # type: ignore[arg-type]
            if (new.start_at, new.end_at) != (session.start_at, session.end_at):
                # only a new span is checked against this clock: a note on a session recorded
                # by a computer whose clock is ahead of this one must still be possible (F10)
                check_span(new.start_at, new.end_at, now)
            new = new._replace(needs_review=kept_review_flag(conn, new, now))
            changes = {
                k: v
                for k, v in new._asdict().items()
                if k in ("task_id", "start_at", "end_at", "note") and getattr(session, k) != v
            }
            if changes or new.needs_review != session.needs_review:
                sets = ", ".join(f"{k} = ?" for k in changes)
                conn.execute(
                    f"UPDATE session SET {sets + ', ' if sets else ''}needs_review = ?, "
                    "updated_at = ? WHERE id = ?",
                    [*changes.values(), new.needs_review, now, session.id],
                )
                if changes:
                    outbox.append(now, "session.edit", session.id, changes, session.version)
            task = get_task(conn, new.task_id)
            return LogEntry(new._replace(updated_at=now), task)

    def remove(self, ref: str) -> LogEntry:
        now = self._p.clock.now_ms()
        with self._p.write() as (conn, outbox):
            session = find_session(conn, ref)
            if session.owner_user_id != self._p.user_id:
                raise UserError("This session belongs to someone else; only they can change it.")
            conn.execute(
                "UPDATE session SET deleted_at = ?, updated_at = ? WHERE id = ?",
                (now, now, session.id),
            )
            outbox.append(now, "session.delete", session.id, {}, session.version)
            return LogEntry(session._replace(deleted_at=now), get_task(conn, session.task_id))

    def restore(self, ref: str) -> LogEntry:
        now = self._p.clock.now_ms()
        with self._p.write() as (conn, outbox):
            session = find_session(conn, ref, include_deleted=True)
            if session.deleted_at is None:
                raise UserError("This session is not deleted, so there is nothing to restore.")
            task = get_task(conn, session.task_id)
            if task.deleted_at is not None:
                raise UserError(
                    "This session's task {title!r} is deleted; restore the task first.",
                    title=task.title,
                )
            if session.end_at is None and running_session(conn, self._p.user_id) is not None:
                raise UserError("Another timer is already running; stop it first.")
            if session.end_at is None:
                Profile.set_state(conn, PAUSED_KEY, None)
            restored = session._replace(deleted_at=None)
            restored = restored._replace(needs_review=kept_review_flag(conn, restored, now))
            conn.execute(
                "UPDATE session SET deleted_at = NULL, needs_review = ?, updated_at = ? "
                "WHERE id = ?",
                (restored.needs_review, now, session.id),
            )
            outbox.append(now, "session.restore", session.id, {}, session.version)
            return LogEntry(restored, get_task(conn, session.task_id))

    def log(self, start_ms: int, end_ms: int) -> list[LogEntry]:
        """The sessions that overlap [start_ms, end_ms), oldest first, with their tasks."""
        conn = self._p.conn
        cols = ", ".join(f"s.{c.strip()}" for c in SESSION_COLUMNS.split(","))
        tcols = ", ".join(f"t.{c.strip()}" for c in TASK_COLUMNS.split(","))
        rows = conn.execute(
            f"SELECT {cols}, {tcols} FROM session s JOIN task t ON t.id = s.task_id "
            "WHERE s.deleted_at IS NULL AND t.deleted_at IS NULL AND s.owner_user_id = ? "
            "AND s.start_at >= ? AND s.start_at < ? "
            "UNION ALL "
            f"SELECT {cols}, {tcols} FROM session s JOIN task t ON t.id = s.task_id "
            "WHERE s.deleted_at IS NULL AND t.deleted_at IS NULL AND s.owner_user_id = ? "
            "AND s.end_at > ? AND +s.start_at < ? "
            "UNION ALL "
            f"SELECT {cols}, {tcols} FROM session s JOIN task t ON t.id = s.task_id "
            "WHERE s.deleted_at IS NULL AND t.deleted_at IS NULL AND s.owner_user_id = ? "
            "AND s.end_at IS NULL AND +s.start_at < ? "
            "ORDER BY 4",
            (
                *(self._p.user_id, start_ms, end_ms),
                *(self._p.user_id, start_ms, start_ms),
                *(self._p.user_id, start_ms),
            ),
        ).fetchall()
        return [LogEntry(WorkSession._make(r[:14]), Task._make(r[14:])) for r in rows]
