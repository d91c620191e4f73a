"""Manual sessions and corrections, and the day log."""

from __future__ import annotations

import pytest

from tests.conftest import MINUTE, MONDAY_0800_WIB
from wfh_desktop.errors import UserError
from wfh_desktop.lookup import short_code
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService

HOUR = 60 * MINUTE


@pytest.fixture
def later(profile, clock):
    """The clock at 17.00 on the Monday, so sessions that morning are in the past."""
    clock.set(MONDAY_0800_WIB + 9 * HOUR)
    TaskService(profile).add("Laporan", 30)
    return SessionService(profile)


def test_add_manual_session(later, profile):
    entry = later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 25 * MINUTE)
    assert entry.session.source == "manual"
    assert entry.session.needs_review is None
    assert TaskService(profile).actual_ms([entry.task.id])[entry.task.id] == 25 * MINUTE


@pytest.mark.parametrize("minutes", [0, -10])
def test_end_not_after_start_is_refused(later, profile, minutes):
    with pytest.raises(UserError, match="end must be after"):
        later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + minutes * MINUTE)
    assert profile.conn.execute("SELECT count(*) FROM session").fetchone()[0] == 0


def test_future_session_is_refused(later):
    with pytest.raises(UserError, match="future"):
        later.add("Laporan", MONDAY_0800_WIB + 9 * HOUR, MONDAY_0800_WIB + 10 * HOUR)


def test_overlap_is_accepted_and_flagged(later):
    later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 30 * MINUTE)
    touching = later.add("Laporan", MONDAY_0800_WIB + 30 * MINUTE, MONDAY_0800_WIB + 40 * MINUTE)
    assert touching.session.needs_review is None
    overlapping = later.add("Laporan", MONDAY_0800_WIB + 20 * MINUTE, MONDAY_0800_WIB + HOUR)
    assert overlapping.session.needs_review == "overlap"


def test_once_the_server_has_a_session_its_flags_change_only_with_the_server(later, profile):
    """Flags are worked out here only for what never reached the server: once it has the
    session, a local edit keeps its flags until the server's answer, or two computers would
    hold one version with different flags."""
    later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 30 * MINUTE)
    b = later.add("Laporan", MONDAY_0800_WIB + 20 * MINUTE, MONDAY_0800_WIB + HOUR).session
    with profile.write() as (conn, _):  # as a record from the server leaves it
        conn.execute(
            "UPDATE session SET version = 3, needs_review = 'clock_offset,overlap' WHERE id = ?",
            (b.id,),
        )
    moved = later.edit(short_code(b.id), start_ms=MONDAY_0800_WIB + 30 * MINUTE)
    assert moved.session.needs_review == "clock_offset,overlap"
    pending = profile.conn.execute(
        "SELECT type, payload FROM outbox WHERE entity_id = ? ORDER BY seq DESC", (b.id,)
    ).fetchone()
    assert pending[0] == "session.edit" and "needs_review" not in pending[1]


def test_edit_moves_and_clears_the_overlap_flag(later):
    later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 30 * MINUTE)
    b = later.add("Laporan", MONDAY_0800_WIB + 20 * MINUTE, MONDAY_0800_WIB + HOUR).session
    fixed = later.edit(short_code(b.id), start_ms=MONDAY_0800_WIB + 30 * MINUTE)
    assert fixed.session.needs_review is None
    assert fixed.session.start_at == MONDAY_0800_WIB + 30 * MINUTE
    with pytest.raises(UserError, match="end must be after"):
        later.edit(short_code(b.id), end_ms=MONDAY_0800_WIB)


def test_setting_the_end_of_a_running_session_stops_it(later, profile, clock):
    TimerService(profile).start("Laporan")
    running = TimerService(profile).status().running
    clock.advance(10 * MINUTE)
    later.edit(running.id, end_ms=clock.now_ms() - 5 * MINUTE)
    assert TimerService(profile).status().running is None


def test_remove_and_restore(later, profile):
    s = later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 25 * MINUTE).session
    later.remove(short_code(s.id))
    day = (MONDAY_0800_WIB - 8 * HOUR, MONDAY_0800_WIB + 16 * HOUR)
    assert later.log(*day) == []
    later.restore(short_code(s.id))
    assert [e.session.id for e in later.log(*day)] == [s.id]
    with pytest.raises(UserError, match="not deleted"):
        later.restore(short_code(s.id))


def test_unknown_session_id(later):
    with pytest.raises(UserError, match="No session"):
        later.remove("zzzz")
    with pytest.raises(UserError, match="No session"):
        later.remove("abcdef")


def test_log_includes_a_session_that_began_the_day_before(later, profile, clock):
    monday_start = MONDAY_0800_WIB - 8 * HOUR
    later.add("Laporan", monday_start - HOUR, monday_start + HOUR)
    entries = later.log(monday_start, monday_start + 24 * HOUR)
    assert len(entries) == 1


def test_restoring_a_session_flags_an_overlap_made_meanwhile(later):
    a = later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + HOUR).session
    later.remove(a.id)
    later.add("Laporan", MONDAY_0800_WIB + 30 * MINUTE, MONDAY_0800_WIB + 90 * MINUTE)
    assert later.restore(a.id).session.needs_review == "overlap"


@pytest.mark.parametrize("ref", ["7", "-", "01", "a-b"])
def test_a_piece_of_an_id_too_short_picks_nothing(later, ref):
    s = later.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 25 * MINUTE).session
    with pytest.raises(UserError, match="at least 4 characters"):
        later.remove(ref)
    assert later.log(MONDAY_0800_WIB - 8 * HOUR, MONDAY_0800_WIB + 16 * HOUR)[0].session.id == s.id


def test_a_session_of_a_deleted_task_is_not_restored_until_the_task_is(profile, clock):
    timer, tasks, sessions = TimerService(profile), TaskService(profile), SessionService(profile)
    started = timer.start_new("Rapat", 15)
    sessions.remove(started.session.id)
    tasks.remove("Rapat")
    with pytest.raises(UserError, match="restore the task first"):
        sessions.restore(started.session.id)
    assert timer.status().running is None
    tasks.restore("Rapat")
    sessions.restore(started.session.id)
    assert timer.status().running is not None
