"""Small pieces the windows share: read-only tables, rows of buttons, an error beside a field,
and the undo bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QWidget,
)

from wfh_desktop.i18n import tr


def row_table(headers: Sequence[str], stretch: int, accessible_name: str) -> QTableWidget:
    """A read-only table chosen by whole rows, one at a time; column ``stretch`` takes the room
    left, the others fit their contents."""
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(accessible_name)
    table.setHorizontalHeaderLabels(list(headers))
    header = table.horizontalHeader()
    for col in range(len(headers)):
        header.setSectionResizeMode(
            col,
            QHeaderView.ResizeMode.Stretch
            if col == stretch
            else QHeaderView.ResizeMode.ResizeToContents,
        )
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    return table


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def ok_cancel(layout: Any, ok_text: str, on_ok: Any, on_cancel: Any) -> QPushButton:
    """A dialog's two buttons, ``ok_text`` and "Batal", at the end of ``layout``; returns the
    first."""
    buttons = QDialogButtonBox()
    ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(on_cancel)
    layout.addWidget(buttons)
    return ok


def error_label() -> QLabel:
    """A message beside a field, hidden until there is something to say."""
    label = QLabel()
    label.setStyleSheet("color: #b3261e")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


class ReadWhenSeen(QWidget):
    """A view that reads its data only when seen: told of a change while hidden (a tab not
    open, a window closed to the tray), it reads when next shown. ``reload`` clears ``stale``."""

    stale = True  # nothing read yet: read when first shown

    def reload(self) -> None:
        raise NotImplementedError

    def data_changed(self, *_args: Any) -> None:
        if self.isVisible():
            self.reload()
        else:
            self.stale = True

    def showEvent(self, event: Any) -> None:  # Qt override
        super().showEvent(event)
        if self.stale:
            self.reload()


class UndoBar(QWidget):
    """“Dihapus: … [Urungkan]”, for the last delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel()
        self.button = QPushButton(tr("&Undo"))
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.hide()
        self._undo: Callable[[], None] | None = None
        self.button.clicked.connect(self._clicked)

    def offer(self, text: str, undo: Callable[[], None]) -> None:
        self.text.setText(text)
        self._undo = undo
        self.show()

    def _clicked(self) -> None:
        if self._undo is not None:
            self._undo()
        self._undo = None
        self.hide()
