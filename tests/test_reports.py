"""Reports: per day in the office zone (split at midnight), per task, on-target rate."""

from __future__ import annotations

from datetime import date

from tests.conftest import MINUTE, MONDAY_0800_WIB
from wfh_desktop.reports import Period, build_report, build_summary, period_for
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES
from wfh_desktop.timer import TimerService

HOUR = 60 * MINUTE
WIB, WIT = ZONES["WIB"], ZONES["WIT"]
MONDAY = date(2026, 11, 2)


def _setup(profile, clock):
    clock.set(MONDAY_0800_WIB + 3 * 24 * HOUR)
    tasks = TaskService(profile)
    sessions = SessionService(profile)
    tasks.add("On time", 30)
    tasks.add("Late", 15)
    tasks.add("Open", 60)
    sessions.add("On time", MONDAY_0800_WIB, MONDAY_0800_WIB + 20 * MINUTE)
    sessions.add("On time", MONDAY_0800_WIB + HOUR, MONDAY_0800_WIB + HOUR + 10 * MINUTE)
    sessions.add("Late", MONDAY_0800_WIB + 2 * HOUR, MONDAY_0800_WIB + 2 * HOUR + 25 * MINUTE)
    # 23.30 Monday to 00.30 Tuesday WIB: half on each day
    sessions.add("Open", MONDAY_0800_WIB + 15 * HOUR + 30 * MINUTE,
                 MONDAY_0800_WIB + 16 * HOUR + 30 * MINUTE)  # fmt: skip
    tasks.mark_done("On time")
    tasks.mark_done("Late")


def _colleagues_session(profile, title, start, length):
    """A colleague's session on one of my tasks, as sync will bring it (another owner)."""
    profile.conn.execute(
        "INSERT INTO session(id, task_id, owner_user_id, start_at, end_at, source, origin_device, "
        "created_at, updated_at) VALUES ('c1', ?, 'colleague', ?, ?, 'timer', 'other', 0, 0)",
        (TaskService(profile).find(title).id, start, start + length),
    )


def test_week_report(profile, clock):
    _setup(profile, clock)
    rep = build_report(profile, period_for(MONDAY, week=MONDAY), WIB)
    days = {d.day: d.worked_ms for d in rep.days}
    assert days == {MONDAY: 85 * MINUTE, date(2026, 11, 3): 30 * MINUTE}
    by_title = {line.title: line for line in rep.tasks}
    assert by_title["On time"].actual_ms == 30 * MINUTE and by_title["On time"].on_target
    assert by_title["Late"].actual_ms == 25 * MINUTE and not by_title["Late"].on_target
    assert not by_title["Open"].on_target
    assert (rep.finished, rep.finished_on_target, rep.on_target_rate) == (2, 1, 0.5)
    assert rep.total_ms == 115 * MINUTE


def test_a_single_day_counts_only_its_part_of_a_midnight_session(profile, clock):
    _setup(profile, clock)
    tuesday = build_report(profile, Period(date(2026, 11, 3), date(2026, 11, 3)), WIB)
    assert [(line.title, line.period_ms, line.actual_ms) for line in tuesday.tasks] == [
        ("Open", 30 * MINUTE, HOUR)
    ]
    assert tuesday.finished == 0 and tuesday.on_target_rate is None


def test_days_follow_the_office_zone(profile, clock):
    _setup(profile, clock)
    # In WIT (UTC+9) the 23.30 WIB session runs 01.30-02.30 on Tuesday: wholly Tuesday.
    rep = build_report(profile, period_for(MONDAY, week=MONDAY), WIT)
    days = {d.day: d.worked_ms for d in rep.days}
    assert days == {MONDAY: 55 * MINUTE, date(2026, 11, 3): HOUR}


def test_all_time_equals_the_sum_of_months(profile, clock):
    _setup(profile, clock)
    all_time = build_report(profile, Period(None, None), WIB)
    month = build_report(profile, period_for(MONDAY, month=date(2026, 11, 1)), WIB)
    assert all_time.total_ms == month.total_ms == 115 * MINUTE
    assert all_time.on_target_rate == month.on_target_rate


def _months_of(profile, zone, months):
    return [build_report(profile, period_for(MONDAY, month=m), zone) for m in months]


def test_the_all_time_summary_agrees_month_by_month_with_the_reports(profile, clock):
    _setup(profile, clock)
    tasks, sessions = TaskService(profile), SessionService(profile)
    # 31 October 23.30 to 1 November 00.30 WIB: half in each month (in WIT: all November).
    halloween = MONDAY_0800_WIB - 2 * 24 * HOUR + 15 * HOUR + 30 * MINUTE
    tasks.add("Month end", 60)
    sessions.add("Month end", halloween, halloween + HOUR)
    clock.set(halloween + 2 * HOUR)  # finished on 1 November, 01.30 WIB
    tasks.mark_done("Month end")
    # Exactly on target (counts), and one minute over (does not), finished in October.
    clock.set(MONDAY_0800_WIB - 10 * 24 * HOUR)
    for title, minutes in (("Exact", 15), ("Over", 16)):
        tasks.add(title, 15)
        sessions.add(title, clock.now_ms() - minutes * MINUTE, clock.now_ms())
        tasks.mark_done(title)
    clock.set(MONDAY_0800_WIB + 3 * 24 * HOUR)
    for zone in (WIB, WIT):
        summary = build_summary(profile, zone)
        months = [m.month for m in summary.months]
        assert months == [date(2026, 10, 1), date(2026, 11, 1)], zone
        for line, rep in zip(summary.months, _months_of(profile, zone, months), strict=True):
            assert line.worked_ms == rep.total_ms, (zone, line)
            assert line.days == len(rep.days), (zone, line)
            assert (line.finished, line.finished_on_target) == (
                rep.finished,
                rep.finished_on_target,
            ), (zone, line)
        whole = build_report(profile, Period(None, None), zone)
        assert (summary.total_ms, summary.finished, summary.finished_on_target) == (
            whole.total_ms,
            whole.finished,
            whole.finished_on_target,
        )
    wib = build_summary(profile, WIB)
    # October in WIB: Exact (15, on target), Over (16, not), the first half of Month end (30).
    assert wib.months[0][1:] == (61 * MINUTE, 2, 2, 1)
    assert build_summary(profile, WIT).months[0].worked_ms == 31 * MINUTE


def test_the_summary_judges_on_target_by_everyones_time(profile, clock):
    _setup(profile, clock)
    # A colleague's 10 minutes on "On time" (30 of 30 minutes mine) put it over target.
    _colleagues_session(profile, "On time", MONDAY_0800_WIB + 5 * HOUR, 10 * MINUTE)
    summary = build_summary(profile, WIB)
    whole = build_report(profile, Period(None, None), WIB)
    assert (summary.finished, summary.finished_on_target) == (2, 0)
    assert (whole.finished, whole.finished_on_target) == (2, 0)
    assert summary.total_ms == whole.total_ms == 115 * MINUTE


def test_an_empty_profile_has_an_empty_summary(profile):
    summary = build_summary(profile, WIB)
    assert (summary.months, summary.total_ms, summary.on_target_rate) == ([], 0, None)


def test_running_session_counts_until_now_and_deleted_tasks_drop_out(profile, clock):
    _setup(profile, clock)
    clock.set(MONDAY_0800_WIB + 4 * HOUR)
    TimerService(profile).start("Open")
    clock.advance(10 * MINUTE)
    rep = build_report(profile, Period(MONDAY, MONDAY), WIB)
    assert {line.title: line.period_ms for line in rep.tasks}["Open"] == 40 * MINUTE
    TaskService(profile).remove("Late")
    rep = build_report(profile, period_for(MONDAY, week=MONDAY), WIB)
    assert "Late" not in {line.title for line in rep.tasks}
    assert (rep.finished, rep.finished_on_target) == (1, 1)  # done on Thursday


def test_period_for():
    assert period_for(MONDAY) == Period(MONDAY, MONDAY)
    assert period_for(MONDAY, week=date(2026, 11, 8)) == Period(MONDAY, date(2026, 11, 8))
    assert period_for(MONDAY, month=date(2026, 12, 1)) == Period(
        date(2026, 12, 1), date(2026, 12, 31)
    )
    assert period_for(MONDAY, first=date(2026, 10, 1)) == Period(date(2026, 10, 1), MONDAY)


def test_a_colleagues_time_counts_in_actual_but_not_in_my_period(profile, clock):
    _setup(profile, clock)
    _colleagues_session(profile, "Open", MONDAY_0800_WIB + 4 * HOUR, 30 * MINUTE)
    for period in (Period(None, None), period_for(MONDAY, week=MONDAY)):
        rep = build_report(profile, period, WIB)
        line = {t.title: t for t in rep.tasks}["Open"]
        assert (line.period_ms, line.actual_ms) == (HOUR, HOUR + 30 * MINUTE), period
        assert rep.total_ms == 115 * MINUTE


def test_all_time_lists_my_done_tasks_without_sessions(profile, clock):
    TaskService(profile).add("Done without time", 15)
    TaskService(profile).mark_done("Done without time")
    rep = build_report(profile, Period(None, None), WIB)
    assert [(t.title, t.actual_ms, t.on_target) for t in rep.tasks] == [
        ("Done without time", 0, True)
    ]
    assert (rep.finished, rep.finished_on_target) == (1, 1)


def test_each_days_task_count_with_a_session_across_midnight(profile, clock):
    clock.set(MONDAY_0800_WIB + 3 * 24 * HOUR)
    TaskService(profile).add("A", 30)
    TaskService(profile).add("B", 30)
    sessions = SessionService(profile)
    # A: Sunday 23.00 - Monday 01.00 WIB; B: Tuesday 05.00-06.00 and Monday 10.00-10.30
    sessions.add("A", MONDAY_0800_WIB - 9 * HOUR, MONDAY_0800_WIB - 7 * HOUR)
    sessions.add("B", MONDAY_0800_WIB + 21 * HOUR, MONDAY_0800_WIB + 22 * HOUR)
    sessions.add("B", MONDAY_0800_WIB + 2 * HOUR, MONDAY_0800_WIB + 2 * HOUR + 30 * MINUTE)
    rep = build_report(profile, Period(date(2026, 11, 1), date(2026, 11, 3)), WIB)
    assert [(d.day.day, d.worked_ms // MINUTE, d.tasks) for d in rep.days] == [
        (1, 60, 1),  # Sunday: A
        (2, 90, 2),  # Monday: A after midnight, and B
        (3, 60, 1),  # Tuesday: B
    ]


def test_a_future_day_lists_nothing_for_a_timer_running_now(profile, clock):
    TaskService(profile).add("A", 30)
    TimerService(profile).start("A")
    clock.advance(10 * MINUTE)
    rep = build_report(profile, Period(date(2026, 11, 5), date(2026, 11, 5)), WIB)
    assert rep.tasks == [] and rep.days == []
