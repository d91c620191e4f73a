"""A running timer across a suspend or a clock change (SYNC.md, "Clocks"; F10, F11): the watch
that compares the wall clock with a monotonic one, and what each answer of the user does to the
running session. The wall clock and the monotonic one are both injected."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MINUTE
from tests.helpers.monotonic import Monotonic
from wfh_desktop.away import GAP_MS, ClockWatch, Gap
from wfh_desktop.clock import FixedClock
from wfh_desktop.profile import Profile
from wfh_desktop.timer import TimerService

HOUR = 60 * MINUTE


@pytest.fixture
def mono() -> Monotonic:
    return Monotonic()


def both(clock: FixedClock, mono: Monotonic, ms: int) -> None:
    clock.advance(ms)
    mono.ms += ms


def test_ticks_that_keep_time_see_no_gap(clock, mono):
    watch = ClockWatch(clock, mono)
    assert watch.tick() is None  # the first tick only takes note
    for _ in range(10):
        both(clock, mono, 5_000)
        assert watch.tick() is None
    clock.advance(GAP_MS - 1_000)  # a late tick, a small correction: not a gap
    assert watch.tick() is None


def test_a_suspend_is_a_gap_from_when_this_program_stopped(clock, mono):
    watch = ClockWatch(clock, mono)
    watch.tick()
    t0 = clock.now_ms()
    both(clock, mono, 3_000)  # ran three seconds, then the lid closed
    clock.advance(HOUR + 20 * MINUTE)  # asleep: only the wall clock moves
    both(clock, mono, 2_000)
    gap = watch.tick()
    assert gap == Gap("away", t0 + 5_000, clock.now_ms(), HOUR + 20 * MINUTE)
    assert watch.tick() is None  # told once


def test_a_clock_set_back_is_a_gap_of_its_own(clock, mono):
    watch = ClockWatch(clock, mono)
    watch.tick()
    both(clock, mono, 10 * MINUTE)
    clock.advance(-HOUR)
    gap = watch.tick()
    assert gap is not None and (gap.kind, gap.shift_ms) == ("clock_back", -HOUR)


def test_after_a_reset_the_next_tick_only_takes_note(clock, mono):
    watch = ClockWatch(clock, mono)
    watch.tick()
    clock.advance(3 * HOUR)
    watch.reset()
    assert watch.tick() is None


# ---- the answers


def away(clock: FixedClock, profile: Profile, worked: int, gone: int) -> tuple[str, Gap]:
    """A timer that ran ``worked`` ms, then the laptop slept ``gone`` ms; returns the session
    id and the gap as the watch saw it."""
    session = TimerService(profile).start_new("Menyusun laporan", 60).session
    clock.advance(worked)
    since = clock.now_ms()
    clock.advance(gone)
    return session.id, Gap("away", since, clock.now_ms(), gone)


def spans(profile: Profile) -> list[tuple[int, int | None]]:
    rows = profile.conn.execute("SELECT start_at, end_at FROM session ORDER BY start_at")
    return rows.fetchall()


def test_keep_counts_the_gap_as_work(profile, clock):
    _, gap = away(clock, profile, 30 * MINUTE, HOUR)
    assert TimerService(profile).answer_gap(gap, "keep") is None
    assert spans(profile) == [(gap.since_ms - 30 * MINUTE, None)]


def test_stop_ends_the_session_where_the_gap_began(profile, clock):
    session_id, gap = away(clock, profile, 30 * MINUTE, HOUR)
    stopped = TimerService(profile).answer_gap(gap, "stop")
    assert stopped is not None and stopped.session.id == session_id
    assert spans(profile) == [(gap.since_ms - 30 * MINUTE, gap.since_ms)]
    assert TimerService(profile).status().running is None


def test_split_leaves_the_gap_out_and_goes_on(profile, clock):
    session_id, gap = away(clock, profile, 30 * MINUTE, HOUR)
    TimerService(profile).answer_gap(gap, "split")
    start = gap.since_ms - 30 * MINUTE
    assert spans(profile) == [(start, gap.since_ms), (clock.now_ms(), None)]
    running = TimerService(profile).status().running
    assert running is not None and running.id != session_id
    first = profile.conn.execute("SELECT task_id FROM session WHERE id = ?", (session_id,))
    assert running.task_id == first.fetchone()[0]


def test_shift_keeps_the_time_worked_when_the_clock_was_set_back(profile, clock):
    session = TimerService(profile).start_new("Menyusun laporan", 60).session
    with profile.write() as (conn, _):  # the start has gone up: the move is a change of it
        conn.execute("INSERT INTO sync_meta(key, value) VALUES ('sent_seq', 99)")
    clock.advance(40 * MINUTE)
    clock.advance(-HOUR)  # the clock corrected an hour back
    gap = Gap("clock_back", clock.now_ms(), clock.now_ms(), -HOUR)
    TimerService(profile).answer_gap(gap, "shift")
    [(start, end)] = spans(profile)
    assert (start, end) == (session.start_at - HOUR, None)
    assert clock.now_ms() - start == 40 * MINUTE  # the timer shows the 40 minutes worked
    kind, payload = profile.conn.execute(
        "SELECT type, payload FROM outbox ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert kind == "session.edit" and "start_at" in json.loads(payload)


def test_a_shift_onto_the_session_before_flags_the_overlap(profile, clock):
    timer = TimerService(profile)
    timer.start_new("Rapat koordinasi", 30)
    clock.advance(30 * MINUTE)
    timer.stop()
    session = timer.start_new("Menyusun laporan", 60).session
    clock.advance(10 * MINUTE)
    gap = Gap("clock_back", clock.now_ms(), clock.now_ms(), -HOUR)  # 'move the start back'
    timer.answer_gap(gap, "shift", session.id)
    flag = profile.conn.execute("SELECT needs_review FROM session WHERE id = ?", (session.id,))
    assert flag.fetchone()[0] == "overlap"  # listed for review, as any edit onto another


def test_an_answer_after_the_timer_stopped_changes_nothing(profile, clock):
    _, gap = away(clock, profile, 30 * MINUTE, HOUR)
    TimerService(profile).stop()
    before = spans(profile)
    assert TimerService(profile).answer_gap(gap, "stop") is None
    assert spans(profile) == before


def test_split_answered_later_starts_again_where_the_gap_ended(profile, clock):
    _, gap = away(clock, profile, 30 * MINUTE, HOUR)
    clock.advance(20 * MINUTE)  # back at work, the question still open
    TimerService(profile).answer_gap(gap, "split")
    start = gap.since_ms - 30 * MINUTE
    assert spans(profile) == [(start, gap.since_ms), (gap.until_ms, None)]


def test_an_answer_changes_only_the_session_it_was_asked_about(profile, clock):
    session_id, gap = away(clock, profile, 30 * MINUTE, HOUR)
    TimerService(profile).stop()  # stopped meanwhile (a sync, another program)
    TimerService(profile).start("Menyusun laporan")  # and another started
    before = spans(profile)
    for answer in ("stop", "split", "shift"):
        assert TimerService(profile).answer_gap(gap, answer, session_id) is None
    assert spans(profile) == before


def test_a_session_begun_after_the_gap_began_is_not_stopped_at_it(profile, clock):
    _, gap = away(clock, profile, 30 * MINUTE, HOUR)
    TimerService(profile).start_new("Rapat", 30)  # started after the gap began
    before = spans(profile)
    assert TimerService(profile).answer_gap(gap, "stop") is None
    assert spans(profile) == before
