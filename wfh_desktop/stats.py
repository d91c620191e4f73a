"""Personal statistics for the charts: where my time went, day by day and task by task, how
often I finish on target, how far over target tasks run, and the hours I tracked beside the
working calendar's expected hours (information, never a verdict).

All of it is computed here, in the core; the charts draw these numbers and compute nothing.
Days are days in the office zone: a session across midnight counts on each day. My time is my
own sessions; a task's actual time, and so whether it finished on target, is everyone's.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from wfh_desktop.domain import on_target
from wfh_desktop.profile import Profile
from wfh_desktop.reports import (
    BEGAN_BEFORE_SQL,
    EPOCH_ORDINAL,
    FINISHED_IN_PERIOD_SQL,
    Period,
    period_query,
)
from wfh_desktop.tasks import actual_ms
from wfh_desktop.timefmt import MS_PER_DAY, MS_PER_MINUTE, Zone, day_pieces

if TYPE_CHECKING:
    from wfh_desktop.workcal import WorkCalendar

# How far over target a finished task ran: actual time as a share of the target, in bins
# (lower bound exclusive, upper bound inclusive; None: no bound). A task is on target exactly
# when it falls in a bin up to 100 %, by the same rule as the on-target rate.
OVER_BINS: tuple[tuple[int | None, int | None], ...] = (
    (None, 50),
    (50, 75),
    (75, 100),
    (100, 125),
    (125, 150),
    (150, 200),
    (200, None),
)


class TaskTime(NamedTuple):
    task_id: str
    title: str
    ms: int


class DayStack(NamedTuple):
    """My time on one day, per task (largest first)."""

    day: date
    worked_ms: int
    tasks: list[TaskTime]


class TaskVsTarget(NamedTuple):
    task_id: str
    title: str
    target_minutes: int
    mine_ms: int  # my time on it in the period
    actual_ms: int  # everyone's, all time: what its target is judged against
    status: str
    on_target: bool  # done and within target

    @property
    def ratio(self) -> float:
        """Actual time as a share of the target (1.0 = exactly on target)."""
        return self.actual_ms / (self.target_minutes * MS_PER_MINUTE)


class WeekRate(NamedTuple):
    monday: date
    finished: int
    on_target: int

    @property
    def rate(self) -> float | None:
        return self.on_target / self.finished if self.finished else None


class OverBin(NamedTuple):
    low_pct: int | None
    high_pct: int | None
    tasks: int


class CalendarDay(NamedTuple):
    day: date
    worked_ms: int
    expected_ms: int
    kind: str  # workday, weekend, holiday, cuti_bersama ("" without a calendar)
    name: str | None  # the holiday's name


class Stats(NamedTuple):
    first: date
    last: date
    zone: Zone
    days: list[DayStack]  # every day of the period, empty ones too
    tasks: list[TaskVsTarget]  # tasks I worked on in the period, most of my time first
    weeks: list[WeekRate]  # every week (Monday) that touches the period
    over: list[OverBin]  # the tasks finished in the period, by actual / target
    calendar: list[CalendarDay]  # every day, with the working calendar's expected time
    total_ms: int
    expected_ms: int

    @property
    def finished(self) -> int:
        return sum(w.finished for w in self.weeks)

    @property
    def finished_on_target(self) -> int:
        return sum(w.on_target for w in self.weeks)

    @property
    def on_target_rate(self) -> float | None:
        n = self.finished
        return self.finished_on_target / n if n else None


_LEN = "MAX(MIN(COALESCE(end_at, :now), :end) - MAX(start_at, :start), 0)"
_DAY = "(start_at + :off) / :day"
_END_DAY = "(COALESCE(end_at, :now) - 1 + :off) / :day"
_MINE = (
    "deleted_at IS NULL AND owner_user_id = :user "
    "AND task_id NOT IN (SELECT id FROM task WHERE deleted_at IS NOT NULL)"
)


def _per_day_task(conn: sqlite3.Connection, q: dict[str, int | str]) -> dict[int, dict[str, int]]:
    """My ms per (day number, task) in the period; SQLite sums the sessions inside one day,
    Python splits the few that cross midnight or began before the period."""
    out: dict[int, dict[str, int]] = {}
    for dayn, task_id, ms in conn.execute(
        f"SELECT {_DAY}, task_id, SUM({_LEN}) FROM session WHERE {_MINE} "
        "AND start_at >= :start AND start_at < :end "
        f"AND {_DAY} = {_END_DAY} GROUP BY 1, 2",
        q,
    ):
        out.setdefault(dayn, {})[task_id] = ms
    off, start, end = int(q["off"]), int(q["start"]), int(q["end"])
    for s, e, task_id in conn.execute(
        f"SELECT start_at, COALESCE(end_at, :now), task_id FROM session WHERE {_MINE} "
        f"AND start_at >= :start AND start_at < :end AND {_DAY} != {_END_DAY} "
        "UNION ALL "
        + BEGAN_BEFORE_SQL.format(
            cols="start_at, end_at, task_id", now_cols="start_at, :now, task_id"
        ),
        q,
    ):
        for day, a, b in day_pieces(max(s, start), min(e, end), off):
            tasks = out.setdefault(day.toordinal() - EPOCH_ORDINAL, {})
            tasks[task_id] = tasks.get(task_id, 0) + b - a
    return out


def _finished(conn: sqlite3.Connection, q: dict[str, int | str]) -> list[tuple[str, int, int]]:
    """Tasks finished in the period that are mine or that I worked on: (id, done_at, target)."""
    return [
        (task_id, done_at, target)
        for task_id, done_at, target in conn.execute(
            f"SELECT t.id, t.done_at, t.target_minutes FROM task t WHERE {FINISHED_IN_PERIOD_SQL}",
            q,
        )
    ]


def _bin_of(spent_ms: int, target_ms: int) -> int:
    """The bin of a task's actual time against its target, compared exactly (no rounding)."""
    for i, (low, high) in enumerate(OVER_BINS):
        above = low is None or spent_ms * 100 > low * target_ms
        within = high is None or spent_ms * 100 <= high * target_ms
        if above and within:
            return i
    return len(OVER_BINS) - 1


def build_stats(
    profile: Profile, first: date, last: date, z: Zone, calendar: WorkCalendar | None = None
) -> Stats:
    """The statistics of the whole days ``first``..``last`` in the office zone."""
    conn = profile.conn
    q = period_query(profile, Period(first, last), z)
    per_day = _per_day_task(conn, q)
    mine: dict[str, int] = {}
    for tasks in per_day.values():
        for task_id, ms in tasks.items():
            mine[task_id] = mine.get(task_id, 0) + ms
    finished = _finished(conn, q)
    ids = sorted(set(mine) | {f[0] for f in finished})
    info: dict[str, tuple[str, int, str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for task_id, title, target, status in conn.execute(
            "SELECT id, title, target_minutes, status FROM task "
            f"WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            info[task_id] = (title, target, status)
    actual = actual_ms(conn, ids, int(q["now"]))

    days: list[DayStack] = []
    n_first = first.toordinal() - EPOCH_ORDINAL
    for dayn in range(n_first, last.toordinal() - EPOCH_ORDINAL + 1):
        tasks = per_day.get(dayn, {})
        stack = sorted(
            (TaskTime(t, info[t][0], ms) for t, ms in tasks.items() if ms > 0 and t in info),
            key=lambda x: (-x.ms, x.title),
        )
        days.append(
            DayStack(date.fromordinal(EPOCH_ORDINAL + dayn), sum(x.ms for x in stack), stack)
        )

    vs = [
        TaskVsTarget(
            t,
            info[t][0],
            info[t][1],
            ms,
            actual.get(t, 0),
            info[t][2],
            on_target(info[t][2], actual.get(t, 0), info[t][1]),
        )
        for t, ms in mine.items()
        if ms > 0 and t in info
    ]
    vs.sort(key=lambda x: (-x.mine_ms, x.title))

    monday = first - timedelta(days=first.weekday())
    weeks: dict[date, list[int]] = {}
    while monday <= last:
        weeks[monday] = [0, 0]
        monday += timedelta(days=7)
    over = [0] * len(OVER_BINS)
    for task_id, done_at, target in finished:
        done_day = date.fromordinal(EPOCH_ORDINAL + (done_at + z.offset_ms) // MS_PER_DAY)
        week = weeks[done_day - timedelta(days=done_day.weekday())]
        week[0] += 1
        spent = actual.get(task_id, 0)
        if spent <= target * MS_PER_MINUTE:
            week[1] += 1
        over[_bin_of(spent, target * MS_PER_MINUTE)] += 1

    cal: list[CalendarDay] = []
    for d in days:
        if calendar is None:
            cal.append(CalendarDay(d.day, d.worked_ms, 0, "", None))
        else:
            wd = calendar.day(d.day)
            expected = wd.expected_minutes * MS_PER_MINUTE
            cal.append(CalendarDay(d.day, d.worked_ms, expected, wd.kind, wd.name))
    return Stats(
        first,
        last,
        z,
        days,
        vs,
        [WeekRate(m, f, hit) for m, (f, hit) in weeks.items()],
        [OverBin(low, high, n) for (low, high), n in zip(OVER_BINS, over, strict=True)],
        cal,
        sum(d.worked_ms for d in days),
        sum(c.expected_ms for c in cal),
    )
