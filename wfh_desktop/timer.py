"""The timer: start, pause, resume, stop and finish, with at most one running session per user.

A start stops the running session at the same instant, in the same transaction. Pause ends the
running session and remembers the task; resume starts a new session on it. Time is always
computed from stored instants, never counted.
"""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from wfh_desktop.away import Gap
from wfh_desktop.domain import SESSION_COLUMNS, Task, WorkSession
from wfh_desktop.errors import UserError
from wfh_desktop.ids import uuid7
from wfh_desktop.lookup import find_task, get_task
from wfh_desktop.outbox import MutationWriter, created_fields
from wfh_desktop.profile import PAUSED_KEY, Profile
from wfh_desktop.tasks import actual_ms

LONG_SESSION_MS = 16 * 3_600_000  # longer than this is flagged for the user to check
CLOCK_FLAG_MS = 120_000  # a clock further off than this is flagged (as the server does)


class Status(NamedTuple):
    """What the timer is doing now. ``task_actual_ms`` counts every session of the task."""

    now_ms: int
    running: WorkSession | None
    paused_task: Task | None
    task: Task | None
    task_actual_ms: int

    @property
    def over_target_ms(self) -> int:
        if self.task is None:
            return 0
        return max(self.task_actual_ms - self.task.target_ms, 0)


class StartResult(NamedTuple):
    session: WorkSession
    task: Task
    stopped: WorkSession | None
    reopened: bool
    already_running: bool


class StopResult(NamedTuple):
    """What stopped; ``session`` is None when a paused task had no session left (deleted)."""

    session: WorkSession | None
    task: Task
    # The clock read this long before the session's start when it stopped (set back while the
    # timer ran, with no app watching): the session is kept at no time and flagged.
    clock_back_ms: int = 0


def running_session(conn: sqlite3.Connection, user_id: str) -> WorkSession | None:
    row = conn.execute(
        f"SELECT {SESSION_COLUMNS} FROM session "
        "WHERE owner_user_id = ? AND end_at IS NULL AND deleted_at IS NULL",
        (user_id,),
    ).fetchone()
    return None if row is None else WorkSession._make(row)


def overlaps(conn: sqlite3.Connection, session: WorkSession, now_ms: int) -> bool:
    """Whether another live session of the same person overlaps this one (touching is fine).
    A running session counts as lasting until now (or its start, if that is later)."""
    end = max(now_ms, session.start_at) if session.end_at is None else session.end_at
    row = conn.execute(
        # "+start_at": search ix_session_owner_end (what ends after this start: few rows), not
        # ix_session_owner_start (everything that started before: the whole history).
        "SELECT 1 FROM session WHERE owner_user_id = ? AND deleted_at IS NULL AND id != ? "
        "AND end_at > ? AND +start_at < ? "
        "UNION ALL "
        "SELECT 1 FROM session WHERE owner_user_id = ? AND deleted_at IS NULL AND id != ? "
        "AND end_at IS NULL AND +start_at < ? AND MAX(?, start_at) > ? "
        "LIMIT 1",
        (
            session.owner_user_id,
            session.id,
            session.start_at,
            end,
            session.owner_user_id,
            session.id,
            end,
            now_ms,
            session.start_at,
        ),
    ).fetchone()
    return row is not None


def review_flag(conn: sqlite3.Connection, session: WorkSession, now_ms: int) -> str | None:
    """Why the user should look at this session again: it overlaps another, or it is long.
    Such sessions are kept as they are (SYNC.md: accepted and flagged)."""
    if overlaps(conn, session, now_ms):
        return "overlap"
    if session.end_at is not None and session.end_at - session.start_at > LONG_SESSION_MS:
        return "long"
    return None


def kept_review_flag(conn: sqlite3.Connection, session: WorkSession, now_ms: int) -> str | None:
    """The review flag after a local change. Once the server has the session (a version), its
    flags are the server's: they change only with a record from it (which answers the change),
    so that two computers never hold one version with different flags."""
    if session.version > 0:
        return session.needs_review
    return review_flag(conn, session, now_ms)


class TimerService:
    def __init__(self, profile: Profile) -> None:
        self._p = profile

    # ---- reading -------------------------------------------------------------------------

    def status(self) -> Status:
        conn = self._p.conn
        now = self._p.clock.now_ms()
        running = running_session(conn, self._p.user_id)
        paused: Task | None = None
        task: Task | None = None
        if running is not None:
            task = get_task(conn, running.task_id)
        else:
            paused_id = self._p.get_state(PAUSED_KEY)
            if paused_id is not None:
                paused = get_task(conn, paused_id)
                task = paused
        actual = 0
        if task is not None:
            actual = actual_ms(conn, [task.id], now)[task.id]
        return Status(now, running, paused, task, actual)

    # ---- writing -------------------------------------------------------------------------

    def stop_running_in(
        self,
        conn: sqlite3.Connection,
        outbox: MutationWriter,
        *,
        at_ms: int | None = None,
        only_task: str | None = None,
    ) -> str | None:
        """Stop the user's running session inside an open transaction; returns its id.

        The end is never before the start, even if the clock has jumped backwards.
        """
        running = running_session(conn, self._p.user_id)
        if running is None or (only_task is not None and running.task_id != only_task):
            return None
        now = self._p.clock.now_ms()
        end = max(now if at_ms is None else at_ms, running.start_at)
        # The clock reads before the start: it was set back while the timer ran (the tray app
        # asks when it sees that happen; here nobody saw). The session keeps its start and no
        # time, and says how far off the clock is at least, so that it is put to the user.
        back = running.start_at - now if at_ms is None and now < running.start_at else 0
        flags = running.needs_review
        if back > CLOCK_FLAG_MS and running.version == 0:  # once on the server, its flags
            flags = ",".join(sorted({*(flags or "").split(","), "clock_offset"} - {""}))
        conn.execute(
            "UPDATE session SET end_at = ?, updated_at = ?, needs_review = ? WHERE id = ?",
            (end, now, flags, running.id),
        )
        outbox.append(
            now,
            "session.stop",
            running.id,
            {"end_at": end},
            running.version,
            clock_off_ms=back if back > CLOCK_FLAG_MS else None,
        )
        return running.id

    def start(self, ref: str | None = None, *, task_id: str | None = None) -> StartResult:
        """Start the timer on a task (found by ``ref``, or by ``task_id``)."""
        with self._p.write() as (conn, outbox):
            task = get_task(conn, task_id) if task_id else find_task(conn, ref or "")
            if task.deleted_at is not None:
                raise UserError("The task {title!r} is deleted.", title=task.title)
            return self._start_in(conn, outbox, task)

    def _start_in(
        self,
        conn: sqlite3.Connection,
        outbox: MutationWriter,
        task: Task,
        at_ms: int | None = None,
    ) -> StartResult:
        now = self._p.clock.now_ms()
        running = running_session(conn, self._p.user_id)
        if running is not None and running.task_id == task.id:
            return StartResult(running, task, None, False, True)
        start = now if at_ms is None else min(at_ms, now)
        stopped: WorkSession | None = None
        if running is not None:
            # The new session starts at the very instant the old one ends.
            start = max(now, running.start_at)
            self.stop_running_in(conn, outbox, at_ms=start)
            stopped = running._replace(end_at=start)
        reopened = False
        if task.is_done:
            conn.execute(
                "UPDATE task SET status = 'open', done_at = NULL, updated_at = ? WHERE id = ?",
                (now, task.id),
            )
            outbox.append(
                now, "task.upsert", task.id, {"status": "open", "done_at": None}, task.version
            )
            task = task._replace(status="open", done_at=None, updated_at=now)
            reopened = True
        session = WorkSession(
            id=uuid7(now),
            task_id=task.id,
            owner_user_id=self._p.user_id,
            start_at=start,
            end_at=None,
            source="timer",
            origin_device=self._p.device_id,
            auto_stop_reason=None,
            needs_review=None,
            note=None,
            created_at=now,
            updated_at=now,
            version=0,
            deleted_at=None,
        )
        session = insert_session(conn, outbox, session, now)
        Profile.set_state(conn, PAUSED_KEY, None)
        return StartResult(session, task, stopped, reopened, False)

    def start_new(self, title: str, target_minutes: Any, **fields: Any) -> StartResult:
        """Create a task and start its timer, in one transaction."""
        from wfh_desktop.tasks import TaskService, clean_fields

        values = clean_fields({"title": title, "target_minutes": target_minutes, **fields})
        with self._p.write() as (conn, outbox):
            task = TaskService(self._p).insert(conn, outbox, values)
            return self._start_in(conn, outbox, task)

    def pause(self) -> StopResult:
        with self._p.write() as (conn, outbox):
            running = self._require_running(conn)
            back = running.start_at - self._p.clock.now_ms()
            self.stop_running_in(conn, outbox)
            Profile.set_state(conn, PAUSED_KEY, running.task_id)
            return self._stopped(conn, running.id)._replace(clock_back_ms=max(0, back))

    def resume(self) -> StartResult:
        with self._p.write() as (conn, outbox):
            running = running_session(conn, self._p.user_id)
            if running is not None:
                raise UserError(
                    "A timer is already running on {title!r}.",
                    title=get_task(conn, running.task_id).title,
                )
            paused_id = self._p.get_state(PAUSED_KEY)
            if paused_id is None:
                raise UserError("Nothing is paused. Start a task with 'wfh start'.")
            task = get_task(conn, paused_id)
            if task.deleted_at is not None:
                Profile.set_state(conn, PAUSED_KEY, None)
                raise UserError("The task {title!r} is deleted.", title=task.title)
            return self._start_in(conn, outbox, task)

    def stop(self) -> StopResult:
        with self._p.write() as (conn, outbox):
            paused_id = self._p.get_state(PAUSED_KEY)
            running = running_session(conn, self._p.user_id)
            if running is None and paused_id is not None:
                # Stopping a paused task only forgets the pause; its time is already stored.
                Profile.set_state(conn, PAUSED_KEY, None)
                return StopResult(self._last_session(conn, paused_id), get_task(conn, paused_id))
            running = self._require_running(conn)
            back = running.start_at - self._p.clock.now_ms()
            self.stop_running_in(conn, outbox)
            Profile.set_state(conn, PAUSED_KEY, None)
            return self._stopped(conn, running.id)._replace(clock_back_ms=max(0, back))

    def finish(self) -> StopResult:
        """Stop the running (or paused) task and mark it done."""
        from wfh_desktop.tasks import TaskService

        with self._p.write() as (conn, outbox):
            running = running_session(conn, self._p.user_id)
            task_id = running.task_id if running else self._p.get_state(PAUSED_KEY)
            if task_id is None:
                raise UserError("No timer is running and nothing is paused.")
            back = running.start_at - self._p.clock.now_ms() if running else 0
            self.stop_running_in(conn, outbox)
            Profile.set_state(conn, PAUSED_KEY, None)
            task = get_task(conn, task_id)
            now = self._p.clock.now_ms()
            task = TaskService(self._p).update_in(
                conn, outbox, task, {"status": "done", "done_at": now}
            )
            return StopResult(self._last_session(conn, task_id), task, max(0, back))

    def answer_gap(self, gap: Gap, answer: str, session_id: str | None = None) -> StopResult | None:
        """What the user said about a gap in a running timer (``away.ClockWatch``):

        - ``keep``: the gap was work; nothing changes;
        - ``stop``: the session ends where the gap began (``gap.since_ms``);
        - ``split``: it ends there, and a new one on the same task starts now (the gap left out);
        - ``shift`` (the clock was set back): the session's start moves back by as much, so the
          time worked so far stays what it was.

        Only the session that ran across the gap (``session_id``) is changed, and only while it
        still runs here: a sync or another program may have stopped it, or started another,
        before the user answered. Returns the session as it ends or moves, or None."""
        if answer == "keep":
            return None
        if answer not in ("stop", "split", "shift"):
            raise ValueError(answer)
        with self._p.write() as (conn, outbox):
            running = running_session(conn, self._p.user_id)
            if running is None or session_id not in (None, running.id):
                return None
            now = self._p.clock.now_ms()
            if answer != "shift" and running.start_at > gap.since_ms:
                return None  # it began after the gap did: not the session asked about
            if answer == "shift":
                start = running.start_at + min(gap.shift_ms, 0)
                # An earlier start may now overlap the session before it: flagged, as any edit.
                flag = kept_review_flag(conn, running._replace(start_at=start), now)
                conn.execute(
                    "UPDATE session SET start_at = ?, updated_at = ?, needs_review = ? "
                    "WHERE id = ?",
                    (start, now, flag, running.id),
                )
                outbox.append(now, "session.edit", running.id, {"start_at": start}, running.version)
                return self._stopped(conn, running.id)
            self.stop_running_in(conn, outbox, at_ms=min(gap.since_ms, now))
            if answer == "split":  # on again from the end of the gap, not from the answer
                task = get_task(conn, running.task_id)
                self._start_in(conn, outbox, task, at_ms=max(gap.until_ms, gap.since_ms))
            return self._stopped(conn, running.id)

    # ---- helpers -------------------------------------------------------------------------

    def _require_running(self, conn: sqlite3.Connection) -> WorkSession:
        running = running_session(conn, self._p.user_id)
        if running is None:
            raise UserError("No timer is running.")
        return running

    def _stopped(self, conn: sqlite3.Connection, session_id: str) -> StopResult:
        row = conn.execute(
            f"SELECT {SESSION_COLUMNS} FROM session WHERE id = ?", (session_id,)
        ).fetchone()
        session = WorkSession._make(row)
        return StopResult(session, get_task(conn, session.task_id))

    @staticmethod
    def _last_session(conn: sqlite3.Connection, task_id: str) -> WorkSession | None:
        row = conn.execute(
            f"SELECT {SESSION_COLUMNS} FROM session WHERE task_id = ? AND deleted_at IS NULL "
            "ORDER BY start_at DESC LIMIT 1",
            (task_id,),
        ).fetchone()
        return None if row is None else WorkSession._make(row)


def insert_session(
    conn: sqlite3.Connection, outbox: MutationWriter, session: WorkSession, now_ms: int
) -> WorkSession:
    """Insert a session (flagged for review, see :func:`review_flag`) and its outbox row."""
    session = session._replace(needs_review=review_flag(conn, session, now_ms))
    try:
        conn.execute(
            f"INSERT INTO session({SESSION_COLUMNS}) VALUES ({', '.join('?' * 14)})", session
        )
    except sqlite3.IntegrityError as e:
        if "ux_session_one_running" in str(e) or "owner_user_id" in str(e):
            raise UserError("Another timer is already running; stop it first.") from e
        raise
    outbox.append(now_ms, "session.upsert", session.id, created_fields(session), 0)
    return session
