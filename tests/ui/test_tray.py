"""The tray menu's actions and the icon's states."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from tests.conftest import MINUTE
from tests.ui.conftest import WAIT_MS
from wfh_desktop.settings import Settings
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService
from wfh_desktop.ui.icons import IconState, draw, state_for
from wfh_desktop.ui.tray import timer_texts


def _visible(menu):
    return [a.text() for a in menu.menu.actions() if a.isVisible() and a.text()]


def test_menu_controls_the_running_task(app, qtbot, other, clock):
    TimerService(other).start_new("Menyusun laporan", 30)
    app.model.refresh()
    qtbot.waitUntil(lambda: app.model.today.status.running is not None, timeout=WAIT_MS)
    shown = _visible(app.menu)
    assert shown[0] == "Menyusun laporan  ·  0:00 / 30 min"
    assert shown[1:5] == ["Pause", "Stop", "Finish", "Start a task…"]
    app.menu.pause.trigger()
    qtbot.waitUntil(lambda: app.menu.resume.isVisible(), timeout=WAIT_MS)
    assert TimerService(other).status().running is None
    assert not app.menu.pause.isVisible()
    app.menu.resume.trigger()
    qtbot.waitUntil(lambda: app.menu.pause.isVisible(), timeout=WAIT_MS)
    clock.advance(5 * MINUTE)
    app.menu.finish.trigger()
    qtbot.waitUntil(lambda: app.model.today.status.task is None, timeout=WAIT_MS)
    assert TaskService(other).find("Menyusun laporan").is_done
    assert _visible(app.menu)[:2] == ["WFH Desktop: no task running", "Start a task…"]


def test_menu_lists_five_recent_tasks_for_one_click_start(app, qtbot, other, clock):
    timer = TimerService(other)
    for n in range(7):
        timer.start_new(f"Tugas {n}", 15)
        clock.advance(MINUTE)
    timer.stop()
    app.model.refresh()
    qtbot.waitUntil(lambda: len(app.menu.recent) == 5, timeout=WAIT_MS)
    assert [a.text() for a in app.menu.recent] == [f"Start: Tugas {n}" for n in (6, 5, 4, 3, 2)]
    app.menu.recent[2].trigger()
    qtbot.waitUntil(
        lambda: (
            app.model.today.status.running is not None
            and app.model.today.status.task.title == "Tugas 4"
        ),
        timeout=WAIT_MS,
    )
    # The running task is not offered again.
    assert "Start: Tugas 4" not in [a.text() for a in app.menu.recent]


def test_menu_entries_open_the_picker_and_the_window(app, qtbot):
    app.menu.start.trigger()
    assert app.picker is not None and app.picker.isVisible()
    app.menu.window.trigger()
    assert app.window.isVisible()


def test_a_timer_started_with_wfh_shows_within_seconds(app, qtbot, other):
    assert app.model.today.status.task is None
    TimerService(other).start_new("Dari terminal", 15)  # another program's write
    qtbot.waitUntil(
        lambda: (
            app.model.today.status.task is not None
            and app.model.today.status.task.title == "Dari terminal"
        ),
        timeout=WAIT_MS,
    )


@pytest.mark.parametrize(
    ("running", "paused", "fraction", "state"),
    [
        (False, False, 0.0, IconState.IDLE),
        (True, False, 0.5, IconState.UNDER),
        (True, False, 0.8, IconState.NEAR),
        (True, False, 1.0, IconState.NEAR),
        (True, False, 1.01, IconState.OVER),
        (False, True, 0.5, IconState.PAUSED),
    ],
)
def test_icon_state_follows_the_share_of_the_target(running, paused, fraction, state):
    assert state_for(running, paused, fraction) is state


def test_every_icon_state_looks_different_at_16_px(qapp):
    images = {
        state: draw(state, 0.5 if state is not IconState.OVER else 1.2, 16).toImage()
        for state in IconState
    }
    for a in IconState:
        for b in IconState:
            if a is not b:
                assert images[a] != images[b], (a, b)
    # Drawn, not empty: some pixels are opaque.
    image: QImage = images[IconState.IDLE]
    assert any(image.pixelColor(x, 8).alpha() > 200 for x in range(16))


def test_tooltip_shows_title_and_time_against_target(app, qtbot, other, clock):
    TimerService(other).start_new("Rapat", 30)
    app.model.refresh()
    qtbot.waitUntil(lambda: app.model.today.status.running is not None, timeout=WAIT_MS)
    clock.advance(12 * MINUTE + 30_000)
    text, fraction, state = timer_texts(app.model.today, clock.now_ms())
    assert text == "Rapat\n12:30 / 30 min"
    assert (round(fraction, 3), state) == (0.417, IconState.UNDER)


def _run_task(app, qtbot, other, target):
    TimerService(other).start_new("Rapat", target)
    app.model.refresh()
    qtbot.waitUntil(lambda: app.model.today.status.running is not None, timeout=WAIT_MS)


def test_notifications_at_target_and_50_percent_over_come_once_each(app, qtbot, other, clock):
    _run_task(app, qtbot, other, 20)
    seen = []
    app.model.target_reached.connect(lambda t: seen.append(("target", t.title)))
    app.model.far_over_target.connect(lambda t: seen.append(("far", t.title)))
    clock.advance(19 * MINUTE)
    app.model.check_milestones()
    assert seen == []
    clock.advance(MINUTE)
    app.model.check_milestones()
    app.model.check_milestones()
    assert seen == [("target", "Rapat")]
    clock.advance(10 * MINUTE)  # 30 of 20 minutes: 50 % over
    app.model.check_milestones()
    assert seen == [("target", "Rapat"), ("far", "Rapat")]


@pytest.mark.parametrize("settings", [Settings(notify_at_target=False, notify_far_over=False)])
def test_notifications_can_be_switched_off(app, qtbot, other, clock, settings):
    _run_task(app, qtbot, other, 20)
    seen = []
    app.model.target_reached.connect(seen.append)
    app.model.far_over_target.connect(seen.append)
    clock.advance(20 * MINUTE)  # exactly at the target
    app.model.check_milestones()
    clock.advance(10 * MINUTE)  # exactly 50 % over
    app.model.check_milestones()
    assert seen == []


def test_the_open_menu_counts_on_each_second_and_stops_when_closed(app, qtbot, other, clock):
    _run_task(app, qtbot, other, 30)
    app.menu.menu.aboutToShow.emit()
    assert app.menu._tick.isActive()
    clock.advance(61_000)
    qtbot.waitUntil(lambda: app.menu.current.text().endswith("1:01 / 30 min"), timeout=WAIT_MS)
    app.menu.menu.aboutToHide.emit()
    assert not app.menu._tick.isActive()


def test_nothing_ticks_while_nothing_is_seen_and_no_timer_runs(app, qtbot):
    from PySide6.QtCore import QTimer

    active = [t for t in app.qapp.findChildren(QTimer) if t.isActive()]
    for obj in (app.window, app.menu, app.model):
        active += [t for t in obj.findChildren(QTimer) if t.isActive()]
    active += [app._slow] if app._slow.isActive() else []
    # Only the look-out for other programs' writes (every 2 s) runs.
    assert [t.interval() for t in active] == [2_000]
