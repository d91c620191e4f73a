"""The charts' numbers against hand-computed answers: days in WIB versus WIT, a colleague's
time on a shared task, the weekly on-target rate, the over-target distribution, and tracked
time beside the working calendar (a holiday, cuti bersama and a Ramadan week)."""

from __future__ import annotations

from datetime import date, datetime

from tests.conftest import MINUTE, MONDAY_0800_WIB
from tests.helpers.work import week_of_work
from wfh_desktop.sessions import SessionService
from wfh_desktop.stats import OVER_BINS, build_stats
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES
from wfh_desktop.timer import TimerService
from wfh_desktop.workcal import WorkCalendar

HOUR = 60 * MINUTE
WIB, WIT = ZONES["WIB"], ZONES["WIT"]
MONDAY, TUESDAY, SUNDAY = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 8)


def _stacks(stats):
    return {d.day: [(t.title, t.ms // MINUTE) for t in d.tasks] for d in stats.days if d.worked_ms}


def test_a_week_in_wib_stacks_my_time_per_day_and_task(profile, clock):
    week_of_work(profile, clock)
    stats = build_stats(profile, MONDAY, SUNDAY, WIB)
    assert [d.day for d in stats.days] == [date(2026, 11, n) for n in range(2, 9)]
    assert _stacks(stats) == {
        MONDAY: [("Laporan", 30), ("Rapat", 30), ("Kajian", 25)],  # the colleague's 10 left out
        TUESDAY: [("Rapat", 30)],
    }
    assert stats.total_ms == 115 * MINUTE


def test_in_wit_the_late_meeting_is_all_tuesday(profile, clock):
    week_of_work(profile, clock)
    stats = build_stats(profile, MONDAY, SUNDAY, WIT)
    assert _stacks(stats) == {
        MONDAY: [("Laporan", 30), ("Kajian", 25)],
        TUESDAY: [("Rapat", 60)],
    }


def test_actual_against_target_counts_everyone_and_the_rate_and_distribution_follow(profile, clock):
    week_of_work(profile, clock)
    stats = build_stats(profile, MONDAY, SUNDAY, WIB)
    assert [
        (t.title, t.mine_ms // MINUTE, t.actual_ms // MINUTE, t.target_minutes, t.on_target)
        for t in stats.tasks
    ] == [
        ("Rapat", 60, 60, 60, False),  # open: not on target, whatever its time
        ("Laporan", 30, 30, 30, True),
        ("Kajian", 25, 35, 30, False),  # 25 mine + 10 the colleague's
    ]
    assert [(w.monday, w.finished, w.on_target, w.rate) for w in stats.weeks] == [
        (MONDAY, 2, 1, 0.5)
    ]
    over = {(b.low_pct, b.high_pct): b.tasks for b in stats.over}
    assert over[(75, 100)] == 1  # Laporan: exactly on target
    assert over[(100, 125)] == 1  # Kajian: 117 %
    assert sum(over.values()) == 2 and len(stats.over) == len(OVER_BINS)


def test_a_month_has_every_week_that_touches_it_and_a_running_timer_counts(profile, clock):
    week_of_work(profile, clock)
    TimerService(profile).start_new("Surat", 15)
    clock.advance(20 * MINUTE)  # Thursday 08.00-08.20 WIB, still running
    stats = build_stats(profile, date(2026, 11, 1), date(2026, 11, 30), WIB)
    assert [w.monday.day for w in stats.weeks] == [26, 2, 9, 16, 23, 30]
    assert _stacks(stats)[date(2026, 11, 5)] == [("Surat", 20)]
    assert stats.on_target_rate == 0.5 and stats.finished == 2


def test_tracked_time_beside_the_working_calendar(profile, clock):
    week_of_work(profile, clock)
    calendar = WorkCalendar.load(language="id")
    stats = build_stats(profile, MONDAY, SUNDAY, WIB, calendar)
    assert stats.expected_ms == 5 * 450 * MINUTE  # 37.5 hours, Perpres 21/2023
    monday = stats.calendar[0]
    assert (monday.worked_ms // MINUTE, monday.expected_ms // MINUTE, monday.kind) == (
        85,
        450,
        "workday",
    )
    assert [c.kind for c in stats.calendar[5:]] == ["weekend", "weekend"]


def test_a_ramadan_week_with_nyepi_and_idul_fitri(profile, clock):
    """16-22/03/2026: Ramadan workdays of 390 minutes on Monday and Tuesday; cuti bersama on
    Wednesday (Nyepi) and Friday (Idul Fitri); Nyepi on Thursday; Idul Fitri on the weekend."""
    monday = date(2026, 3, 16)
    clock.set(int(datetime.fromisoformat("2026-03-23T08:00:00+07:00").timestamp() * 1000))
    stats = build_stats(profile, monday, date(2026, 3, 22), WIB, WorkCalendar.load(language="id"))
    assert [(c.kind, c.expected_ms // MINUTE) for c in stats.calendar] == [
        ("workday", 390),
        ("workday", 390),
        ("cuti_bersama", 0),
        ("holiday", 0),
        ("cuti_bersama", 0),
        ("holiday", 0),
        ("holiday", 0),
    ]
    assert stats.expected_ms == 780 * MINUTE and stats.total_ms == 0
    assert all(c.name for c in stats.calendar[2:])


def test_a_deleted_task_and_a_deleted_session_are_left_out(profile, clock):
    week_of_work(profile, clock)
    TaskService(profile).remove("Rapat")
    entry = SessionService(profile).log(MONDAY_0800_WIB, MONDAY_0800_WIB + HOUR)[0]
    SessionService(profile).remove(entry.session.id)
    stats = build_stats(profile, MONDAY, SUNDAY, WIB)
    assert _stacks(stats) == {MONDAY: [("Kajian", 25), ("Laporan", 10)]}


def test_a_day_holds_its_part_of_sessions_that_began_the_day_before(profile, clock):
    week_of_work(profile, clock)
    assert _stacks(build_stats(profile, TUESDAY, TUESDAY, WIB)) == {TUESDAY: [("Rapat", 30)]}
    # A timer started on Thursday at 23.50 and still running on Friday at 00.30.
    clock.set(MONDAY_0800_WIB + 3 * 24 * HOUR + 15 * HOUR + 50 * MINUTE)
    TimerService(profile).start_new("Lembur", 60)
    clock.advance(40 * MINUTE)
    friday = date(2026, 11, 6)
    assert _stacks(build_stats(profile, friday, friday, WIB)) == {friday: [("Lembur", 30)]}


def test_a_task_a_few_seconds_over_its_target_is_over_in_the_distribution_too(profile, clock):
    """The distribution and the on-target rate use one rule: 30 min 25 s on a 30-minute target
    is over, though it shows as 30 minutes."""
    clock.set(MONDAY_0800_WIB + 24 * HOUR)
    TaskService(profile).add("Surat", 30)
    SessionService(profile).add("Surat", MONDAY_0800_WIB, MONDAY_0800_WIB + 30 * MINUTE + 25_000)
    TaskService(profile).mark_done("Surat")
    stats = build_stats(profile, MONDAY, SUNDAY, WIB)
    assert stats.on_target_rate == 0
    assert [(b.low_pct, b.high_pct) for b in stats.over if b.tasks] == [(100, 125)]
