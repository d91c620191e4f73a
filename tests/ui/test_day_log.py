"""The “Catatan harian” tab: a day's sessions, manual sessions added, corrected and deleted."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from tests.conftest import MINUTE, MONDAY_0800_WIB
from tests.ui.conftest import WAIT_MS, open_tab
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES, day_start_ms

MONDAY = date(2026, 11, 2)


def _rows(view):
    return [
        tuple(view.table.item(r, c).text() for c in range(6)) for r in range(view.table.rowCount())
    ]


def _ready(app, qtbot, other, clock):
    TaskService(other).add("Menyusun laporan", 30)
    clock.set(MONDAY_0800_WIB + 4 * 60 * MINUTE)  # 12.00 WIB
    app.model.refresh()
    view = open_tab(app, app.window.day_log)
    qtbot.waitUntil(lambda: view.task.findText("Menyusun laporan") >= 0, timeout=WAIT_MS)
    return view


def test_add_a_manual_session_with_errors_beside_the_fields(app, qtbot, other, clock):
    view = _ready(app, qtbot, other, clock)
    view.task.setCurrentIndex(view.task.findText("Menyusun laporan"))
    view.start.setText("8 pagi")
    view.end.setText("08.25")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert "Cannot read the time" in view.start_error.text()
    view.start.setText("08.30")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.start_error.isHidden()
    assert view.end_error.text() == "The end must be after the start."
    view.end.setText("13:00")  # after 12.00 now
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.end_error.text() == "A session cannot end in the future."
    assert SessionService(other).log(0, 2**62) == []  # nothing stored so far

    view.start.setText("08.00")
    view.end.setText("08:25")
    view.note.setText("draf")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_rows(view)) == 1, timeout=WAIT_MS)
    assert _rows(view) == [("08:00 WIB", "08:25 WIB", "25:00", "Menyusun laporan", "draf", "")]
    (entry,) = SessionService(other).log(0, 2**62)
    assert entry.session.start_at == day_start_ms(MONDAY, ZONES["WIB"]) + 8 * 60 * MINUTE
    assert view.total.text() == "Worked: 25 min"


def test_correct_and_delete_a_session_with_undo(app, qtbot, other, clock):
    view = _ready(app, qtbot, other, clock)
    SessionService(other).add(
        "Menyusun laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 20 * MINUTE, "awal"
    )
    app.model.refresh()
    qtbot.waitUntil(lambda: len(_rows(view)) == 1, timeout=WAIT_MS)
    view.table.selectRow(0)
    assert (view.start.text(), view.end.text(), view.note.text()) == ("08:00", "08:20", "awal")
    view.end.setText("08.40")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _rows(view)[0][1] == "08:40 WIB", timeout=WAIT_MS)
    assert SessionService(other).log(0, 2**62)[0].session.end_at == MONDAY_0800_WIB + 40 * MINUTE

    view.table.selectRow(0)
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _rows(view) == [], timeout=WAIT_MS)
    assert SessionService(other).log(0, 2**62) == []
    assert view.undo.text.text() == "Deleted: Menyusun laporan, 08:00 WIB"
    qtbot.mouseClick(view.undo.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_rows(view)) == 1, timeout=WAIT_MS)


def test_other_days_and_flags(app, qtbot, other, clock):
    view = _ready(app, qtbot, other, clock)
    sessions = SessionService(other)
    sunday = MONDAY_0800_WIB - 24 * 60 * MINUTE
    sessions.add("Menyusun laporan", sunday, sunday + 30 * MINUTE)
    sessions.add("Menyusun laporan", sunday + 10 * MINUTE, sunday + 20 * MINUTE)  # overlaps
    app.model.refresh()
    qtbot.waitUntil(lambda: view.log is not None and view.log.day == MONDAY, timeout=WAIT_MS)
    assert _rows(view) == []
    qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_rows(view)) == 2, timeout=WAIT_MS)
    assert view.date.date().toString("dd/MM/yyyy") == "01/11/2026"
    assert [r[5] for r in _rows(view)] == ["", "overlaps"]
    qtbot.mouseClick(view.today_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _rows(view) == [], timeout=WAIT_MS)


def test_a_note_alone_changes_only_the_note(app, qtbot, other, clock):
    view = _ready(app, qtbot, other, clock)
    sessions = SessionService(other)
    start = MONDAY_0800_WIB + 37_000  # 08.00.37
    sessions.add("Menyusun laporan", start, start + 20 * MINUTE + 8_500)
    # Sunday 23.30 to Monday 00.30 WIB, across midnight
    late = MONDAY_0800_WIB - 8 * 60 * MINUTE - 30 * MINUTE
    sessions.add("Menyusun laporan", late, late + 60 * MINUTE)
    app.model.refresh()
    qtbot.waitUntil(lambda: len(_rows(view)) == 2, timeout=WAIT_MS)
    assert view.total.text() == "Worked: 50 min"  # 30 of the late one, and 20
    for row in (0, 1):
        view.table.selectRow(row)
        view.note.setText(f"catatan {row}")
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        assert view.end_error.isHidden(), view.end_error.text()
        qtbot.waitUntil(lambda row=row: _rows(view)[row][4] == f"catatan {row}", timeout=WAIT_MS)
    stored = {e.session.start_at: e.session for e in sessions.log(0, 2**62)}
    assert stored[start].end_at == start + 20 * MINUTE + 8_500
    assert stored[late].end_at == late + 60 * MINUTE


def test_a_running_session_keeps_running_when_its_note_is_changed(app, qtbot, other, clock):
    from wfh_desktop.timer import TimerService

    view = _ready(app, qtbot, other, clock)
    TimerService(other).start("Menyusun laporan")
    app.model.refresh()
    qtbot.waitUntil(lambda: len(_rows(view)) == 1, timeout=WAIT_MS)
    view.table.selectRow(0)
    assert view.end.text() == ""
    view.note.setText("masih jalan")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _rows(view)[0][4] == "masih jalan", timeout=WAIT_MS)
    assert TimerService(other).status().running is not None
