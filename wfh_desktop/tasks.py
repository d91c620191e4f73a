"""Tasks with time targets: add, edit, mark done, reopen, delete (soft) and restore."""

from __future__ import annotations

import itertools
import math
import sqlite3
from typing import Any, NamedTuple

from wfh_desktop.domain import TASK_COLUMNS, Task
from wfh_desktop.errors import UserError
from wfh_desktop.ids import uuid7
from wfh_desktop.lookup import find_task
from wfh_desktop.outbox import created_fields
from wfh_desktop.profile import PAUSED_KEY, Profile
from wfh_desktop.settings import validate_target

MAX_TITLE = 500
EDITABLE = ("title", "target_minutes", "rhk", "output", "volume", "unit")


def clean_title(title: str) -> str:
    text = " ".join(title.split())
    if not text:
        raise UserError("A task needs a title.")
    if len(text) > MAX_TITLE:
        raise UserError("A task title can have at most {n} characters.", n=MAX_TITLE)
    return text


def normalise_number(text: str) -> str:
    """``1.234,5`` (Indonesian) or ``1,234.5`` (English) as ``1234.5``. With one kind of mark
    only, a comma is a decimal comma, and a full stop followed by exactly three digits is a
    thousands mark in Indonesian (``1.000`` = 1000) and a decimal point in English."""
    from wfh_desktop.i18n import language

    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return text.replace(thousands, "").replace(decimal, ".")
    if "," in text:
        return text.replace(",", ".")
    head, _, tail = text.rpartition(".")
    if head and len(tail) == 3 and language() == "id":
        return text.replace(".", "")
    return text


def clean_volume(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(normalise_number(str(value).strip()))
    except ValueError:
        raise UserError("The volume must be a number, not {value!r}.", value=value) from None
    if not math.isfinite(number) or number < 0:
        raise UserError("The volume must be a number of zero or more, not {value!r}.", value=value)
    return number


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def clean_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable fields of a task; unknown names are a programming error."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            out[name] = clean_title(value)
        elif name == "target_minutes":
            out[name] = validate_target(value)
        elif name == "volume":
            out[name] = clean_volume(value)
        elif name in ("rhk", "output", "unit"):
            out[name] = clean_text(value)
        else:
            raise ValueError(name)
    return out


# A colleague's timer still running on a task counts until now, until the task was finished,
# and for at most this long (a colleague's computer asleep or offline since must not make the
# task grow without end).
RUNNING_CAP_MS = 16 * 3_600_000

# A task's colleagues' time, as the server sums it once the task was handed over, their timers
# still running on it counted as above (``:now``).
COLLEAGUES_MS_SQL = (
    "(COALESCE({task_row}.others_ms, 0) + MAX(MIN("
    "COALESCE({task_row}.others_running, 0) * MIN(:now, CASE WHEN {task_row}.status = 'done' "
    "THEN COALESCE({task_row}.done_at, :now) ELSE :now END) "
    "- COALESCE({task_row}.others_since, 0), "
    f"COALESCE({{task_row}}.others_running, 0) * {RUNNING_CAP_MS}), 0))"
)


def colleagues_running_ms(running: int, since: int, until: int) -> int:
    """The colleagues' running timers' time, as :data:`COLLEAGUES_MS_SQL` counts it."""
    return max(min(running * until - since, running * RUNNING_CAP_MS), 0)


def actual_ms(conn: sqlite3.Connection, task_ids: list[str], now_ms: int) -> dict[str, int]:
    """Each task's actual time: the sum of all its live sessions here, a running one counted
    until now (ix_session_task covers it), and the colleagues' time on it as the server sums
    it once it was handed over."""
    out = dict.fromkeys(task_ids, 0)
    for i in range(0, len(task_ids), 500):
        chunk = task_ids[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT task_id, SUM(MAX(COALESCE(end_at, ?) - start_at, 0)) FROM session "
            f"WHERE deleted_at IS NULL AND task_id IN ({marks}) GROUP BY task_id",
            [now_ms, *chunk],
        ).fetchall()
        out.update({task_id: int(total) for task_id, total in rows})
        shared = conn.execute(
            "SELECT id, COALESCE(others_ms, 0), COALESCE(others_running, 0), "
            "COALESCE(others_since, 0), CASE WHEN status = 'done' THEN done_at END "
            f"FROM task WHERE id IN ({marks}) AND (others_ms > 0 OR others_running > 0)",
            chunk,
        ).fetchall()
        for task_id, others, running, since, done_at in shared:
            until = now_ms if done_at is None else min(now_ms, int(done_at))
            out[task_id] += int(others) + colleagues_running_ms(int(running), int(since), until)
    return out


class TaskChange(NamedTuple):
    task: Task
    stopped_session_id: str | None = None


class TaskService:
    def __init__(self, profile: Profile) -> None:
        self._p = profile

    def find(self, ref: str, *, include_deleted: bool = False) -> Task:
        return find_task(self._p.conn, ref, include_deleted=include_deleted)

    def add(
        self,
        title: str,
        target_minutes: Any,
        *,
        rhk: str | None = None,
        output: str | None = None,
        volume: Any = None,
        unit: str | None = None,
    ) -> Task:
        fields = clean_fields(
            {
                "title": title,
                "target_minutes": target_minutes,
                "rhk": rhk,
                "output": output,
                "volume": volume,
                "unit": unit,
            }
        )
        with self._p.write() as (conn, outbox):
            return self.insert(conn, outbox, fields)

    def insert(self, conn: Any, outbox: Any, fields: dict[str, Any]) -> Task:
        """Insert a validated task inside an open write transaction."""
        now = self._p.clock.now_ms()
        task = Task(
            id=uuid7(now),
            title=fields["title"],
            target_minutes=fields["target_minutes"],
            rhk=fields.get("rhk"),
            output=fields.get("output"),
            volume=fields.get("volume"),
            unit=fields.get("unit"),
            status="open",
            done_at=None,
            assignee_user_id=self._p.user_id,
            created_at=now,
            updated_at=now,
            version=0,
            deleted_at=None,
        )
        conn.execute(f"INSERT INTO task({TASK_COLUMNS}) VALUES ({', '.join('?' * 14)})", task)
        outbox.append(now, "task.upsert", task.id, created_fields(task), 0)
        return task

    def list_tasks(
        self,
        *,
        status: str | None = None,
        include_deleted: bool = False,
        search: str | None = None,
        limit: int | None = None,
    ) -> list[Task]:
        """Open tasks first, newest first; ``search`` keeps the titles that hold it (any case)."""
        where = ["1 = 1"]
        args: list[Any] = []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if not include_deleted:
            where.append("deleted_at IS NULL")
        needle = " ".join((search or "").split()).casefold()
        rows = self._p.conn.execute(
            f"SELECT {TASK_COLUMNS} FROM task WHERE {' AND '.join(where)} "
            "ORDER BY status = 'done', created_at DESC",
            args,
        )
        tasks = (Task._make(r) for r in rows)
        if needle:
            # casefold in Python: SQLite's own case folding knows only ASCII letters.
            tasks = (t for t in tasks if needle in t.title.casefold())
        return list(itertools.islice(tasks, limit))

    def actual_ms(self, task_ids: list[str]) -> dict[str, int]:
        return actual_ms(self._p.conn, task_ids, self._p.clock.now_ms())

    def update_in(self, conn: Any, outbox: Any, task: Task, changes: dict[str, Any]) -> Task:
        """Write changed fields of a task and their outbox row, inside an open transaction."""
        now = self._p.clock.now_ms()
        changes = {k: v for k, v in changes.items() if getattr(task, k) != v}
        if not changes:
            return task
        sets = ", ".join(f"{k} = ?" for k in changes)
        conn.execute(
            f"UPDATE task SET {sets}, updated_at = ? WHERE id = ?",
            [*changes.values(), now, task.id],
        )
        outbox.append(now, "task.upsert", task.id, changes, task.version)
        return task._replace(**changes, updated_at=now)

    def edit(self, ref: str, **changes: Any) -> Task:
        fields = clean_fields({k: v for k, v in changes.items() if k in EDITABLE})
        with self._p.write() as (conn, outbox):
            task = find_task(conn, ref)
            return self.update_in(conn, outbox, task, fields)

    def mark_done(self, ref: str) -> TaskChange:
        """Mark a task done; a timer running on it stops now."""
        from wfh_desktop.timer import TimerService

        with self._p.write() as (conn, outbox):
            task = find_task(conn, ref)
            stopped = TimerService(self._p).stop_running_in(conn, outbox, only_task=task.id)
            if self._p.get_state(PAUSED_KEY) == task.id:
                self._p.set_state(conn, PAUSED_KEY, None)  # a finished task is not paused
            if task.is_done:
                return TaskChange(task, stopped)
            now = self._p.clock.now_ms()
            return TaskChange(
                self.update_in(conn, outbox, task, {"status": "done", "done_at": now}), stopped
            )

    def reopen(self, ref: str) -> Task:
        with self._p.write() as (conn, outbox):
            task = find_task(conn, ref, prefer=lambda t: t.is_done)
            return self.update_in(conn, outbox, task, {"status": "open", "done_at": None})

    def remove(self, ref: str) -> TaskChange:
        """Soft-delete a task (restorable); a timer running on it stops now."""
        from wfh_desktop.timer import TimerService

        with self._p.write() as (conn, outbox):
            task = find_task(conn, ref)
            timer = TimerService(self._p)
            stopped = timer.stop_running_in(conn, outbox, only_task=task.id)
            if self._p.get_state(PAUSED_KEY) == task.id:
                self._p.set_state(conn, PAUSED_KEY, None)
            now = self._p.clock.now_ms()
            conn.execute(
                "UPDATE task SET deleted_at = ?, updated_at = ? WHERE id = ?", (now, now, task.id)
            )
            outbox.append(now, "task.delete", task.id, {}, task.version)
            return TaskChange(task._replace(deleted_at=now, updated_at=now), stopped)

    def restore(self, ref: str) -> Task:
        with self._p.write() as (conn, outbox):
            task = find_task(
                conn, ref, include_deleted=True, prefer=lambda t: t.deleted_at is not None
            )
            if task.deleted_at is None:
                raise UserError(
                    "The task {title!r} is not deleted, so there is nothing to restore.",
                    title=task.title,
                )
            now = self._p.clock.now_ms()
            conn.execute(
                "UPDATE task SET deleted_at = NULL, updated_at = ? WHERE id = ?", (now, task.id)
            )
            outbox.append(now, "task.restore", task.id, {}, task.version)
            return task._replace(deleted_at=None, updated_at=now)
