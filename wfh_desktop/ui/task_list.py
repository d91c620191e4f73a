"""The “Tugas” tab: the task list (open, done or all; search), a task's fields edited with each
error beside its field, mark done or open again, and delete with undo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.domain import Task
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import language, tr
from wfh_desktop.profile import Profile
from wfh_desktop.tasks import TaskService, clean_fields
from wfh_desktop.timefmt import fmt_minutes
from wfh_desktop.ui.model import AppModel
from wfh_desktop.ui.widgets import (
    ReadWhenSeen,
    UndoBar,
    button_row,
    error_label,
    row_table,
    show_error,
)

LIST_LIMIT = 500  # the newest tasks shown; search finds older ones
SEARCH_DELAY_MS = 200


def volume_text(volume: float | None) -> str:
    """A volume as it is typed back: no thousands marks, every decimal kept, the decimal mark
    of the language (``1000``, ``1,5`` / ``1.5``)."""
    if volume is None:
        return ""
    text = repr(float(volume))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",") if language() == "id" else text


class TaskListView(ReadWhenSeen):
    """Signals:
    handoff_requested(str, str): “Serahkan…” was chosen for a task (its id and title).
    """

    handoff_requested = Signal(str, str)

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.tasks: list[tuple[Task, int]] = []
        self.me: str | None = None  # the profile's user: a task assigned to them is theirs
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

        self.table = row_table(
            [
                tr("Task"),
                tr("Target"),
                tr("Actual"),
                tr("Status"),
                "RHK",
                tr("Output"),
                tr("Volume"),
                tr("Unit"),
            ],
            0,
            tr("Tasks"),
        )
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
        self.save_button = QPushButton(tr("&Save changes"))
        self.done_button = QPushButton(tr("Mark &done"))
        self.delete_button = QPushButton(tr("D&elete"))
        self.handoff_button = QPushButton(tr("&Hand over…"))
        self.handoff_button.setToolTip(tr("Hand the task over to a colleague"))
        form.addRow(
            button_row(self.save_button, self.done_button, self.delete_button, self.handoff_button)
        )
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
        self.handoff_button.clicked.connect(self.hand_over)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.context_menu: QMenu | None = None
        self._shown: dict[str, str] = {}  # the form's texts as last filled from the task
        model.today_changed.connect(self.data_changed)
        self._selected()

    # ---- the list ------------------------------------------------------------------------

    def reload(self) -> None:
        self.stale = False
        status, search = self.filter.currentData(), self.search.text()

        def job(p: Profile) -> tuple[list[tuple[Task, int]], str]:
            service = TaskService(p)
            found = service.list_tasks(status=status, search=search, limit=LIST_LIMIT + 1)
            actual = service.actual_ms([t.id for t in found])
            return [(t, actual[t.id]) for t in found], p.user_id

        self.model.read(job, lambda got: self._show(*got))

    def _show(self, rows: list[tuple[Task, int]], me: str | None = None) -> None:
        self.me = me
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
                volume_text(task.volume),
                task.unit or "",
            ]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.blockSignals(False)
        ids = [t.id for t, _ in self.tasks]
        if keep is not None and keep.id in ids:
            self.table.blockSignals(True)
            self.table.selectRow(ids.index(keep.id))
            self.table.blockSignals(False)
            if not self._edited():
                self._selected()  # show what is stored now; never over what is being typed
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

    def can_hand_over(self, task: Task | None) -> bool:
        """The task is the user's to hand over (not deleted, not with a colleague)."""
        return task is not None and task.deleted_at is None and task.assignee_user_id == self.me

    def _selected(self) -> None:
        task = self.current()
        self.editor.setEnabled(task is not None)
        self.handoff_button.setEnabled(self.can_hand_over(task))
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
        self.volume.setText(volume_text(task.volume))
        self.unit.setText(task.unit or "")
        self._shown = self._texts()
        self.done_button.setText(tr("Open aga&in") if task.is_done else tr("Mark &done"))

    def _texts(self) -> dict[str, str]:
        return {
            "title": self.title.text(),
            "target_minutes": str(self.target.value()),
            "rhk": self.rhk.text(),
            "output": self.output.text(),
            "volume": self.volume.text(),
            "unit": self.unit.text(),
        }

    def _edited(self) -> bool:
        return self.current() is not None and self._texts() != self._shown

    # ---- changes -------------------------------------------------------------------------

    def _save(self) -> None:
        """Store the fields the user changed, and only those."""
        task = self.current()
        if task is None:
            return
        texts = self._texts()
        changed = {k: v for k, v in texts.items() if v != self._shown.get(k)}
        labels = {"title": self.title_error, "volume": self.volume_error}
        fields: dict[str, Any] = {}
        ok = True
        for name, text in changed.items():
            try:
                fields |= clean_fields({name: text})  # the core's own checks, one field at a time
            except UserError as e:
                show_error(labels[name], e.render())  # only these two fields can be wrong
                ok = False
        for name, label in labels.items():
            if name not in changed or name in fields:
                show_error(label, None)
        if ok and fields:
            self.model.act(lambda p: TaskService(p).edit(task.id, **fields))
            self._shown = texts

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

    # ---- handing over --------------------------------------------------------------------

    def hand_over(self) -> None:
        task = self.current()
        if self.can_hand_over(task):
            assert task is not None
            self.handoff_requested.emit(task.id, task.title)

    def _context_menu(self, pos: QPoint) -> None:
        row = self.table.rowAt(pos.y())
        if row < 0:
            return
        self.table.selectRow(row)
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        menu = QMenu(self)
        action = menu.addAction(tr("&Hand over…"))
        action.setEnabled(self.can_hand_over(self.current()))
        action.triggered.connect(self.hand_over)
        self.context_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))
