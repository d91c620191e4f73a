"""The activity log behind the exports: my own lines only, split at midnight in the office
zone, minutes per line adding up to the totals, on target judged for the whole task."""

from __future__ import annotations

from datetime import date

from tests.conftest import MINUTE, MONDAY_0800_WIB
from tests.helpers.work import week_of_work
from wfh_desktop.activity_log import build_log, person_of
from wfh_desktop.reports import Period, build_report
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES, round_minutes
from wfh_desktop.timer import TimerService

HOUR = 60 * MINUTE
WIB, WIT = ZONES["WIB"], ZONES["WIT"]
MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)


def _lines(log):
    return [
        (e.day, e.task, e.minutes, e.on_target, e.end_ms is None)
        for e in log.entries
    ]  # fmt: skip


def test_a_week_in_wib_splits_the_midnight_session_and_leaves_out_the_colleagues_time(
    profile, clock
):
    week_of_work(profile, clock)
    log = build_log(profile, MONDAY, MONDAY + (TUESDAY - MONDAY) * 6, WIB)
    assert _lines(log) == [
        (MONDAY, "Laporan", 20, True, False),
        (MONDAY, "Laporan", 10, True, False),
        (MONDAY, "Kajian", 25, False, False),  # 25 mine + 10 the colleague's > 30
        (MONDAY, "Rapat", 30, None, False),  # open: not judged
        (TUESDAY, "Rapat", 30, None, False),
    ]
    assert log.total_minutes == 115 and log.days_worked == 2 and log.tasks == 3
    assert log.per_day() == [(MONDAY, 85), (TUESDAY, 30)]
    first = log.entries[0]
    assert (first.rhk, first.output, first.volume, first.output_unit, first.note) == (
        "RHK 1",
        "Laporan",
        1.5,
        "dokumen",
        "draf",
    )
    # The midnight line ends at midnight WIB and the next begins there.
    assert log.entries[3].end_ms == log.entries[4].start_ms


def test_in_wit_the_late_session_is_one_line_on_tuesday(profile, clock):
    week_of_work(profile, clock)
    log = build_log(profile, MONDAY, TUESDAY, WIT)
    assert [(e.day, e.task, e.minutes) for e in log.entries if e.task == "Rapat"] == [
        (TUESDAY, "Rapat", 60)
    ]


def test_one_day_holds_only_its_part_and_a_running_timer_counts_until_now(profile, clock):
    week_of_work(profile, clock)
    tuesday = build_log(profile, TUESDAY, TUESDAY, WIB)
    assert _lines(tuesday) == [(TUESDAY, "Rapat", 30, None, False)]
    TimerService(profile).start_new("Surat", 30)
    clock.advance(7 * MINUTE + 31_000)
    today = build_log(profile, date(2026, 11, 5), date(2026, 11, 5), WIB)
    assert _lines(today) == [(date(2026, 11, 5), "Surat", 8, None, True)]  # 7.5 min, half up


def test_a_days_lines_add_up_to_its_time_rounded_once(profile, clock):
    clock.set(MONDAY_0800_WIB + 24 * HOUR)
    TaskService(profile).add("Surat", 15)
    for i in range(3):  # three stretches of 40 seconds: 2 minutes in all, not 3
        start = MONDAY_0800_WIB + i * HOUR
        SessionService(profile).add("Surat", start, start + 40_000)
    log = build_log(profile, MONDAY, MONDAY, WIB)
    assert [e.minutes for e in log.entries] == [1, 0, 1] and log.total_minutes == 2
    for i in range(40):  # and forty of 1 min 29 s on Tuesday: 59 min 20 s, not 40 min
        start = MONDAY_0800_WIB + 24 * HOUR - 3 * HOUR + i * 2 * MINUTE
        SessionService(profile).add("Surat", start, start + 89_000)
    tuesday = build_log(profile, TUESDAY, TUESDAY, WIB)
    assert tuesday.total_minutes == 59 and len(tuesday.entries) == 40
    report = build_report(profile, Period(TUESDAY, TUESDAY), WIB)
    assert round_minutes(report.total_ms) == tuesday.total_minutes


def test_deleted_sessions_and_deleted_tasks_are_left_out(profile, clock):
    week_of_work(profile, clock)
    entry = SessionService(profile).log(MONDAY_0800_WIB, MONDAY_0800_WIB + HOUR)[0]
    SessionService(profile).remove(entry.session.id)
    TaskService(profile).remove("Rapat")
    log = build_log(profile, MONDAY, TUESDAY, WIB)
    assert [(e.task, e.minutes) for e in log.entries] == [("Laporan", 10), ("Kajian", 25)]


def test_the_person_is_who_the_server_says_and_empty_before_signing_in(profile):
    assert person_of(profile.conn) == (None, None, None)
    for key, value in (
        ("account_nip", "198501012010012001"),
        ("account_name", "Siti Aminah"),
        ("account_unit", "Biro Umum"),
    ):
        profile.conn.execute("INSERT INTO sync_meta(key, value) VALUES (?, ?)", (key, value))
    assert person_of(profile.conn) == ("198501012010012001", "Siti Aminah", "Biro Umum")
