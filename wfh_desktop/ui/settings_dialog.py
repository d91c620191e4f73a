"""“Pengaturan”: language, office time zone, default target, notifications, start at login and
the server address (kept for sync). A wrong value is said beside its field; nothing is saved
until every field is right."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.autostart import Autostart
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.settings import Settings, validate
from wfh_desktop.timefmt import ZONES
from wfh_desktop.ui.widgets import error_label, ok_cancel, show_error


class SettingsDialog(QDialog):
    """``apply(settings, start_at_login)`` saves and follows the choice, and returns what went
    wrong (said in the dialog, which then stays open) or None."""

    def __init__(
        self,
        current: Settings,
        autostart: Autostart,
        apply: Callable[[Settings, bool], str | None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._apply = apply
        self.setWindowTitle(tr("Settings"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.language = QComboBox()
        for label, value in (
            (tr("As the system (else Bahasa Indonesia)"), None),
            ("Bahasa Indonesia", "id"),
            ("English", "en"),
        ):
            self.language.addItem(label, value)
        self.language.setCurrentIndex(max(self.language.findData(current.language), 0))
        form.addRow(tr("&Language"), self.language)

        self.zone = QComboBox()
        for name, z in ZONES.items():
            self.zone.addItem(f"{name} (UTC+{z.offset_hours})", name)
        self.zone.setCurrentIndex(max(self.zone.findData(current.office_zone), 0))
        form.addRow(tr("Office &time zone"), self.zone)

        self.target = QSpinBox()
        self.target.setRange(1, 480)
        self.target.setValue(current.default_target_minutes)
        self.target.setSuffix(" " + tr("min"))
        form.addRow(tr("Default &target"), self.target)

        self.at_target = QCheckBox(tr("Tell me when a running task reaches its target"))
        self.at_target.setChecked(current.notify_at_target)
        form.addRow(self.at_target)
        self.far_over = QCheckBox(tr("Tell me when it goes 50% over its target"))
        self.far_over.setChecked(current.notify_far_over)
        form.addRow(self.far_over)
        self.autostart = QCheckBox(tr("Start WFH Desktop when I log in"))
        self.autostart.setChecked(autostart.is_enabled())
        form.addRow(self.autostart)

        self.server = QLineEdit(current.server_url or "")
        self.server.setPlaceholderText("https://wfh.instansi.go.id")
        form.addRow(tr("&Server address"), self.server)
        self.server_error = error_label()
        form.addRow("", self.server_error)
        hint = QLabel(tr("Used for syncing with your agency; leave it empty to work locally."))
        hint.setWordWrap(True)
        form.addRow("", hint)

        self.save_error = error_label()
        layout.addWidget(self.save_error)
        self.save_button = ok_cancel(layout, tr("Save"), self._save, self.reject)
        self._current = current

    def _save(self) -> None:
        try:
            server = validate("server_url", self.server.text().strip())
        except UserError as e:
            show_error(self.server_error, e.render())
            self.server.setFocus()
            return
        chosen = self._current._replace(
            language=self.language.currentData(),
            office_zone=self.zone.currentData(),
            default_target_minutes=self.target.value(),
            notify_at_target=self.at_target.isChecked(),
            notify_far_over=self.far_over.isChecked(),
            server_url=server,
        )
        error = self._apply(chosen, self.autostart.isChecked())
        if error:
            show_error(self.save_error, error)
            return
        self.accept()
