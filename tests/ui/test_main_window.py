"""The main window and the quick picker, driven as a user would, on a real database."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.conftest import MINUTE
from tests.ui.conftest import WAIT_MS, open_tab
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService


def _running_title(app):
    today = app.model.today
    return today.status.task.title if today and today.status.running else None


def test_create_a_task_in_the_picker_and_work_it_through(app, qtbot, other, clock):
    app.show_window()
    qtbot.mouseClick(app.window.start_button, Qt.MouseButton.LeftButton)
    picker = app.picker
    qtbot.keyClicks(picker.search, "Menyusun laporan")
    qtbot.mouseClick(picker.preset_buttons[30], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _running_title(app) == "Menyusun laporan", timeout=WAIT_MS)
    assert TimerService(other).status().task.title == "Menyusun laporan"
    assert app.window.title.text() == "Running: Menyusun laporan"

    clock.advance(12 * MINUTE + 30_000)
    app.window.update_timer()  # what the display timer does every second
    assert app.window.elapsed.text() == "12:30 / 30 min"
    assert app.window.progress.value() == 42
    assert app.window.left.text() == "17:30 left"
    assert app.window.table.item(0, 0).text() == "Menyusun laporan"
    assert app.window.table.item(0, 2).text() == "13 min"

    qtbot.mouseClick(app.window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.resume_button.isEnabled(), timeout=WAIT_MS)
    status = TimerService(other).status()
    assert status.running is None and status.paused_task.title == "Menyusun laporan"
    assert app.window.title.text() == "Paused: Menyusun laporan"

    qtbot.mouseClick(app.window.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _running_title(app) == "Menyusun laporan", timeout=WAIT_MS)
    clock.advance(20 * MINUTE)
    qtbot.mouseClick(app.window.finish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.model.today.status.task is None, timeout=WAIT_MS)
    task = TaskService(other).find("Menyusun laporan")
    assert task.is_done
    assert TaskService(other).actual_ms([task.id])[task.id] == 32 * MINUTE + 30_000


def test_the_picker_finds_tasks_recent_first_and_enter_starts_one(app, qtbot, other):
    tasks = TaskService(other)
    for title in ("Rapat koordinasi", "Menyusun laporan bulanan", "Laporan kegiatan"):
        tasks.add(title, 15)
    TimerService(other).start("Laporan kegiatan")
    TimerService(other).stop()
    app.open_picker()
    picker = app.picker
    qtbot.waitUntil(lambda: picker.results.count() == 3, timeout=WAIT_MS)
    # Recently worked on first, then the newest.
    assert picker.results.item(0).text().startswith("Laporan kegiatan")
    qtbot.keyClicks(picker.search, "lapor")
    qtbot.waitUntil(lambda: picker.results.count() == 2, timeout=WAIT_MS)
    titles = [picker.results.item(i).text() for i in range(2)]
    assert titles == ["Laporan kegiatan  (15 min)", "Menyusun laporan bulanan  (15 min)"]
    picker.results.setCurrentRow(1)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _running_title(app) == "Menyusun laporan bulanan", timeout=WAIT_MS)


def test_a_custom_target_and_a_missing_title(app, qtbot, other):
    app.open_picker()
    picker = app.picker
    qtbot.mouseClick(picker.preset_buttons[15], Qt.MouseButton.LeftButton)
    assert not picker.error.isHidden()
    assert picker.error.text() == "A task needs a title."
    assert TaskService(other).list_tasks() == []
    qtbot.keyClicks(picker.search, "Analisis data")
    picker.custom.setValue(45)
    qtbot.mouseClick(picker.custom_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _running_title(app) == "Analisis data", timeout=WAIT_MS)
    assert TaskService(other).find("Analisis data").target_minutes == 45


def test_enter_before_the_search_answers_makes_the_new_task(app, qtbot, other):
    TaskService(other).add("Rapat koordinasi", 30)
    app.open_picker()
    picker = app.picker
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=WAIT_MS)
    picker.search.setText("Surat baru")  # pasted, and Enter at once
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _running_title(app) == "Surat baru", timeout=WAIT_MS)
    assert TaskService(other).find("Surat baru").target_minutes == 30


def test_todays_finished_tasks_cannot_be_restarted_by_accident(app, qtbot, other):
    TaskService(other).add("Selesai tadi", 15)
    TaskService(other).mark_done("Selesai tadi")
    app.model.refresh()
    qtbot.waitUntil(lambda: app.window.table.rowCount() == 1, timeout=WAIT_MS)
    assert not app.window.table.cellWidget(0, 4).isEnabled()


def test_the_view_moves_to_the_new_day_at_midnight(app, qtbot, clock):
    first = app.model.today.read_ms
    clock.advance(16 * 60 * MINUTE)  # 08.00 to 00.00 WIB
    qtbot.waitUntil(lambda: app.model.today.read_ms != first, timeout=WAIT_MS)
    assert app.window.day_label.text() == "Today, Tuesday, 3 November 2026"


def test_a_failed_action_is_shown_in_the_status_bar(app, qtbot):
    app.model.resume()  # nothing was paused
    qtbot.waitUntil(lambda: app.window.statusBar().currentMessage() != "", timeout=WAIT_MS)
    assert "paused" in app.window.statusBar().currentMessage().lower()


def test_todays_tasks_can_be_started_from_their_row(app, qtbot, other):
    TaskService(other).add("Rapat", 60)
    TaskService(other).add("Surat", 15)
    app.model.refresh()
    qtbot.waitUntil(lambda: app.window.table.rowCount() == 2, timeout=WAIT_MS)
    button = app.window.table.cellWidget(1, 4)
    assert button.accessibleName() == "Start Surat"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _running_title(app) == "Surat", timeout=WAIT_MS)
    assert not app.window.table.cellWidget(1, 4).isEnabled()


def test_without_a_tray_the_window_says_why_and_notifies_in_it(app, qtbot, other, clock):
    assert app.tray is None  # offscreen has no tray
    assert "no system tray" in app.window.note.text()
    TimerService(other).start_new("Rapat", 15)
    app.model.refresh()
    qtbot.waitUntil(lambda: _running_title(app) == "Rapat", timeout=WAIT_MS)
    clock.advance(15 * MINUTE)
    app.model.check_milestones()
    assert app.window.banner.text() == "Rapat has reached its target of 15 min."


def test_quitting_with_a_timer_running_asks_and_can_stop_it(app, qtbot, other):
    TimerService(other).start_new("Rapat", 15)
    app.model.refresh()
    qtbot.waitUntil(lambda: _running_title(app) == "Rapat", timeout=WAIT_MS)

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "Rapat is still running" in box.text()
        stop = next(b for b in box.buttons() if b.text() == "Stop and quit")
        stop.click()

    QTimer.singleShot(200, answer)
    app.quit()
    qtbot.waitUntil(lambda: TimerService(other).status().running is None, timeout=WAIT_MS)


def test_stop_and_quit_when_the_timer_was_stopped_meanwhile(app, qtbot, other):
    TimerService(other).start_new("Rapat", 15)
    app.model.refresh()
    qtbot.waitUntil(lambda: _running_title(app) == "Rapat", timeout=WAIT_MS)

    def answer() -> None:
        TimerService(other).stop()  # `wfh stop` while the question is open
        box = QApplication.activeModalWidget()
        next(b for b in box.buttons() if b.text() == "Stop and quit").click()

    QTimer.singleShot(200, answer)
    app.quit()
    qtbot.waitUntil(lambda: not app.worker._thread.is_alive(), timeout=WAIT_MS)  # it quit
    assert app.window.statusBar().currentMessage() == ""


def test_the_plain_start_without_arguments_comes_up(tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    env = dict(os.environ, WFH_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    exe = str(Path(sys.executable).with_name("wfh-desktop"))
    proc = subprocess.Popen([exe], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "data" / "wfh-desktop.lock").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)
        assert proc.poll() is None  # still running: it came up and stays up
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert b"Traceback" not in err, err


def test_with_no_screen_at_all_it_says_so_and_points_to_wfh(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["WFH_HOME"] = str(tmp_path)
    exe = str(Path(sys.executable).with_name("wfh-desktop"))
    r = subprocess.run(
        [exe, "--lang", "id"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "wfh start" in r.stderr
    assert "tidak ada layar" in r.stderr


def test_an_unexpected_error_is_logged_and_shown_with_the_logs_path(qapp, qtbot, paths):
    from wfh_desktop import logs
    from wfh_desktop.ui.app import error_hook

    log_file = logs.setup(paths.log_dir)
    hook = error_hook(str(log_file))
    shown = []

    def close() -> None:
        box = QApplication.activeModalWidget()
        shown.append(box.text())
        box.buttons()[0].click()

    QTimer.singleShot(100, close)
    try:
        raise ValueError("boom")
    except ValueError as e:
        hook(type(e), e, e.__traceback__)
    assert shown and str(log_file) in shown[0] and "nothing you stored was lost" in shown[0]
    assert "ValueError: boom" in log_file.read_text()
    root = logging.getLogger("wfh")
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", "") == str(log_file)]:
        root.removeHandler(handler)
        handler.close()


def test_a_window_made_late_shows_its_tabs_filled(app, qtbot, other, clock):
    """A tray app makes its window when first opened, after the data was read."""
    from wfh_desktop.sessions import SessionService

    TaskService(other).add("Laporan", 30)
    clock.advance(30 * MINUTE)
    SessionService(other).add("Laporan", clock.now_ms() - 20 * MINUTE, clock.now_ms())
    app.model.refresh()
    qtbot.waitUntil(lambda: len(app.model.today.tasks) == 1, timeout=WAIT_MS)
    old = app.window
    old.close_requested.disconnect()
    old.hide()
    old.deleteLater()
    app.window = None
    window = app.ensure_window()
    open_tab(app, window.task_list)
    qtbot.waitUntil(lambda: window.task_list.table.rowCount() == 1, timeout=WAIT_MS)
    open_tab(app, window.day_log)
    qtbot.waitUntil(lambda: window.day_log.table.rowCount() == 1, timeout=WAIT_MS)
    assert window.table.rowCount() == 1  # today's tasks


def test_started_at_login_without_a_tray_it_waits_then_opens_the_window(
    qapp, qtbot, paths, clock, settings
):
    from wfh_desktop.autostart import XdgAutostart
    from wfh_desktop.ui.app import App

    app = App(paths, clock, settings, qapp, XdgAutostart({"XDG_CONFIG_HOME": "/nonexistent"}), 600)
    try:
        assert app.window is None  # the panel may still come up
        qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(), timeout=WAIT_MS)
        assert "no system tray" in app.window.note.text()
    finally:
        app.shutdown()
        app.window.hide()
        app.window.deleteLater()
