"""The app asks about a gap in a running timer (a suspend, a clock set back) and does what the
user answers (SYNC.md, "Clocks": never assume). The monotonic clock is injected, as the wall
clock is."""

from __future__ import annotations

from typing import Any

from tests.conftest import MINUTE
from tests.helpers.monotonic import Monotonic
from tests.ui.conftest import WAIT_MS
from wfh_desktop.away import ClockWatch

HOUR = 60 * MINUTE


def running_with_a_watch(app: Any, qtbot: Any, clock: Any) -> Monotonic:
    mono = Monotonic()
    app.clock_watch = ClockWatch(clock, mono)
    app.model.start_new("Menyusun laporan", 30)
    qtbot.waitUntil(lambda: app.model.today.status.running is not None, timeout=WAIT_MS)
    return mono


def button(box: Any, text: str) -> Any:
    [found] = [b for b in box.buttons() if b.text().startswith(text)]
    return found


def spans(other: Any) -> list[tuple[int, int | None]]:
    return other.conn.execute("SELECT start_at, end_at FROM session ORDER BY start_at").fetchall()


def test_after_a_suspend_the_user_stops_the_timer_where_they_left(app, qtbot, clock, other):
    mono = running_with_a_watch(app, qtbot, clock)
    started = app.model.today.status.running.start_at
    clock.advance(20 * MINUTE)
    mono.ms += 20 * MINUTE
    app._slow_tick()
    assert app.gap_box is None  # the clocks agree
    left = clock.now_ms()
    clock.advance(2 * HOUR)  # asleep: this program's clock stood still
    app._slow_tick()
    box = app.gap_box
    assert box is not None and box.isVisible()
    assert "You were away 2 h" in box.text() and "Menyusun laporan" in box.text()
    app._slow_tick()  # no second box while the first waits
    assert app.gap_box is box
    button(box, "Stop at").click()
    qtbot.waitUntil(lambda: app.model.today.status.running is None, timeout=WAIT_MS)
    assert app.gap_box is None
    assert spans(other) == [(started, left)]


def test_after_a_suspend_the_user_keeps_the_time(app, qtbot, clock, other):
    mono = running_with_a_watch(app, qtbot, clock)
    clock.advance(HOUR)
    app._slow_tick()
    button(app.gap_box, "Yes, keep it").click()
    assert app.gap_box is None
    qtbot.wait(50)
    assert app.model.today.status.running is not None
    assert [end for _, end in spans(other)] == [None]
    mono.ms += 5_000  # the watch starts again from the answer
    clock.advance(5_000)
    app._slow_tick()
    assert app.gap_box is None


def test_a_clock_set_back_is_answered_by_moving_the_start(app, qtbot, clock, other):
    mono = running_with_a_watch(app, qtbot, clock)
    started = app.model.today.status.running.start_at
    clock.advance(30 * MINUTE)
    mono.ms += 30 * MINUTE
    app._slow_tick()
    clock.advance(-HOUR)
    app._slow_tick()
    box = app.gap_box
    assert box is not None and "set back by 1 h" in box.text()
    button(box, "Move the start").click()
    qtbot.waitUntil(lambda: spans(other) == [(started - HOUR, None)], timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: app.model.today.status.running.start_at == started - HOUR, timeout=WAIT_MS
    )


def test_a_box_closed_without_an_answer_keeps_the_time_and_the_watch_goes_on(
    app, qtbot, clock, other
):
    mono = running_with_a_watch(app, qtbot, clock)
    clock.advance(HOUR)
    app._slow_tick()
    app.gap_box.reject()  # the window's close button
    assert app.gap_box is None
    assert [end for _, end in spans(other)] == [None]
    mono.ms += 5_000
    clock.advance(5_000)
    app._slow_tick()
    clock.advance(HOUR)  # a second suspend is asked about again
    app._slow_tick()
    assert app.gap_box is not None


def test_the_question_goes_when_its_session_stops_elsewhere(app, qtbot, clock, other):
    from wfh_desktop.timer import TimerService

    running_with_a_watch(app, qtbot, clock)
    clock.advance(HOUR)
    app._slow_tick()
    assert app.gap_box is not None
    TimerService(other).stop()  # `wfh stop`, or a sync, before the user answered
    qtbot.waitUntil(lambda: app.gap_box is None, timeout=WAIT_MS)
    [(_, end)] = spans(other)
    assert end is not None
