"""What the desktop app shows: the timer, today's tasks against their targets, recent tasks.

One read gives the whole picture (:func:`read_today`), taken at one instant; screens count on
from it with the clock between reads, so a display refresh never touches the database. Stays
fast over a long history: recent tasks come from the newest sessions (ix_session_owner_start,
read backwards), today's from that day's sessions.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from wfh_desktop.domain import TASK_COLUMNS, Task
from wfh_desktop.profile import Profile
from wfh_desktop.tasks import TaskService, actual_ms
from wfh_desktop.timefmt import MS_PER_DAY, Zone, day_of, day_start_ms
from wfh_desktop.timer import Status, TimerService

RECENT_TASKS = 5
_RECENT_SCAN = 200  # newest sessions looked at for recent tasks


def counted_on(actual_ms: int, running: bool, read_ms: int, now_ms: int) -> int:
    """A time read at ``read_ms``, at ``now_ms``: it grows while its timer runs."""
    return actual_ms + (max(now_ms - read_ms, 0) if running else 0)


class TaskProgress(NamedTuple):
    """A task and its actual time (everyone's) at the moment of the read."""

    task: Task
    actual_ms: int
    running: bool

    def actual_at(self, read_ms: int, now_ms: int) -> int:
        """The actual time at ``now_ms``, counting on from the read while it runs."""
        return counted_on(self.actual_ms, self.running, read_ms, now_ms)


class Today(NamedTuple):
    status: Status
    tasks: list[TaskProgress]  # worked on today, made today, or running or paused; oldest first
    recent: list[Task]  # open tasks most recently worked on, newest first
    zone: Zone

    @property
    def read_ms(self) -> int:
        return self.status.now_ms

    def timer_actual_at(self, now_ms: int) -> int:
        """The running (or paused) task's actual time at ``now_ms``."""
        st = self.status
        return counted_on(st.task_actual_ms, st.running is not None, st.now_ms, now_ms)


def _tasks(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Task]:
    if not ids:
        return {}
    rows = conn.execute(
        f"SELECT {TASK_COLUMNS} FROM task WHERE id IN ({', '.join('?' * len(ids))})", ids
    ).fetchall()
    return {r[0]: Task._make(r) for r in rows}


def recent_tasks(profile: Profile, limit: int = RECENT_TASKS) -> list[Task]:
    """Open tasks I worked on most recently, newest first; then my newest open tasks."""
    conn = profile.conn
    worked = conn.execute(
        "SELECT task_id FROM session WHERE owner_user_id = ? AND deleted_at IS NULL "
        "ORDER BY start_at DESC LIMIT ?",
        (profile.user_id, _RECENT_SCAN),
    )
    newest = conn.execute(
        "SELECT id FROM task WHERE deleted_at IS NULL AND status = 'open' "
        "AND assignee_user_id = ? ORDER BY created_at DESC LIMIT ?",
        (profile.user_id, limit),
    )
    # Each id once, in this order (a dict keeps the first place of each).
    ids = list(dict.fromkeys(row[0] for row in [*worked, *newest]))
    tasks = _tasks(conn, ids)
    found = [tasks[i] for i in ids if i in tasks]
    return [t for t in found if t.deleted_at is None and not t.is_done][:limit]


def search_tasks(profile: Profile, text: str, limit: int = 50) -> list[Task]:
    """Open tasks whose title holds ``text`` (any case, any script), recent ones first, then
    the newest."""
    needle = " ".join(text.split()).casefold()
    recent = [t for t in recent_tasks(profile, limit) if needle in t.title.casefold()]
    seen = {t.id for t in recent}
    found = TaskService(profile).list_tasks(status="open", search=text, limit=limit + len(seen))
    return (recent + [t for t in found if t.id not in seen])[:limit]


def read_today(profile: Profile, z: Zone) -> Today:
    """The timer, today's tasks (in the office zone) and the recent tasks, read at one instant."""
    status = TimerService(profile).status()
    now = status.now_ms
    start = day_start_ms(day_of(now, z), z)
    conn = profile.conn
    ids = [
        row[0]
        for row in conn.execute(
            # Sessions that end today (ix_session_owner_end) or run, and tasks made today.
            "SELECT task_id FROM session WHERE owner_user_id = :user AND deleted_at IS NULL "
            "AND end_at > :start AND +start_at < :end "
            "UNION SELECT task_id FROM session WHERE owner_user_id = :user "
            "AND deleted_at IS NULL AND end_at IS NULL "
            "UNION SELECT id FROM task WHERE deleted_at IS NULL AND assignee_user_id = :user "
            "AND created_at >= :start AND created_at < :end",
            {"user": profile.user_id, "start": start, "end": start + MS_PER_DAY},
        )
    ]
    if status.task is not None and status.task.id not in ids:
        ids.append(status.task.id)
    tasks = _tasks(conn, ids)
    actual = actual_ms(conn, list(tasks), now)
    running_id = status.running.task_id if status.running is not None else None
    lines = sorted(
        (
            TaskProgress(t, actual.get(t.id, 0), t.id == running_id)
            for t in tasks.values()
            if t.deleted_at is None
        ),
        key=lambda p: (p.task.created_at, p.task.id),
    )
    return Today(status, lines, recent_tasks(profile), z)


def data_version(profile: Profile) -> int:
    """Changes whenever another connection (the ``wfh`` command, another app) commits."""
    return int(profile.conn.execute("PRAGMA data_version").fetchone()[0])
