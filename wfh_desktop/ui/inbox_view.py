"""The “Tugas masuk” tab: tasks colleagues handed to the user, waiting for an answer (oldest
first), each with who handed it, when, their note and the time already spent on it. The user
accepts it, declines it saying why, or accepts and continues it at once (“Lanjutkan tugas
rekan”: its timer starts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from wfh_desktop.handoffs import who
from wfh_desktop.i18n import tr
from wfh_desktop.timefmt import fmt_datetime, fmt_minutes
from wfh_desktop.ui.decline_dialog import DeclineDialog
from wfh_desktop.ui.handoff_inbox import HandoffInbox
from wfh_desktop.ui.model import AppModel
from wfh_desktop.ui.widgets import button_row, row_table

if TYPE_CHECKING:
    from wfh_desktop.handoffs import Handoff
    from wfh_desktop.profile import Profile


def spent_ms(handoff: Handoff) -> int:
    """Everyone's time on the task when it was handed, as the server summed it."""
    return sum(int(s.get("ms") or 0) for s in handoff.shares)


def spent_by_whom(handoff: Handoff) -> str:
    return "\n".join(
        tr(
            "{who}: {minutes}",
            who=who(s.get("name"), s.get("nip")),
            minutes=fmt_minutes(int(s.get("ms") or 0)),
        )
        for s in handoff.shares
    )


class InboxView(QWidget):
    def __init__(self, model: AppModel, inbox: HandoffInbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.inbox = inbox
        self.items: list[Handoff] = []
        self.decline_dialog: DeclineDialog | None = None
        layout = QVBoxLayout(self)
        self.empty = QLabel(tr("No task handed to you is waiting for an answer."))
        layout.addWidget(self.empty)
        self.table = row_table(
            [tr("Task"), tr("From"), tr("When"), tr("Note"), tr("Time already spent")],
            3,
            tr("Tasks handed to you"),
        )
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        self.accept_button = QPushButton(tr("&Accept"))
        self.decline_button = QPushButton(tr("&Decline…"))
        self.continue_button = QPushButton(tr("Contin&ue colleague's task"))
        self.continue_button.setToolTip(tr("Accept the task and start its timer"))
        self.accept_button.clicked.connect(self.accept_selected)
        self.decline_button.clicked.connect(self.decline_selected)
        self.continue_button.clicked.connect(self.continue_selected)
        layout.addLayout(button_row(self.accept_button, self.decline_button, self.continue_button))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.table.itemSelectionChanged.connect(self._selected)
        inbox.inbox_read.connect(self.show_items)
        self.show_items(inbox.pending)

    def show_items(self, items: list[Handoff]) -> None:
        keep = self.current()
        self.items = list(items)
        zone = self.model.zone
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.items))
        for row, h in enumerate(self.items):
            cells = (
                h.task_title or "?",
                who(h.from_name, h.from_nip),
                fmt_datetime(h.at, zone),
                h.note or "",
                fmt_minutes(spent_ms(h)),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 4 and h.shares:
                    item.setToolTip(spent_by_whom(h))
                self.table.setItem(row, col, item)
        ids = [h.id for h in self.items]
        self.table.clearSelection()
        if keep is not None and keep.id in ids:
            self.table.selectRow(ids.index(keep.id))
        elif len(self.items) == 1:
            self.table.selectRow(0)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not self.items)
        self.table.setVisible(bool(self.items))
        self._selected()

    def current(self) -> Handoff | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]

    def select_title(self, title: str) -> bool:
        for row, h in enumerate(self.items):
            if h.task_title == title:
                self.table.selectRow(row)
                return True
        return False

    def _selected(self) -> None:
        chosen = self.current() is not None
        for button in (self.accept_button, self.decline_button, self.continue_button):
            button.setEnabled(chosen)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ---- answers -------------------------------------------------------------------------

    def accept_selected(self) -> None:
        h = self.current()
        if h is None:
            return
        ident, title = h.id, h.task_title or "?"

        def job(p: Profile) -> Handoff:
            from wfh_desktop.handoffs import HandoffService

            return HandoffService(p).accept(ident)

        self._say("")
        self.model.act(
            job,
            lambda _h: self._say(
                tr("Accepted: {title}. It is in your task list now.", title=title)
            ),
        )

    def decline_selected(self) -> None:
        h = self.current()
        if h is None:
            return
        if self.decline_dialog is not None:
            self.decline_dialog.close()
            self.decline_dialog.deleteLater()
        self._say("")
        self.decline_dialog = DeclineDialog(self.model, h, self)
        self.decline_dialog.declined.connect(
            lambda d: self._say(
                tr(
                    "Declined: {title}; it goes back to {who}.",
                    title=d.task_title,
                    who=who(d.from_name, d.from_nip),
                )
            )
        )
        self.decline_dialog.open()

    def continue_selected(self) -> None:
        """Accept the task if it still waits for an answer, then start its timer the way every
        start in the app does."""
        h = self.current()
        if h is None:
            return
        ident = h.id

        def job(p: Profile) -> str:
            from wfh_desktop.handoffs import ACCEPTED, HandoffService

            service = HandoffService(p)
            found = service.find(ident)
            if found.status != ACCEPTED:  # pending; a declined one is refused by accept
                service.accept(ident)
            return found.task_id

        self._say("")
        self.model.act(job, self.model.start_task)
