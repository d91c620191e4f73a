"""The “Tugas” tab: list, search, edit with errors beside the fields, done, delete with undo."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import WAIT_MS, open_tab
from wfh_desktop.tasks import TaskService


def _titles(view):
    return [view.table.item(r, 0).text() for r in range(view.table.rowCount())]


def _loaded(app, qtbot, other, titles):
    tasks = TaskService(other)
    for title in titles:
        tasks.add(title, 30)
    app.model.refresh()
    view = open_tab(app, app.window.task_list)
    qtbot.waitUntil(lambda: len(_titles(view)) == len(titles), timeout=WAIT_MS)
    return view


def test_edit_a_task_with_errors_beside_the_fields(app, qtbot, other):
    view = _loaded(app, qtbot, other, ["Menyusun laporan"])
    view.select_title("Menyusun laporan")
    assert view.editor.isEnabled() and view.title.text() == "Menyusun laporan"
    view.title.setText("   ")
    view.volume.setText("banyak")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert view.title_error.text() == "A task needs a title."
    assert "must be a number" in view.volume_error.text()
    assert TaskService(other).find("Menyusun laporan").volume is None  # nothing was stored

    view.title.setText("Menyusun laporan bulanan")
    view.target.setValue(45)
    view.rhk.setText("RHK 1")
    view.output.setText("Laporan")
    view.volume.setText("1,5")
    view.unit.setText("dokumen")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert view.title_error.isHidden() and view.volume_error.isHidden()
    qtbot.waitUntil(lambda: _titles(view) == ["Menyusun laporan bulanan"], timeout=WAIT_MS)
    task = TaskService(other).find("Menyusun laporan bulanan")
    assert (task.target_minutes, task.rhk, task.output, task.volume, task.unit) == (
        45,
        "RHK 1",
        "Laporan",
        1.5,
        "dokumen",
    )
    assert view.table.item(0, 1).text() == "45 min"


def test_search_filter_and_done(app, qtbot, other):
    view = _loaded(app, qtbot, other, ["Rapat koordinasi", "Laporan kegiatan", "ÉVALUASI"])
    view.search.setText("évaluasi")
    qtbot.waitUntil(lambda: _titles(view) == ["ÉVALUASI"], timeout=WAIT_MS)
    view.search.clear()
    qtbot.waitUntil(lambda: len(_titles(view)) == 3, timeout=WAIT_MS)
    view.select_title("Rapat koordinasi")
    qtbot.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Rapat koordinasi" not in _titles(view), timeout=WAIT_MS)
    assert TaskService(other).find("Rapat koordinasi").is_done
    view.filter.setCurrentIndex(view.filter.findData("done"))
    qtbot.waitUntil(lambda: _titles(view) == ["Rapat koordinasi"], timeout=WAIT_MS)
    view.select_title("Rapat koordinasi")
    assert view.done_button.text() == "Open aga&in"
    qtbot.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _titles(view) == [], timeout=WAIT_MS)
    assert not TaskService(other).find("Rapat koordinasi").is_done


def test_delete_and_undo(app, qtbot, other):
    view = _loaded(app, qtbot, other, ["Surat masuk", "Rapat"])
    view.select_title("Surat masuk")
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _titles(view) == ["Rapat"], timeout=WAIT_MS)
    assert not view.undo.isHidden()
    assert view.undo.text.text() == "Deleted: Surat masuk"
    assert TaskService(other).list_tasks(include_deleted=True)[0].deleted_at is not None
    qtbot.mouseClick(view.undo.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sorted(_titles(view)) == ["Rapat", "Surat masuk"], timeout=WAIT_MS)
    assert view.undo.isHidden()
    assert TaskService(other).find("Surat masuk").deleted_at is None


def test_saving_one_field_leaves_the_others_exactly_as_stored(app, qtbot, other):
    tasks = TaskService(other)
    tasks.add("Arsip", 30, volume="1000", unit="berkas")
    tasks.add("Rekap", 30, volume=0.125)
    app.model.refresh()
    view = open_tab(app, app.window.task_list)
    qtbot.waitUntil(lambda: len(_titles(view)) == 2, timeout=WAIT_MS)
    for title, new in (("Arsip", "Arsip surat"), ("Rekap", "Rekap data")):
        view.select_title(title)
        view.title.setText(new)
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda new=new: new in _titles(view), timeout=WAIT_MS)
    assert TaskService(other).find("Arsip surat").volume == 1000
    assert TaskService(other).find("Rekap data").volume == 0.125
    view.select_title("Arsip surat")
    assert view.volume.text() == "1000"


def test_what_is_being_typed_survives_a_refresh(app, qtbot, other):
    view = _loaded(app, qtbot, other, ["Laporan"])
    view.select_title("Laporan")
    view.title.setText("Laporan bulan")
    TaskService(other).add("Dari terminal", 15)  # another program writes meanwhile
    qtbot.waitUntil(lambda: len(_titles(view)) == 2, timeout=WAIT_MS)
    assert view.title.text() == "Laporan bulan"
    assert view.current().title == "Laporan"


def test_a_tab_not_seen_reads_nothing_until_it_is_opened(app, qtbot, other):
    view = app.window.task_list  # the window is not shown
    TaskService(other).add("Laporan", 30)
    with qtbot.waitSignal(app.model.today_changed, timeout=WAIT_MS):
        app.model.refresh()
    qtbot.wait(200)
    assert _titles(view) == []
    open_tab(app, view)
    qtbot.waitUntil(lambda: _titles(view) == ["Laporan"], timeout=WAIT_MS)
