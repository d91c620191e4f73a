"""The “Ekspor” dialog: the activity log of a day, a month or a range of days written to CSV,
XLSX or PDF with a saved column profile, as ``wfh export`` writes it. The export runs on the
database thread; its result, or why it failed, is said in the dialog. An existing file is
replaced only when the user says so."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from wfh_desktop import export
from wfh_desktop.activity_log import ActivityLog, Person, build_log
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.paths import Paths
from wfh_desktop.profile import Profile
from wfh_desktop.timefmt import day_of
from wfh_desktop.ui.model import AppModel, error_text
from wfh_desktop.ui.widgets import error_label, show_error

MAX_DAYS = 366 * 5  # as ``wfh export``: at most five years


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _date_edit(display: str, name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat(display)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    return edit


class ExportDialog(QDialog):
    """Signals: none; ``exported`` holds the last file written (or None)."""

    def __init__(self, model: AppModel, paths: Paths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.paths = paths
        self.exported: Path | None = None
        self.replace_box: QMessageBox | None = None
        self._busy = False
        self._file_chosen = False  # the user chose the file: its name is no longer made up
        self.setWindowTitle(tr("Export the activity log"))
        self.resize(560, 0)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        today = day_of(model.clock.now_ms(), model.zone)
        self.period = QComboBox()
        self.period.setAccessibleName(tr("Period"))
        for label, kind in (
            (tr("A day"), "day"),
            (tr("A month"), "month"),
            (tr("From – to"), "range"),
        ):
            self.period.addItem(label, kind)
        self.day = _date_edit("dd/MM/yyyy", tr("Day"))
        self.day.setDate(_qdate(today))
        self.month = _date_edit("MM/yyyy", tr("Month"))
        self.month.setDate(_qdate(today.replace(day=1)))
        self.first = _date_edit("dd/MM/yyyy", tr("From"))
        self.first.setDate(_qdate(today.replace(day=1)))
        self.last = _date_edit("dd/MM/yyyy", tr("To"))
        self.last.setDate(_qdate(today))
        row = QHBoxLayout()
        row.addWidget(self.period)
        for w in (self.day, self.month, self.first, self.last):
            row.addWidget(w)
        row.addStretch(1)
        period_label = QLabel(tr("&Period"))
        period_label.setBuddy(self.period)  # a row of several fields: the label names the first
        form.addRow(period_label, row)
        self.period_error = error_label()
        form.addRow("", self.period_error)

        self.format = QComboBox()
        for label, fmt in (("XLSX (Excel)", "xlsx"), ("CSV", "csv"), ("PDF", "pdf")):
            self.format.addItem(label, fmt)
        form.addRow(tr("&Format"), self.format)

        self.profile = QComboBox()
        self.profile.addItem(tr("Default columns"), export.DEFAULT_PROFILE)
        self.profiles: dict[str, export.ExportProfile] = {}
        self.profile_error = error_label()
        try:
            self.profiles = export.load_profiles(paths.config_dir)
        except UserError as e:  # the default columns still work
            show_error(self.profile_error, e.render())
        for name in sorted(self.profiles):
            self.profile.addItem(name, name)
        form.addRow(tr("&Columns"), self.profile)
        form.addRow("", self.profile_error)

        self.file = QLineEdit()
        self.file.setAccessibleName(tr("File"))
        self.choose_button = QPushButton(tr("C&hoose…"))
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        file_label = QLabel(tr("F&ile"))
        file_label.setBuddy(self.file)
        form.addRow(file_label, file_row)
        self.file_error = error_label()
        form.addRow("", self.file_error)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(
            tr("&Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = buttons.addButton(tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.period.currentIndexChanged.connect(self._period_kind_changed)
        for edit in (self.day, self.month, self.first, self.last):
            edit.dateChanged.connect(self._suggest_file)
        self.format.currentIndexChanged.connect(self._suggest_file)
        self.file.textEdited.connect(self._file_typed)
        self.choose_button.clicked.connect(self.choose_file)
        self.period.setCurrentIndex(self.period.findData("month"))
        self._period_kind_changed()

    # ---- the choices -----------------------------------------------------------------------

    def chosen_period(self) -> tuple[date, date]:
        """The first and last day chosen (raises UserError if they make no range)."""
        kind = self.period.currentData()
        if kind == "day":
            d = _date(self.day.date())
            return d, d
        if kind == "month":
            first = _date(self.month.date()).replace(day=1)
            after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, date.fromordinal(after.toordinal() - 1)
        first, last = _date(self.first.date()), _date(self.last.date())
        if last < first:
            raise UserError("The range ends before it starts.")
        if (last - first).days > MAX_DAYS:
            raise UserError("An export covers at most five years; choose a shorter range.")
        return first, last

    def chosen_format(self) -> str:
        fmt: str = self.format.currentData()
        return fmt

    def _period_kind_changed(self, *_args: Any) -> None:
        kind = self.period.currentData()
        self.day.setVisible(kind == "day")
        self.month.setVisible(kind == "month")
        self.first.setVisible(kind == "range")
        self.last.setVisible(kind == "range")
        self._suggest_file()

    def _file_typed(self, text: str) -> None:
        self._file_chosen = bool(text.strip())

    def _folder(self) -> Path:
        current = self.file.text().strip()
        if current:
            return Path(current).expanduser().parent
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents else Path.home()

    def default_name(self) -> str | None:
        try:
            first, last = self.chosen_period()
        except UserError:
            return None
        # export.default_name reads only the period of the log it is given.
        empty = ActivityLog(Person(None, None, None), first, last, self.model.zone, 0, [])
        return export.default_name(empty, self.chosen_format())

    def _suggest_file(self, *_args: Any) -> None:
        """A file name made from the period and the format, until the user chooses one; a
        chosen file follows the format's extension."""
        show_error(self.period_error, None)
        fmt = self.chosen_format()
        current = self.file.text().strip()
        if self._file_chosen and current:
            path = Path(current)
            if path.suffix.lower().lstrip(".") in export.FORMATS:
                self.file.setText(str(path.with_suffix(f".{fmt}")))
            return
        name = self.default_name()
        if name is not None:
            self.file.setText(str(self._folder() / name))

    def choose_file(self) -> None:
        fmt = self.chosen_format()
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            tr("Export to"),
            self.file.text(),
            tr("{format} files (*.{ext})", format=fmt.upper(), ext=fmt),
            options=QFileDialog.Option.DontConfirmOverwrite,  # asked when exporting
        )
        if chosen:
            self.file.setText(chosen)
            self._file_chosen = True

    def chosen_path(self) -> Path | None:
        text = self.file.text().strip()
        if not text:
            show_error(self.file_error, tr("Choose the file to export to."))
            return None
        show_error(self.file_error, None)
        path = Path(text).expanduser()
        fmt = self.chosen_format()
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(f"{path.name}.{fmt}")
        return path

    # ---- exporting -------------------------------------------------------------------------

    def start_export(self) -> None:
        """Check the choices, ask before replacing a file, then export on the database thread."""
        if self._busy:
            return
        self.message.hide()
        show_error(self.error, None)
        try:
            first, last = self.chosen_period()
        except UserError as e:
            show_error(self.period_error, e.render())
            return
        show_error(self.period_error, None)
        path = self.chosen_path()
        if path is None:
            return
        if path.is_file():
            self._ask_to_replace(path, first, last)
            return
        self.run_export(path, first, last, overwrite=False)

    def _ask_to_replace(self, path: Path, first: date, last: date) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(tr("Replace the file?"))
        box.setText(tr("{path} already exists. Replace it?", path=str(path)))
        replace = box.addButton(tr("Replace"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(replace)
        self.replace_box = box

        def answered(_result: int) -> None:
            self.replace_box = None
            if box.clickedButton() is replace:
                self.run_export(path, first, last, overwrite=True)
            else:
                show_error(self.error, tr("Not exported: {path} was kept.", path=str(path)))

        box.finished.connect(answered)
        box.open()

    def run_export(self, path: Path, first: date, last: date, *, overwrite: bool) -> None:
        fmt = self.chosen_format()
        name = self.profile.currentData()
        profile = self.profiles.get(name) or export.ExportProfile(export.DEFAULT_PROFILE)
        z = self.model.zone

        def job(p: Profile) -> tuple[Path, ActivityLog]:
            log = build_log(p, first, last, z)
            return export.write_export(log, fmt, path, profile, overwrite=overwrite), log

        self._set_busy(True)
        self.model.worker.submit(job, self._done)

    def _done(self, result: Any, error: BaseException | None) -> None:
        if not isValid(self):
            return  # the dialog was closed meanwhile; the export itself went on
        self._set_busy(False)
        if error is not None:
            show_error(self.error, error_text(error))
            return
        written, log = result
        self.exported = written
        text = tr("Exported to {path}: {what}", path=str(written), what=export.describe(log))
        if not log.entries:
            text += "\n" + tr(
                "No work was tracked in this period; the file holds the headings only."
            )
        self.message.setText(text)
        self.message.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.export_button.setEnabled(not busy)
        if busy:
            self.message.setText(tr("Exporting…"))
            self.message.show()
