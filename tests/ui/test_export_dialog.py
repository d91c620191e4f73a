"""The “Ekspor” dialog: the activity log written as CSV, XLSX or PDF from the app, the result
said in the dialog, and an existing file replaced only when the user says so."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import WAIT_MS
from wfh_desktop import export
from wfh_desktop.activity_log import build_log
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES, at_time

WIB = ZONES["WIB"]
MONDAY = date(2026, 11, 2)


def _at(day: date, hh: int, mm: int) -> int:
    return at_time(day, WIB, (hh, mm, 0))


def _seed(other, clock) -> None:
    tasks, sessions = TaskService(other), SessionService(other)
    tasks.add("Menyusun laporan", 30)
    tasks.add("Rapat koordinasi", 60)
    clock.set(_at(MONDAY, 12, 0))
    sessions.add("Menyusun laporan", _at(MONDAY, 8, 0), _at(MONDAY, 8, 25))
    sessions.add("Rapat koordinasi", _at(MONDAY, 9, 0), _at(MONDAY, 9, 55))
    tasks.mark_done("Rapat koordinasi")


def _open(app, qtbot, other, clock, via_tray: bool = False):
    _seed(other, clock)
    if via_tray:
        app.menu.export.trigger()
    else:
        app.show_window()
        qtbot.mouseClick(app.window.export_button, Qt.MouseButton.LeftButton)
    dialog = app.export_dialog
    assert dialog.isVisible()
    return dialog


def _choose(dialog, fmt: str, path) -> None:
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.file.setText(str(path))


def _export(dialog, qtbot) -> None:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)


def _finished(dialog, qtbot) -> None:
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=WAIT_MS)


def test_a_month_is_exported_to_csv_and_the_result_said(app, qtbot, other, clock, tmp_path):
    dialog = _open(app, qtbot, other, clock)
    assert dialog.period.currentData() == "month"  # this month, in the office zone
    assert dialog.file.text().endswith("activities-2026-11.xlsx")
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    assert dialog.file.text().endswith("activities-2026-11.csv")

    target = tmp_path / "kegiatan"
    _choose(dialog, "csv", target)
    _export(dialog, qtbot)
    _finished(dialog, qtbot)
    written = tmp_path / "kegiatan.csv"  # the format's extension added
    log = build_log(other, date(2026, 11, 1), date(2026, 11, 30), WIB)
    assert dialog.message.text() == (f"Exported to {written}: {export.describe(log)}")
    assert export.describe(log) == "2 lines, 1 h 20 min over 1 days (01/11/2026 to 30/11/2026)."
    assert dialog.exported == written
    lines = written.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("NIP;Name;Work unit;Date;Start time (WIB)")
    assert len(lines) == 3 and ";Menyusun laporan;" in lines[1]
    assert dialog.error.isHidden()


def test_a_day_as_pdf_with_a_saved_column_profile(app, qtbot, other, clock, paths, tmp_path):
    export.save_profile(
        paths.config_dir, export.ExportProfile("ekinerja", ("date", "minutes", "task"))
    )
    dialog = _open(app, qtbot, other, clock, via_tray=True)
    assert [dialog.profile.itemData(i) for i in range(dialog.profile.count())] == [
        "default",
        "ekinerja",
    ]
    dialog.profile.setCurrentIndex(dialog.profile.findData("ekinerja"))
    dialog.period.setCurrentIndex(dialog.period.findData("day"))
    dialog.day.setDate(QDate(2026, 11, 2))
    assert dialog.file.text().endswith("activities-2026-11-02.xlsx")
    _choose(dialog, "csv", tmp_path / "hari.csv")
    _export(dialog, qtbot)
    _finished(dialog, qtbot)
    lines = (tmp_path / "hari.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "Date;Minutes;Activity",
        "02/11/2026;25;Menyusun laporan",
        "02/11/2026;55;Rapat koordinasi",
    ]

    _choose(dialog, "pdf", tmp_path / "hari.pdf")
    _export(dialog, qtbot)
    _finished(dialog, qtbot)
    assert (tmp_path / "hari.pdf").read_bytes()[:5] == b"%PDF-"
    assert dialog.message.text().startswith(f"Exported to {tmp_path / 'hari.pdf'}: 2 lines")


def test_an_existing_file_is_replaced_only_when_confirmed(app, qtbot, other, clock, tmp_path):
    dialog = _open(app, qtbot, other, clock)
    target = tmp_path / "bulan.xlsx"
    target.write_bytes(b"kept")
    _choose(dialog, "xlsx", target)
    _export(dialog, qtbot)
    box = dialog.replace_box
    assert box is not None and box.isVisible()
    assert str(target) in box.text()
    cancel = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole
    )
    cancel.click()
    assert target.read_bytes() == b"kept"
    assert dialog.error.text() == f"Not exported: {target} was kept."

    _export(dialog, qtbot)
    box = dialog.replace_box
    replace = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole
    )
    replace.click()
    _finished(dialog, qtbot)
    assert dialog.message.text().startswith(f"Exported to {target}: 2 lines")
    from openpyxl import load_workbook

    sheet = load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[2]][7] == "Menyusun laporan"  # the task column


def test_mistakes_are_said_in_the_dialog(app, qtbot, other, clock, tmp_path):
    dialog = _open(app, qtbot, other, clock)
    dialog.period.setCurrentIndex(dialog.period.findData("range"))
    dialog.first.setDate(QDate(2026, 11, 5))
    dialog.last.setDate(QDate(2026, 11, 1))
    _export(dialog, qtbot)
    assert dialog.period_error.text() == "The range ends before it starts."
    assert dialog.message.isHidden()

    dialog.last.setDate(QDate(2026, 11, 6))
    dialog.file.setText("")
    _export(dialog, qtbot)
    assert dialog.period_error.isHidden()
    assert dialog.file_error.text() == "Choose the file to export to."

    missing = tmp_path / "no such folder" / "log.csv"
    _choose(dialog, "csv", missing)
    _export(dialog, qtbot)
    _finished(dialog, qtbot)
    assert dialog.error.text() == f"The folder {missing.parent} does not exist."  # the core's
    assert not missing.parent.exists()

    empty = tmp_path / "empty.csv"  # a period with no work: headings only, and said so
    dialog.first.setDate(QDate(2026, 12, 1))
    dialog.last.setDate(QDate(2026, 12, 2))
    _choose(dialog, "csv", empty)
    _export(dialog, qtbot)
    _finished(dialog, qtbot)
    assert dialog.message.text().endswith(
        "No work was tracked in this period; the file holds the headings only."
    )
    assert len(empty.read_text(encoding="utf-8-sig").splitlines()) == 1
