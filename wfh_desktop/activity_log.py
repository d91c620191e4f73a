"""The daily activity log: one line per stretch of work, shaped like the entries agencies keep
(``DOMAIN.md``: NIP, name, unit, date, start, end, minutes, activity, RHK, output, volume,
unit, target, on target, handed over from and to).

Only this person's own sessions are listed (a colleague's minutes on a shared task stay with
the colleague); whether a task finished on target is judged for the task as a whole, with
everyone's time. A session that crosses midnight in the office zone is one line on each day.
Minutes are rounded as each day's running total is (so a line may show a minute more or less
than its own length), and totals are the sums of the lines: a printed page adds up, and a day's
minutes equal the reports' for that day.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from wfh_desktop.handoffs import who
from wfh_desktop.profile import Profile, sync_meta
from wfh_desktop.reports import Period
from wfh_desktop.tasks import actual_ms
from wfh_desktop.timefmt import MS_PER_MINUTE, Zone, day_of, day_pieces, round_minutes


class Person(NamedTuple):
    """Who the log is about, as the agency's server knows them (empty before signing in)."""

    nip: str | None
    name: str | None
    unit: str | None


class Entry(NamedTuple):
    day: date
    start_ms: int
    end_ms: int | None  # None: still running (counted until the log was made)
    minutes: int
    task_id: str
    task: str
    rhk: str | None
    output: str | None
    volume: float | None
    output_unit: str | None
    target_minutes: int
    task_status: str  # open | done
    on_target: bool | None  # None: the task is not finished, so not judged yet
    handed_from: str | None
    handed_to: str | None
    note: str | None


class ActivityLog(NamedTuple):
    person: Person
    first: date
    last: date
    zone: Zone
    made_at_ms: int
    entries: list[Entry]

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)

    @property
    def days_worked(self) -> int:
        return len({e.day for e in self.entries})

    @property
    def tasks(self) -> int:
        return len({e.task_id for e in self.entries})

    def per_day(self) -> list[tuple[date, int]]:
        """Minutes per day with work, in order."""
        days: dict[date, int] = {}
        for e in self.entries:
            days[e.day] = days.get(e.day, 0) + e.minutes
        return sorted(days.items())


def person_of(conn: sqlite3.Connection) -> Person:
    return Person(
        sync_meta(conn, "account_nip"),
        sync_meta(conn, "account_name"),
        sync_meta(conn, "account_unit"),
    )


class _Handed(NamedTuple):
    at: int
    from_user: str
    to_user: str
    giver: str
    taker: str


def _handoffs(conn: sqlite3.Connection, task_ids: list[str]) -> dict[str, list[_Handed]]:
    """Each task's handoffs that happened (a declined one sent the task straight back)."""
    out: dict[str, list[_Handed]] = {}
    for i in range(0, len(task_ids), 500):
        chunk = task_ids[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        for task_id, at, from_user, to_user, from_name, from_nip, to_name, to_nip in conn.execute(
            "SELECT task_id, at, from_user, to_user, from_name, from_nip, to_name, to_nip "
            f"FROM handoff WHERE status != 'declined' AND task_id IN ({marks}) ORDER BY at",
            chunk,
        ):
            out.setdefault(task_id, []).append(
                _Handed(at, from_user, to_user, who(from_name, from_nip), who(to_name, to_nip))
            )
    return out


def _handed_from(handed: list[_Handed], me: str, start_ms: int) -> str | None:
    """Who gave me this task before this stretch of work (the latest such handoff)."""
    giver = None
    for h in handed:
        if h.at > start_ms:
            break
        if h.to_user == me:
            giver = h.giver
    return giver


def _handed_to(handed: list[_Handed], me: str, end_ms: int) -> str | None:
    """Whom I handed this task to after this stretch of work (the first such handoff)."""
    for h in handed:
        if h.at >= end_ms and h.from_user == me:
            return h.taker
    return None


def build_log(profile: Profile, first: date, last: date, z: Zone) -> ActivityLog:
    """The log of the whole days ``first``..``last`` in the office zone."""
    conn = profile.conn
    now = profile.clock.now_ms()
    start, end = Period(first, last).bounds(z)
    me = sync_meta(conn, "account_user_id") or profile.user_id
    rows = conn.execute(
        "SELECT s.start_at, s.end_at, s.note, t.id, t.title, t.rhk, t.output, t.volume, "
        "t.unit, t.target_minutes, t.status FROM session s JOIN task t ON t.id = s.task_id "
        "WHERE s.deleted_at IS NULL AND t.deleted_at IS NULL AND s.owner_user_id = ? "
        "AND s.start_at < ? AND COALESCE(s.end_at, ?) > ? ORDER BY s.start_at, s.id",
        (profile.user_id, end, now, start),
    ).fetchall()
    task_ids = sorted({r[3] for r in rows})
    actual = actual_ms(conn, task_ids, now)
    handed = _handoffs(conn, task_ids)
    entries: list[Entry] = []
    # Minutes are rounded as the day's running total is, so that a day's lines add up to its
    # time rounded once (as the reports show it), however many short stretches it had.
    day_ms: dict[date, int] = {}
    for s_start, s_end, note, task_id, title, rhk, output, volume, unit, target, status in rows:
        done = status == "done"
        judged = (actual.get(task_id, 0) <= target * MS_PER_MINUTE) if done else None
        h = handed.get(task_id, [])
        came_from = _handed_from(h, me, s_start) if h else None
        went_to = _handed_to(h, me, s_end if s_end is not None else now) if h else None
        # One line per day the stretch touches (midnight in the office zone splits it); a
        # stretch of no time is one line too.
        a, b = max(s_start, start), min(now if s_end is None else s_end, end)
        for day, piece_start, piece_end in list(day_pieces(a, b, z.offset_ms)) or [
            (day_of(a, z), a, a)
        ]:
            before = day_ms.get(day, 0)
            day_ms[day] = before + piece_end - piece_start
            entries.append(
                Entry(
                    day,
                    piece_start,
                    None if s_end is None and piece_end == now else piece_end,
                    round_minutes(day_ms[day]) - round_minutes(before),
                    task_id,
                    title,
                    rhk,
                    output,
                    volume,
                    unit,
                    target,
                    status,
                    judged,
                    came_from,
                    went_to,
                    note,
                )
            )
    return ActivityLog(person_of(conn), first, last, z, now, entries)
