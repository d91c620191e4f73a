"""The timer: one running session per user, start stops the previous one at the same instant."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import MINUTE
from wfh_desktop.clock import FixedClock
from wfh_desktop.errors import UserError
from wfh_desktop.profile import Profile
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import iso_utc
from wfh_desktop.timer import TimerService


def outbox(profile: Profile) -> list[tuple[int, str, str, dict[str, object]]]:
    rows = profile.conn.execute("SELECT seq, type, entity_id, payload FROM outbox ORDER BY seq")
    return [(seq, t, e, json.loads(p)) for seq, t, e, p in rows]


def test_start_then_status_counts_time_against_target(profile: Profile, clock: FixedClock):
    task = TaskService(profile).add("Menyusun laporan", 30)
    timer = TimerService(profile)
    timer.start("menyusun LAPORAN")
    clock.advance(12 * MINUTE + 30_000)
    st = timer.status()
    assert st.running is not None and st.task is not None
    assert st.task.id == task.id
    assert st.task_actual_ms == 12 * MINUTE + 30_000
    assert st.over_target_ms == 0
    clock.advance(20 * MINUTE)
    assert timer.status().over_target_ms == 2 * MINUTE + 30_000


def test_start_stops_the_running_session_at_the_same_instant(profile: Profile, clock: FixedClock):
    tasks = TaskService(profile)
    a, b = tasks.add("A", 15), tasks.add("B", 60)
    timer = TimerService(profile)
    first = timer.start(task_id=a.id).session
    clock.advance(7 * MINUTE)
    result = timer.start(task_id=b.id)
    assert result.stopped is not None and result.stopped.id == first.id
    ended = profile.conn.execute("SELECT end_at FROM session WHERE id = ?", (first.id,))
    assert ended.fetchone()[0] == result.session.start_at == clock.now_ms()
    running = profile.conn.execute("SELECT count(*) FROM session WHERE end_at IS NULL")
    assert running.fetchone()[0] == 1
    rows = outbox(profile)
    assert [t for _, t, _, _ in rows][-2:] == ["session.upsert", "session.upsert"]
    # the first session was never sent: its stop travels in its creation (outbox.fold)
    [first_created] = [r for r in rows if r[2] == first.id]
    assert first_created[3]["end_at"] == iso_utc(result.session.start_at)


def test_the_database_itself_refuses_a_second_running_session(profile: Profile):
    task = TaskService(profile).add("A", 15)
    TimerService(profile).start(task_id=task.id)
    with pytest.raises(sqlite3.IntegrityError):
        profile.conn.execute(
            "INSERT INTO session(id, task_id, owner_user_id, start_at, source, origin_device, "
            "created_at, updated_at) VALUES ('x', ?, ?, 0, 'timer', 'd', 0, 0)",
            (task.id, profile.user_id),
        )


def test_pause_resume_makes_a_new_session_and_keeps_the_total(profile, clock):
    TaskService(profile).add("A", 30)
    timer = TimerService(profile)
    timer.start("A")
    clock.advance(10 * MINUTE)
    paused = timer.pause()
    assert paused.session.end_at == clock.now_ms()
    st = timer.status()
    assert st.running is None and st.paused_task is not None and st.paused_task.title == "A"
    clock.advance(5 * MINUTE)  # a break: not counted
    resumed = timer.resume()
    assert resumed.session.id != paused.session.id
    clock.advance(3 * MINUTE)
    assert timer.status().task_actual_ms == 13 * MINUTE


def test_finish_marks_done_and_start_again_reopens(profile, clock):
    TaskService(profile).add("A", 30)
    timer = TimerService(profile)
    timer.start("A")
    clock.advance(20 * MINUTE)
    done = timer.finish()
    assert done.task.status == "done" and done.task.done_at == clock.now_ms()
    assert timer.status().task is None
    again = timer.start("A")
    assert again.reopened and again.task.status == "open"


def test_clock_jumping_backwards_never_makes_an_end_before_its_start(profile, clock):
    tasks = TaskService(profile)
    tasks.add("A", 30)
    tasks.add("B", 30)
    timer = TimerService(profile)
    timer.start("A")
    clock.advance(-60 * MINUTE)
    result = timer.start("B")
    assert result.stopped is not None
    assert result.stopped.end_at == result.stopped.start_at == result.session.start_at
    clock.advance(-5 * MINUTE)
    stopped = timer.stop()
    assert stopped.session.end_at == stopped.session.start_at
    assert timer.status().task is None


@pytest.mark.parametrize("action", ["pause", "stop", "finish"])
def test_nothing_running_is_a_clear_error_and_writes_nothing(profile, action):
    timer = TimerService(profile)
    with pytest.raises(UserError):
        getattr(timer, action)()
    assert outbox(profile) == []


def test_resume_without_pause_is_an_error(profile):
    with pytest.raises(UserError, match="Nothing is paused"):
        TimerService(profile).resume()


def test_starting_the_running_task_again_changes_nothing(profile):
    TaskService(profile).add("A", 30)
    timer = TimerService(profile)
    first = timer.start("A")
    before = len(outbox(profile))
    again = timer.start("A")
    assert again.already_running and again.session.id == first.session.id
    assert len(outbox(profile)) == before


def test_start_new_creates_task_and_session_in_one_transaction(profile):
    result = TimerService(profile).start_new("Rapat koordinasi", 15, unit="notulen")
    assert result.task.target_minutes == 15 and result.task.unit == "notulen"
    types = [t for _, t, _, _ in outbox(profile)]
    assert types == ["task.upsert", "session.upsert"]


def test_every_change_writes_one_gap_free_outbox_row_with_a_growing_hlc(profile, clock):
    TaskService(profile).add("A", 30)
    timer = TimerService(profile)
    timer.start("A")
    clock.advance(-1000)  # the wall clock steps back: the HLC must still grow
    timer.pause()
    timer.resume()
    timer.finish()
    rows = profile.conn.execute("SELECT seq, hlc, mutation_id FROM outbox ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    hlcs = [r[1] for r in rows]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    assert len({r[2] for r in rows}) == len(rows)


def test_a_failed_change_leaves_no_outbox_row(profile):
    with pytest.raises(UserError):
        TimerService(profile).start("no such task")
    assert outbox(profile) == []


def test_marking_a_paused_task_done_ends_the_pause(profile, clock):
    TaskService(profile).add("A", 30)
    timer = TimerService(profile)
    timer.start("A")
    clock.advance(MINUTE)
    timer.pause()
    TaskService(profile).mark_done("A")
    assert timer.status().task is None
    with pytest.raises(UserError, match="Nothing is paused"):
        timer.resume()


def test_finish_and_stop_work_when_the_paused_session_was_deleted(profile, clock):
    from wfh_desktop.sessions import SessionService

    TaskService(profile).add("A", 30)
    timer = TimerService(profile)
    session = timer.start("A").session
    clock.advance(MINUTE)
    timer.pause()
    SessionService(profile).remove(session.id)
    done = timer.finish()
    assert done.session is None and done.task.status == "done"
    assert timer.status().task is None
    # and stop, likewise, just ends the pause
    TaskService(profile).add("B", 30)
    session = timer.start("B").session
    timer.pause()
    SessionService(profile).remove(session.id)
    assert timer.stop().session is None
    assert timer.status().task is None


def test_server_owned_fields_never_travel(profile, clock):
    from wfh_desktop.outbox import SERVER_OWNED
    from wfh_desktop.sessions import SessionService

    TaskService(profile).add("A", 30)
    clock.advance(60 * MINUTE)
    sessions = SessionService(profile)
    first = sessions.add("A", clock.now_ms() - 50 * MINUTE, clock.now_ms() - 20 * MINUTE)
    second = sessions.add("A", clock.now_ms() - 30 * MINUTE, clock.now_ms() - 10 * MINUTE)
    assert second.session.needs_review == "overlap"  # flagged for the user to see ...
    sessions.edit(second.session.id, start_ms=first.session.end_at)
    for _, _, _, payload in outbox(profile):
        assert not set(payload) & set(SERVER_OWNED)  # ... but the server decides its own
