"""What the desktop app reads: the timer, today's tasks in the office zone, recent tasks."""

from __future__ import annotations

from tests.conftest import MINUTE, MONDAY_0800_WIB
from wfh_desktop.profile import Profile
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES
from wfh_desktop.timer import TimerService
from wfh_desktop.today import data_version, read_today, recent_tasks, search_tasks

HOUR = 60 * MINUTE
WIB, WIT = ZONES["WIB"], ZONES["WIT"]


def test_today_holds_what_was_worked_or_made_today_and_the_running_task(profile, clock):
    tasks, sessions = TaskService(profile), SessionService(profile)
    clock.set(MONDAY_0800_WIB - 24 * HOUR)
    tasks.add("Kemarin", 30)
    clock.advance(20 * MINUTE)
    sessions.add("Kemarin", clock.now_ms() - 20 * MINUTE, clock.now_ms())
    tasks.add("Kemarin juga, lanjut hari ini", 60)
    clock.set(MONDAY_0800_WIB)
    sessions.add("Kemarin juga, lanjut hari ini", clock.now_ms() - 2 * HOUR,
                 clock.now_ms() - HOUR)  # fmt: skip
    tasks.add("Baru hari ini", 15)
    TimerService(profile).start("Kemarin")  # yesterday's task, running now
    clock.advance(10 * MINUTE)
    today = read_today(profile, WIB)
    titles = [p.task.title for p in today.tasks]
    assert titles == ["Kemarin", "Kemarin juga, lanjut hari ini", "Baru hari ini"]
    by_title = {p.task.title: p for p in today.tasks}
    assert by_title["Kemarin"].running and by_title["Kemarin"].actual_ms == 30 * MINUTE
    assert by_title["Kemarin"].actual_at(today.read_ms, today.read_ms + MINUTE) == 31 * MINUTE
    assert not by_title["Baru hari ini"].running
    assert today.timer_actual_at(today.read_ms + 5 * MINUTE) == 35 * MINUTE


def test_today_is_the_office_zones_day(profile, clock):
    # 06.00 WIB Monday is 08.00 WIT Monday; 23.30 WIB Sunday is 01.30 WIT Monday.
    tasks, sessions = TaskService(profile), SessionService(profile)
    clock.set(MONDAY_0800_WIB - 8 * HOUR - 30 * MINUTE)
    tasks.add("Minggu malam", 30)
    clock.advance(20 * MINUTE)
    sessions.add("Minggu malam", clock.now_ms() - 20 * MINUTE, clock.now_ms())
    clock.set(MONDAY_0800_WIB)
    assert [p.task.title for p in read_today(profile, WIB).tasks] == []
    assert [p.task.title for p in read_today(profile, WIT).tasks] == ["Minggu malam"]


def test_recent_tasks_newest_first_without_done_or_deleted(profile, clock):
    timer, tasks = TimerService(profile), TaskService(profile)
    for n in range(8):
        timer.start_new(f"Tugas {n}", 15)
        clock.advance(MINUTE)
    timer.stop()
    tasks.mark_done("Tugas 7")
    tasks.remove("Tugas 6")
    assert [t.title for t in recent_tasks(profile)] == [f"Tugas {n}" for n in (5, 4, 3, 2, 1)]


def test_recent_tasks_include_new_tasks_never_started(profile, clock):
    TaskService(profile).add("Belum dimulai", 30)
    assert [t.title for t in recent_tasks(profile)] == ["Belum dimulai"]


def test_search_ignores_case_in_any_script_and_puts_recent_first(profile, clock):
    tasks = TaskService(profile)
    tasks.add("ÉTUDE laporan", 30)
    clock.advance(MINUTE)
    tasks.add("Laporan kegiatan", 30)
    clock.advance(MINUTE)
    tasks.add("Rapat", 30)
    TimerService(profile).start("ÉTUDE laporan")
    TimerService(profile).stop()
    assert [t.title for t in search_tasks(profile, "étude")] == ["ÉTUDE laporan"]
    assert [t.title for t in search_tasks(profile, "  LAPORAN ")] == [
        "ÉTUDE laporan",  # worked on recently
        "Laporan kegiatan",
    ]
    assert [t.title for t in search_tasks(profile, "100%")] == []


def test_data_version_moves_when_another_program_writes(profile, db_path, clock):
    before = data_version(profile)
    other = Profile.open(db_path, clock)
    try:
        TaskService(other).add("Dari wfh", 30)
    finally:
        other.close()
    assert data_version(profile) != before
    same = data_version(profile)
    TaskService(profile).add("Dari aplikasi sendiri", 30)
    assert data_version(profile) == same  # own writes are seen without it
