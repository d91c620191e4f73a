"""“Mulai tugas…”: type to search, recent tasks first, Enter to start; or make a new task with a
15, 30 or 60-minute target (or another) and start it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.domain import TARGET_PRESETS
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.tasks import clean_title
from wfh_desktop.ui.model import AppModel
from wfh_desktop.ui.widgets import error_label, show_error

SEARCH_DELAY_MS = 150


class QuickPicker(QDialog):
    """Signals:
    task_chosen(str): the id of an existing task to start.
    task_created(str, int): the title and target of a new task to make and start.
    """

    task_chosen = Signal(str)
    task_created = Signal(str, int)

    def __init__(self, model: AppModel, default_target: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.setWindowTitle(tr("Start a task"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Type to search, or a new task's title"))
        self.search.setAccessibleName(tr("Search tasks"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)

        self.results = QListWidget()
        self.results.setAccessibleName(tr("Matching tasks"))
        layout.addWidget(self.results)

        self.new_label = QLabel(tr("New task with a target of:"))
        layout.addWidget(self.new_label)
        row = QHBoxLayout()
        self.preset_buttons: dict[int, QPushButton] = {}
        for minutes in TARGET_PRESETS:
            button = QPushButton(tr("{n} min", n=minutes))
            button.setAccessibleName(tr("New task, {n} minutes", n=minutes))
            button.clicked.connect(lambda _=False, m=minutes: self._create(m))
            row.addWidget(button)
            self.preset_buttons[minutes] = button
        self.custom = QSpinBox()
        self.custom.setRange(1, 480)
        self.custom.setValue(default_target)
        self.custom.setSuffix(" " + tr("min"))
        self.custom.setAccessibleName(tr("Other target in minutes"))
        row.addWidget(self.custom)
        self.custom_button = QPushButton(tr("Create and start"))
        self.custom_button.clicked.connect(lambda: self._create(self.custom.value()))
        row.addWidget(self.custom_button)
        layout.addLayout(row)

        self.error = error_label()
        layout.addWidget(self.error)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(self._text_changed)
        self.search.returnPressed.connect(self._enter)
        self.results.itemActivated.connect(self._chosen)
        self._search_now()

    # Down arrow from the search box goes to the list.
    def keyPressEvent(self, event: Any) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Down and self.search.hasFocus() and self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return
        super().keyPressEvent(event)

    def _text_changed(self, _text: str) -> None:
        # The list belongs to the old text: Enter must not start one of its tasks.
        self.results.clear()
        self._timer.start()

    def _search_now(self) -> None:
        text = self.search.text()

        def show(tasks: list[Any]) -> None:
            self._show(text, tasks)

        self.model.search(text, show)

    def _show(self, text: str, tasks: list[Any]) -> None:
        if text != self.search.text():
            return  # an older answer
        self.results.clear()
        for task in tasks:
            item = QListWidgetItem(
                tr("{title}  ({target} min)", title=task.title, target=task.target_minutes)
            )
            item.setData(Qt.ItemDataRole.UserRole, task.id)
            self.results.addItem(item)
        if tasks:
            self.results.setCurrentRow(0)

    def _enter(self) -> None:
        item = self.results.currentItem()
        if item is not None and self.results.count():
            self._chosen(item)
        elif self.search.text().strip():
            self._create(self.custom.value())

    def _chosen(self, item: QListWidgetItem) -> None:
        self.task_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()

    def _create(self, minutes: int) -> None:
        try:
            title = clean_title(self.search.text())
        except UserError as e:
            show_error(self.error, e.render())
            self.search.setFocus()
            return
        self.task_created.emit(title, minutes)
        self.accept()
