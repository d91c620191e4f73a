"""Reports: time per day and per task over a period, against targets, in the office zone.

Everything here is derived from stored instants. Sessions are split at midnight in the office
zone, so a session from 23.30 to 00.30 counts 30 minutes on each day. The aggregation runs in SQL
for the common case (a session within one day) and in Python only for sessions that cross a day
boundary or began before the period.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from wfh_desktop.domain import TASK_COLUMNS, Task, on_target
from wfh_desktop.profile import Profile
from wfh_desktop.timefmt import MS_PER_DAY, Zone, day_of, day_start_ms

EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


class Period(NamedTuple):
    """Whole days ``first``..``last`` (inclusive) in the office zone; None first = all time."""

    first: date | None
    last: date | None

    def bounds(self, z: Zone) -> tuple[int, int]:
        start = -(2**62) if self.first is None else day_start_ms(self.first, z)
        end = 2**62 if self.last is None else day_start_ms(self.last + timedelta(days=1), z)
        return start, end


class DayLine(NamedTuple):
    day: date
    worked_ms: int
    tasks: int


class TaskLine(NamedTuple):
    task: Task
    period_ms: int
    actual_ms: int
    on_target: bool


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
        return self.finished_on_target / self.finished if self.finished else None


def build_report(profile: Profile, period: Period, z: Zone) -> Report:
    conn = profile.conn
    now = profile.clock.now_ms()
    user = profile.user_id
    start, end = period.bounds(z)
    off = z.offset_ms
    # day number (days since 1970-01-01 in the office zone) -> task id -> ms
    per_day: dict[int, dict[str, int]] = {}

    def add(dayn: int, task_id: str, ms: int) -> None:
        tasks = per_day.get(dayn)
        if tasks is None:
            per_day[dayn] = {task_id: ms}
        else:
            tasks[task_id] = tasks.get(task_id, 0) + ms

    # 1. Sessions inside one day of the period: aggregated by SQLite.
    for dayn, task_id, ms in conn.execute(
        "SELECT (start_at + :off) / :day, task_id, SUM(COALESCE(end_at, :now) - start_at) "
        "FROM session WHERE deleted_at IS NULL AND owner_user_id = :user "
        "AND start_at >= :start AND start_at < :end "
        "AND COALESCE(end_at, :now) >= start_at "
        "AND (start_at + :off) / :day = (COALESCE(end_at, :now) + :off) / :day "
        "GROUP BY 1, 2",
        {"off": off, "day": MS_PER_DAY, "now": now, "user": user, "start": start, "end": end},
    ):
        add(dayn, task_id, ms)
    # 2. Sessions that cross midnight, or began before the period: split in Python.
    crossing = conn.execute(
        "SELECT start_at, COALESCE(end_at, :now), task_id FROM session "
        "WHERE deleted_at IS NULL AND owner_user_id = :user "
        "AND start_at >= :start AND start_at < :end "
        "AND (start_at + :off) / :day != (COALESCE(end_at, :now) + :off) / :day "
        "UNION ALL "
        "SELECT start_at, COALESCE(end_at, :now), task_id FROM session "
        "WHERE deleted_at IS NULL AND owner_user_id = :user AND start_at < :start "
        "AND (end_at > :start OR end_at IS NULL)",
        {"off": off, "day": MS_PER_DAY, "now": now, "user": user, "start": start, "end": end},
    ).fetchall()
    for s, e, task_id in crossing:
        s, e = max(s, start), min(e, end)
        while s < e:
            dayn = (s + off) // MS_PER_DAY
            boundary = (dayn + 1) * MS_PER_DAY - off
            piece = min(e, boundary) - s
            add(dayn, task_id, piece)
            s += piece

    # Tasks worked in the period, and tasks finished in it.
    period_ms: dict[str, int] = {}
    for tasks in per_day.values():
        for task_id, ms in tasks.items():
            period_ms[task_id] = period_ms.get(task_id, 0) + ms
    finished_ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM task WHERE status = 'done' AND deleted_at IS NULL "
            "AND done_at >= ? AND done_at < ?",
            (start, end),
        )
    ]
    wanted = set(period_ms) | set(finished_ids)
    tasks_by_id = _tasks(profile, wanted)
    live = {tid for tid, t in tasks_by_id.items() if t.deleted_at is None}

    # Actual time is everyone's time on the task, all time; for an all-time report of one
    # person it is what we already summed, otherwise ask SQLite for those tasks only.
    if period.first is None and period.last is None:
        actual = dict(period_ms)
        missing = [t for t in live if t not in actual]
        actual.update(_actual(profile, missing, now))
    else:
        actual = _actual(profile, sorted(live), now)

    lines = [
        TaskLine(
            tasks_by_id[tid],
            period_ms.get(tid, 0),
            actual.get(tid, 0),
            on_target(tasks_by_id[tid], actual.get(tid, 0)),
        )
        for tid in live
    ]
    lines.sort(key=lambda line: (line.task.created_at, line.task.id))
    days = []
    for dayn in sorted(per_day):
        tasks = {tid: ms for tid, ms in per_day[dayn].items() if tid in live}
        if tasks:
            days.append(
                DayLine(date.fromordinal(EPOCH_ORDINAL + dayn), sum(tasks.values()), len(tasks))
            )
    finished = [tasks_by_id[t] for t in finished_ids if t in live]
    hit = sum(1 for t in finished if on_target(t, actual.get(t.id, 0)))
    return Report(period, z, days, lines, sum(d.worked_ms for d in days), len(finished), hit)


def _tasks(profile: Profile, ids: set[str]) -> dict[str, Task]:
    out: dict[str, Task] = {}
    id_list = sorted(ids)
    for i in range(0, len(id_list), 500):
        chunk = id_list[i : i + 500]
        for row in profile.conn.execute(
            f"SELECT {TASK_COLUMNS} FROM task WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        ):
            out[row[0]] = Task._make(row)
    return out


def _actual(profile: Profile, ids: list[str], now: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for task_id, total in profile.conn.execute(
            "SELECT task_id, SUM(MAX(COALESCE(end_at, ?) - start_at, 0)) FROM session "
            f"WHERE deleted_at IS NULL AND task_id IN ({', '.join('?' * len(chunk))}) "
            "GROUP BY task_id",
            [now, *chunk],
        ):
            out[task_id] = int(total)
    return out


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


def today_in(profile: Profile, z: Zone) -> date:
    return day_of(profile.clock.now_ms(), z)
