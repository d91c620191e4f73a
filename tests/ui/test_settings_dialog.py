"""Settings: each field saved and followed; a wrong server address said beside its field."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from tests.ui.conftest import WAIT_MS
from wfh_desktop import settings as settings_mod
from wfh_desktop.i18n import language


def _save(dialog, qtbot):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_settings_are_saved_and_followed(app, qtbot, paths):
    app.menu.settings.trigger()
    dialog = app.settings_dialog
    dialog.zone.setCurrentIndex(dialog.zone.findData("WITA"))
    dialog.target.setValue(15)
    dialog.at_target.setChecked(False)
    dialog.autostart.setChecked(True)
    dialog.server.setText("ftp://server")
    _save(dialog, qtbot)
    assert dialog.isVisible()
    assert not dialog.server_error.isHidden()
    assert "https://" in dialog.server_error.text()
    assert not paths.settings.exists()  # nothing saved while a field is wrong

    dialog.server.setText("https://wfh.example.go.id/")
    _save(dialog, qtbot)
    assert not dialog.isVisible()
    saved, _ = settings_mod.load(paths.settings)
    assert (saved.office_zone, saved.default_target_minutes) == ("WITA", 15)
    assert (saved.notify_at_target, saved.notify_far_over) == (False, True)
    assert saved.server_url == "https://wfh.example.go.id"
    assert json.loads(paths.settings.read_text())["version"] == settings_mod.SETTINGS_VERSION
    assert app.autostart.is_enabled()
    assert app.model.settings == saved
    qtbot.waitUntil(lambda: app.model.today.zone.name == "WITA", timeout=WAIT_MS)

    app.open_settings()
    assert app.settings_dialog.autostart.isChecked()
    app.settings_dialog.autostart.setChecked(False)
    _save(app.settings_dialog, qtbot)
    assert not app.autostart.is_enabled()


def test_a_failed_save_is_said_in_the_dialog_which_stays_open(app, qtbot, paths):
    paths.config_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.config_dir.write_text("a file where the folder should be")
    app.open_settings()
    dialog = app.settings_dialog
    dialog.zone.setCurrentIndex(dialog.zone.findData("WIT"))
    _save(dialog, qtbot)
    assert dialog.isVisible()
    assert "could not be saved" in dialog.save_error.text()
    assert app.model.settings.office_zone == "WIB"  # nothing half-applied


def test_switching_the_language_redraws_the_window_and_the_menu(app, qtbot, paths):
    assert app.window.start_button.text() == "&Start a task…"
    app.show_window()
    app.open_settings()
    dialog = app.settings_dialog
    dialog.language.setCurrentIndex(dialog.language.findData("id"))
    _save(dialog, qtbot)
    assert language() == "id"
    assert app.window.start_button.text() == "&Mulai tugas…"
    assert app.window.isVisible()
    assert app.menu.start.text() == "Mulai tugas…"
    qtbot.waitUntil(
        lambda: app.window.title.text() == "Tidak ada tugas yang berjalan", timeout=WAIT_MS
    )
    assert settings_mod.load(paths.settings)[0].language == "id"
    # Qt's own words follow: the calendar of the daily log names the months in Indonesian.
    assert app.window.day_log.date.locale().monthName(8) == "Agustus"
    assert app.window.day_log.date.locale().dayName(1) == "Senin"
    # Reads after the switch reach only the new window (the old one is gone without errors).
    with qtbot.waitSignal(app.model.today_changed, timeout=WAIT_MS):
        app.model.refresh()
    qtbot.wait(200)
    # The settings open again from the new menu.
    app.menu.settings.trigger()
    assert app.settings_dialog.isVisible()
    # The new window still works: the picker opens from it.
    qtbot.mouseClick(app.window.start_button, Qt.MouseButton.LeftButton)
    assert app.picker.windowTitle() == "Mulai tugas"
