"""Reports: time per day and per task over a period, against targets, in the office zone.

Everything here is derived from stored instants. Sessions are split at midnight in the office
zone, so a session from 23.30 to 00.30 counts 30 minutes on each day. SQLite does the summing
over a covering index (``ix_session_owner_start``); Python only splits the rare sessions that
cross midnight and turns rows into lines. Rows are light tuples, not full records, so that an
all-time report over ten years stays small in memory.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple, TypeVar

from wfh_desktop.domain import ON_TARGET_SQL, on_target
from wfh_desktop.profile import Profile
from wfh_desktop.store.db import open_reader
from wfh_desktop.tasks import COLLEAGUES_MS_SQL, actual_ms
from wfh_desktop.timefmt import MS_PER_DAY, Zone, day_pieces, day_start_ms

T = TypeVar("T")

EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
NEVER = 2**62


class Period(NamedTuple):
    """Whole days ``first``..``last`` (inclusive) in the office zone; None = open-ended."""

    first: date | None
    last: date | None

    @property
    def all_time(self) -> bool:
        return self.first is None and self.last is None

    def bounds(self, z: Zone) -> tuple[int, int]:
        start = -NEVER if self.first is None else day_start_ms(self.first, z)
        end = NEVER if self.last is None else day_start_ms(self.last + timedelta(days=1), z)
        return start, end


class DayLine(NamedTuple):
    day: date
    worked_ms: int
    tasks: int


class TaskLine(NamedTuple):
    """One task in a report: its own time in the period and its actual time (everyone's)."""

    id: str
    title: str
    target_minutes: int
    status: str
    done_at: int | None
    created_at: int
    rhk: str | None
    output: str | None
    volume: float | None
    unit: str | None
    period_ms: int
    actual_ms: int

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    @property
    def on_target(self) -> bool:
        return on_target(self.status, self.actual_ms, self.target_minutes)


class Report(NamedTuple):
    period: Period
    zone: Zone
    days: list[DayLine]
    tasks: list[TaskLine]
    total_ms: int
    finished: int
    finished_on_target: int

    @property
    def on_target_rate(self) -> float | None:
        """Share of the tasks finished in the period that were on target (None: none finished)."""
        return _rate(self.finished_on_target, self.finished)


def _rate(hit: int, n: int) -> float | None:
    return hit / n if n else None


class MonthLine(NamedTuple):
    month: date  # its first day
    worked_ms: int
    days: int  # days with work
    finished: int  # tasks finished in the month
    finished_on_target: int

    @property
    def on_target_rate(self) -> float | None:
        return _rate(self.finished_on_target, self.finished)


class Summary(NamedTuple):
    """All time at a glance, one line per month. Years of history hold thousands of days and
    tens of thousands of tasks, too many to read one by one; ``build_report`` lists them."""

    months: list[MonthLine]
    total_ms: int
    finished: int
    finished_on_target: int

    @property
    def on_target_rate(self) -> float | None:
        return _rate(self.finished_on_target, self.finished)


# A session's length, counting a running one until now and never less than zero.
_LEN = "MAX(COALESCE(end_at, :now) - start_at, 0)"
_DAY = "(start_at + :off) / :day"
_END_DAY = "(COALESCE(end_at, :now) + :off) / :day"
_MINE = "deleted_at IS NULL AND owner_user_id = :user"
_DELETED_TASKS = "SELECT id FROM task WHERE deleted_at IS NOT NULL"
# Sessions that began before the period and reach into it: two branches, so that each can use
# ix_session_owner_end (an OR of the two would read all earlier history).
BEGAN_BEFORE_SQL = (
    "SELECT {cols} FROM session WHERE deleted_at IS NULL AND owner_user_id = :user "
    "AND end_at > :start AND +start_at < :start "
    f"AND task_id NOT IN ({_DELETED_TASKS}) "
    "UNION ALL "
    "SELECT {now_cols} FROM session WHERE deleted_at IS NULL AND owner_user_id = :user "
    "AND end_at IS NULL AND +start_at < :start "
    f"AND task_id NOT IN ({_DELETED_TASKS})"
)


# A task ``t`` finished in the period that is mine or that I worked on, before too: what the
# month's report, the all-time summary and the charts all count as finished.
FINISHED_IN_PERIOD_SQL = (
    "t.status = 'done' AND t.deleted_at IS NULL AND t.done_at >= :start AND t.done_at < :end "
    "AND (t.assignee_user_id = :user OR EXISTS (SELECT 1 FROM session s WHERE "
    "s.task_id = t.id AND s.deleted_at IS NULL AND +s.owner_user_id = :user))"
)


def _days(conn: sqlite3.Connection, q: dict[str, int | str]) -> list[DayLine]:
    per_day: dict[int, list[int]] = {
        d: [ms, n]
        for d, ms, n in conn.execute(
            f"SELECT {_DAY}, SUM({_LEN}), COUNT(DISTINCT task_id) FROM session "
            f"WHERE {_MINE} AND start_at >= :start AND start_at < :end AND {_DAY} = {_END_DAY} "
            f"AND task_id NOT IN ({_DELETED_TASKS}) GROUP BY 1",
            q,
        )
    }
    # Sessions that cross midnight, or began before the period: split here (they are few).
    pieces: dict[int, dict[str, int]] = {}
    for s, e, task_id in conn.execute(
        f"SELECT start_at, COALESCE(end_at, :now), task_id FROM session WHERE {_MINE} "
        f"AND start_at >= :start AND start_at < :end AND {_DAY} != {_END_DAY} "
        f"AND task_id NOT IN ({_DELETED_TASKS}) "
        "UNION ALL "
        + BEGAN_BEFORE_SQL.format(
            cols="start_at, end_at, task_id", now_cols="start_at, :now, task_id"
        ),
        q,
    ):
        s, e = max(s, int(q["start"])), min(e, int(q["end"]))
        for day, a, b in day_pieces(s, e, int(q["off"])):
            tasks = pieces.setdefault(day.toordinal() - EPOCH_ORDINAL, {})
            tasks[task_id] = tasks.get(task_id, 0) + b - a
    for dayn, tasks in pieces.items():
        # The day's task count must not count twice a task that also has in-day sessions.
        in_day = {
            row[0]
            for row in conn.execute(
                f"SELECT DISTINCT task_id FROM session WHERE {_MINE} "
                f"AND start_at >= :a AND start_at < :b AND {_DAY} = {_END_DAY} "
                f"AND task_id NOT IN ({_DELETED_TASKS})",
                q
                | {
                    "a": dayn * MS_PER_DAY - int(q["off"]),
                    "b": (dayn + 1) * MS_PER_DAY - int(q["off"]),
                },
            )
        }
        ms, _ = per_day.get(dayn, [0, 0])
        count = len(in_day | set(tasks)) if in_day else len(tasks)
        per_day[dayn] = [ms + sum(tasks.values()), count]
    return [
        DayLine(date.fromordinal(EPOCH_ORDINAL + d), ms, n)
        for d, (ms, n) in sorted(per_day.items())
        if ms > 0 or n > 0
    ]


_TASK_COLS = (
    "t.id, t.title, t.target_minutes, t.status, t.done_at, t.created_at, t.rhk, t.output, "
    "t.volume, t.unit"
)


def _sums_all_time(conn: sqlite3.Connection, q: dict[str, int | str]) -> tuple[str, str]:
    """SQL for a task ``t``'s time: mine, and everyone's (``"NULL"`` when that is mine: unless
    a colleague also worked in this profile's tasks, which only then is summed separately).
    Both sum over the covering ix_session_task."""
    others = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM session WHERE deleted_at IS NULL "
        "AND owner_user_id < :user) OR EXISTS (SELECT 1 FROM session "
        "WHERE deleted_at IS NULL AND owner_user_id > :user) "
        "OR EXISTS (SELECT 1 FROM task WHERE others_ms > 0 OR others_running > 0)",
        q,
    ).fetchone()[0]
    sums = f"(SELECT SUM({_LEN}) FROM session s WHERE s.task_id = t.id AND s.deleted_at IS NULL"
    colleagues = COLLEAGUES_MS_SQL.format(task_row="t")
    everyone = f"(COALESCE({sums}), 0) + {colleagues})" if others else "NULL"
    return f"COALESCE({sums} AND +s.owner_user_id = :user), 0)", everyone


def _tasks_all_time(conn: sqlite3.Connection, q: dict[str, int | str]) -> list[TaskLine]:
    # Every live task I worked on or that is mine, in creation order (ix_task_created).
    mine, everyone = _sums_all_time(conn, q)
    others = everyone != "NULL"
    cursor = conn.execute(
        f"SELECT {_TASK_COLS}, {mine}, {everyone}, t.assignee_user_id = :user FROM task t "
        "WHERE t.deleted_at IS NULL ORDER BY t.created_at, t.id",
        q,
    )
    user_rows = (r for r in cursor if r[10] > 0 or r[12])
    if others:
        return [TaskLine._make(r[:12]) for r in user_rows]
    return [TaskLine._make((*r[:11], r[10])) for r in user_rows]


def _tasks_in_period(conn: sqlite3.Connection, q: dict[str, int | str]) -> list[TaskLine]:
    clip = "MAX(MIN(COALESCE(end_at, :now), :end) - MAX(start_at, :start), 0)"
    rows = conn.execute(
        f"SELECT {_TASK_COLS}, SUM(s.mine) FROM ("
        f"SELECT task_id, SUM(ms) AS mine FROM ("
        f"SELECT task_id, {clip} AS ms FROM session WHERE {_MINE} "
        "AND start_at >= :start AND start_at < :end "
        f"UNION ALL {BEGAN_BEFORE_SQL.format(cols='task_id, ' + clip, now_cols='task_id, ' + clip)}"
        ") GROUP BY task_id "
        "UNION ALL "
        f"SELECT t.id, 0 FROM task t WHERE {FINISHED_IN_PERIOD_SQL}"
        ") s JOIN task t ON t.id = s.task_id WHERE t.deleted_at IS NULL "
        "GROUP BY t.id ORDER BY t.created_at, t.id",
        q,
    ).fetchall()
    actual = actual_ms(conn, [r[0] for r in rows], int(q["now"]))
    lines = [TaskLine._make((*r, actual.get(r[0], 0))) for r in rows]
    # A task counts when I worked on it in the period, or finished it then.
    start, end = int(q["start"]), int(q["end"])
    return [
        t for t in lines if t.period_ms > 0 or (t.done_at is not None and start <= t.done_at < end)
    ]


def _finished_per_day(
    conn: sqlite3.Connection, q: dict[str, int | str]
) -> list[tuple[date, int, int]]:
    """The tasks of _tasks_all_time that are done, counted per day of finishing inside SQLite
    (tens of thousands of tasks never become Python objects): (day, finished, on target)."""
    mine, everyone = _sums_all_time(conn, q)
    on_target = ON_TARGET_SQL.format(
        status="status", actual="mine" if everyone == "NULL" else "everyone", target="target"
    )
    return [
        (date.fromordinal(EPOCH_ORDINAL + d), n, hit)
        for d, n, hit in conn.execute(
            # LIMIT -1 keeps the inner query whole: flattened, each sum would run twice.
            f"SELECT (done_at + :off) / :day, COUNT(*), SUM({on_target}) FROM ("
            f"SELECT t.done_at AS done_at, t.status AS status, t.target_minutes AS target, "
            f"{mine} AS mine, "
            f"{everyone} AS everyone, t.assignee_user_id = :user AS assigned FROM task t "
            "WHERE t.deleted_at IS NULL AND t.status = 'done' AND t.done_at IS NOT NULL "
            "LIMIT -1) WHERE mine > 0 OR assigned GROUP BY 1",
            q,
        )
    ]


def period_query(profile: Profile, period: Period, z: Zone) -> dict[str, int | str]:
    """The parameters every report and statistic query binds: the period's bounds in the
    office zone, the zone's offset, now and the user."""
    start, end = period.bounds(z)
    return {
        "off": z.offset_ms,
        "day": MS_PER_DAY,
        "now": profile.clock.now_ms(),
        "user": profile.user_id,
        "start": start,
        "end": end,
    }


def _beside(
    conn: sqlite3.Connection,
    q: dict[str, int | str],
    first: Callable[[sqlite3.Connection, dict[str, int | str]], T],
) -> Callable[[], T]:
    """Start ``first`` on a second read-only connection in a worker thread and return what
    waits for its answer. SQLite lets go of the interpreter while it searches, so over a long
    history the per-day pass costs no time beside the per-task one (two cores)."""
    reader = open_reader(conn)
    if reader is None:
        answer = first(conn, q)
        return lambda: answer
    box: list[T] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            box.append(first(reader, q))
        except BaseException as e:  # handed to the waiting thread
            failed.append(e)
        finally:
            reader.close()

    worker = threading.Thread(target=work, name="wfh-report-days", daemon=True)
    worker.start()

    def wait() -> T:
        worker.join()
        if failed:
            raise failed[0]
        return box[0]

    return wait


def build_summary(profile: Profile, z: Zone) -> Summary:
    """All time per month, with the same totals as ``build_report``; a task counts in the
    month it was finished, as it does in that month's report."""
    q = period_query(profile, Period(None, None), z)
    days = _beside(profile.conn, q, _days)
    months: dict[date, list[int]] = {}
    for day, finished, hit in _finished_per_day(profile.conn, q):
        line = months.setdefault(day.replace(day=1), [0, 0, 0, 0])
        line[2] += finished
        line[3] += hit
    for d in days():
        line = months.setdefault(d.day.replace(day=1), [0, 0, 0, 0])
        line[0] += d.worked_ms
        line[1] += 1
    lines = [MonthLine(m, *sums) for m, sums in sorted(months.items())]
    return Summary(
        lines,
        sum(m.worked_ms for m in lines),
        sum(m.finished for m in lines),
        sum(m.finished_on_target for m in lines),
    )


def build_report(profile: Profile, period: Period, z: Zone) -> Report:
    q = period_query(profile, period, z)
    start, end = int(q["start"]), int(q["end"])
    wait_days = _beside(profile.conn, q, _days)
    tasks = (_tasks_all_time if period.all_time else _tasks_in_period)(profile.conn, q)
    days = wait_days()
    finished = [
        t for t in tasks if t.is_done and t.done_at is not None and start <= t.done_at < end
    ]
    return Report(
        period,
        z,
        days,
        tasks,
        sum(d.worked_ms for d in days),
        len(finished),
        sum(1 for t in finished if t.on_target),
    )


def period_for(
    today: date,
    *,
    day: date | None = None,
    week: date | None = None,
    month: date | None = None,
    first: date | None = None,
    last: date | None = None,
    all_time: bool = False,
) -> Period:
    """The period the user asked for; a week runs Monday to Sunday."""
    if all_time:
        return Period(None, None)
    if day is not None:
        return Period(day, day)
    if week is not None:
        monday = week - timedelta(days=week.weekday())
        return Period(monday, monday + timedelta(days=6))
    if month is not None:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return Period(month, nxt - timedelta(days=1))
    if first is not None or last is not None:
        return Period(first, last or max(today, first or today))
    return Period(today, today)
