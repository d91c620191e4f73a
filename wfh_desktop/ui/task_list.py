"""The “Tugas” tab: the task list (open, done or all; search), a task's fields edited with each
error beside its field, mark done or open again, and delete with undo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.domain import Task
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.profile import Profile
from wfh_desktop.tasks import TaskService, clean_text, clean_title, clean_volume
from wfh_desktop.timefmt import fmt_minutes, fmt_number
from wfh_desktop.ui.model import AppModel

LIST_LIMIT = 500  # the newest tasks shown; search finds older ones
SEARCH_DELAY_MS = 200


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b3261e")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


class UndoBar(QWidget):
    """“… dihapus. [Urungkan]”, for the last delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel()
        self.button = QPushButton(tr("&Undo"))
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.hide()
        self._undo: Any = None
        self.button.clicked.connect(self._clicked)

    def offer(self, text: str, undo: Any) -> None:
        self.text.setText(text)
        self._undo = undo
        self.show()

    def _clicked(self) -> None:
        if self._undo is not None:
            self._undo()
        self._undo = None
        self.hide()


class TaskListView(QWidget):
    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.tasks: list[tuple[Task, int]] = []
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.setAccessibleName(tr("Show"))
        for label, value in ((tr("Open"), "open"), (tr("Done"), "done"), (tr("All"), None)):
            self.filter.addItem(label, value)
        top.addWidget(self.filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search titles"))
        self.search.setAccessibleName(tr("Search titles"))
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        layout.addLayout(top)

        self.table = QTableWidget(0, 8)
        self.table.setAccessibleName(tr("Tasks"))
        self.table.setHorizontalHeaderLabels(
            [
                tr("Task"),
                tr("Target"),
                tr("Actual"),
                tr("Status"),
                "RHK",
                tr("Output"),
                tr("Volume"),
                tr("Unit"),
            ]
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 8):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        layout.addWidget(self.table, 1)
        self.more = QLabel()
        self.more.hide()
        layout.addWidget(self.more)

        box = QGroupBox(tr("Edit the task"))
        form = QFormLayout(box)
        self.title = QLineEdit()
        self.title_error = error_label()
        form.addRow(tr("&Title"), self.title)
        form.addRow("", self.title_error)
        self.target = QSpinBox()
        self.target.setRange(1, 480)
        self.target.setSuffix(" " + tr("min"))
        form.addRow(tr("Tar&get"), self.target)
        self.rhk = QLineEdit()
        form.addRow("&RHK", self.rhk)
        self.output = QLineEdit()
        form.addRow(tr("&Output"), self.output)
        self.volume = QLineEdit()
        self.volume_error = error_label()
        form.addRow(tr("&Volume"), self.volume)
        form.addRow("", self.volume_error)
        self.unit = QLineEdit()
        form.addRow(tr("U&nit"), self.unit)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(tr("&Save changes"))
        self.done_button = QPushButton(tr("Mark &done"))
        self.delete_button = QPushButton(tr("D&elete"))
        for button in (self.save_button, self.done_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form.addRow(buttons)
        layout.addWidget(box)
        self.editor = box
        self.undo = UndoBar()
        layout.addWidget(self.undo)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.filter.currentIndexChanged.connect(lambda _: self.reload())
        self.table.itemSelectionChanged.connect(self._selected)
        self.save_button.clicked.connect(self._save)
        self.done_button.clicked.connect(self._toggle_done)
        self.delete_button.clicked.connect(self._delete)
        model.today_changed.connect(lambda _: self.reload())
        self._selected()
        self.reload()  # made after the app's first read (a tray app makes its window late)

    # ---- the list ------------------------------------------------------------------------

    def reload(self) -> None:
        status, search = self.filter.currentData(), self.search.text()

        def job(p: Profile) -> list[tuple[Task, int]]:
            service = TaskService(p)
            found = service.list_tasks(status=status, search=search, limit=LIST_LIMIT + 1)
            actual = service.actual_ms([t.id for t in found])
            return [(t, actual[t.id]) for t in found]

        self.model.read(job, self._show)

    def _show(self, rows: list[tuple[Task, int]]) -> None:
        keep = self.current()
        self.tasks = rows[:LIST_LIMIT]
        self.more.setText(
            tr("Showing the newest {n} tasks; search to find older ones.", n=LIST_LIMIT)
        )
        self.more.setVisible(len(rows) > LIST_LIMIT)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.tasks))
        for row, (task, actual) in enumerate(self.tasks):
            cells = [
                task.title,
                fmt_minutes(task.target_ms),
                fmt_minutes(actual),
                tr("done") if task.is_done else tr("open"),
                task.rhk or "",
                task.output or "",
                "" if task.volume is None else fmt_number(task.volume, 2).rstrip("0").rstrip(",."),
                task.unit or "",
            ]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.blockSignals(False)
        ids = [t.id for t, _ in self.tasks]
        if keep is not None and keep.id in ids:
            self.table.selectRow(ids.index(keep.id))
        else:
            self.table.clearSelection()
        self._selected()

    def current(self) -> Task | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.tasks):
            return None
        return self.tasks[rows[0].row()][0]

    def select_title(self, title: str) -> None:
        for row, (task, _) in enumerate(self.tasks):
            if task.title == title:
                self.table.selectRow(row)
                return

    def _selected(self) -> None:
        task = self.current()
        self.editor.setEnabled(task is not None)
        show_error(self.title_error, None)
        show_error(self.volume_error, None)
        if task is None:
            for field in (self.title, self.rhk, self.output, self.volume, self.unit):
                field.clear()
            return
        self.title.setText(task.title)
        self.target.setValue(task.target_minutes)
        self.rhk.setText(task.rhk or "")
        self.output.setText(task.output or "")
        self.volume.setText(
            "" if task.volume is None else fmt_number(task.volume, 2).rstrip("0").rstrip(",.")
        )
        self.unit.setText(task.unit or "")
        self.done_button.setText(tr("Open aga&in") if task.is_done else tr("Mark &done"))

    # ---- changes -------------------------------------------------------------------------

    def _save(self) -> None:
        task = self.current()
        if task is None:
            return
        fields: dict[str, Any] = {"target_minutes": self.target.value()}
        ok = True
        for name, field, label, clean in (
            ("title", self.title, self.title_error, clean_title),
            ("volume", self.volume, self.volume_error, clean_volume),
        ):
            try:
                fields[name] = clean(field.text())
                show_error(label, None)
            except UserError as e:
                show_error(label, e.render())
                ok = False
        if not ok:
            return
        fields.update(
            rhk=clean_text(self.rhk.text()),
            output=clean_text(self.output.text()),
            unit=clean_text(self.unit.text()),
        )
        self.model.act(lambda p: TaskService(p).edit(task.id, **fields))

    def _toggle_done(self) -> None:
        task = self.current()
        if task is None:
            return
        if task.is_done:
            self.model.act(lambda p: TaskService(p).reopen(task.id))
        else:
            self.model.act(lambda p: TaskService(p).mark_done(task.id))

    def _delete(self) -> None:
        task = self.current()
        if task is None:
            return

        def undo() -> None:
            self.model.act(lambda p: TaskService(p).restore(task.id))

        self.model.act(
            lambda p: TaskService(p).remove(task.id),
            lambda _: self.undo.offer(tr("Deleted: {title}", title=task.title), undo),
        )
