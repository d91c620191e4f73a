"""“Serahkan tugas”: hand a task over to a colleague, with a note for them. The colleague is
chosen from the directory kept on this computer (those handed to before first), shown at once;
when signed in, the server's directory is searched too, off the UI thread, and what it finds
joins the list. A missing colleague or note, and whatever the core refuses, is said in the
dialog, which keeps what was typed."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.i18n import tr
from wfh_desktop.ui.model import AppModel, error_text
from wfh_desktop.ui.sync_bridge import SyncBridge
from wfh_desktop.ui.widgets import error_label, ok_cancel, row_table, show_error

if TYPE_CHECKING:
    from wfh_desktop.handoffs import Colleague, Handoff
    from wfh_desktop.profile import Profile

SEARCH_DELAY_MS = 300


class HandoffDialog(QDialog):
    """Signals:
    handed_over(object): the task was handed over (the stored ``Handoff``).
    """

    handed_over = Signal(object)

    def __init__(
        self,
        model: AppModel,
        bridge: SyncBridge,
        task_id: str,
        task_title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.bridge = bridge
        self.task_id = task_id
        self.people: list[Colleague] = []
        self._asked = 0  # the local reads: only the last one's answer is shown
        self._server_busy = False
        self._server_asked: str | None = None  # the search the server is answering
        self._server_next: str | None = None  # a search typed meanwhile
        self.setWindowTitle(tr("Hand over a task"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.intro = intro = QLabel(
            tr(
                "Hand “{title}” over to a colleague. Your timer on it stops; every minute "
                "stays with whoever worked it.",
                title=task_title,
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        label = QLabel(tr("&Colleague"))
        layout.addWidget(label)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by name, unit or NIP"))
        self.search.setAccessibleName(tr("Search colleagues"))
        self.search.setClearButtonEnabled(True)
        label.setBuddy(self.search)
        layout.addWidget(self.search)
        self.table = row_table([tr("Name"), tr("Work unit"), tr("NIP")], 0, tr("Colleagues"))
        self.table.setMinimumHeight(160)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(tr("No colleague found. Sign in and search by name, unit or NIP."))
        self.empty.setWordWrap(True)
        self.empty.hide()
        layout.addWidget(self.empty)
        self.server_state = QLabel()
        self.server_state.setWordWrap(True)
        self.server_state.hide()
        layout.addWidget(self.server_state)

        note_label = QLabel(tr("&Note for the colleague (required)"))
        layout.addWidget(note_label)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(tr("Note for the colleague"))
        self.note.setPlaceholderText(tr("What is done, what is left, where the files are"))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(96)
        note_label.setBuddy(self.note)
        layout.addWidget(self.note)

        self.error = error_label()
        layout.addWidget(self.error)
        self.busy = QLabel(tr("Handing over…"))
        self.busy.hide()
        layout.addWidget(self.busy)
        self.ok = ok_cancel(layout, tr("&Hand over"), self.submit, self.reject)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_server)
        self.search.textChanged.connect(self._typed)
        self.table.itemSelectionChanged.connect(lambda: show_error(self.error, None))
        bridge.directory_found.connect(self._server_found)
        bridge.directory_failed.connect(self._server_failed)
        self.search.setFocus()
        self.read_local()
        if self.signed_in:
            self._search_server()
        else:
            self.server_state.setText(
                tr(
                    "Not signed in: these are the colleagues kept on this computer. Sign in "
                    "to search your agency's whole directory."
                )
            )
            self.server_state.show()

    # ---- the colleagues ------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return getattr(self.bridge.status, "account", None) is not None

    def _typed(self, _text: str) -> None:
        self.read_local()  # the kept directory at once
        self._search_timer.start()  # the server's after a pause in typing

    def read_local(self) -> None:
        """The directory kept here, for what is typed now."""
        search = self.search.text()
        self._asked += 1
        asked = self._asked

        def job(p: Profile) -> list[Colleague]:
            from wfh_desktop.handoffs import HandoffService

            return HandoffService(p).colleagues(search)

        def reply(people: Any, error: BaseException | None) -> None:
            if asked != self._asked:
                return  # a newer search was typed meanwhile
            if error is not None:
                show_error(self.error, error_text(error))
                return
            self._show(people)

        self.model.worker.submit(job, reply)

    def _show(self, people: list[Colleague]) -> None:
        keep = self.chosen()
        self.people = people
        self.table.blockSignals(True)
        self.table.setRowCount(len(people))
        for row, person in enumerate(people):
            for col, text in enumerate((person.name, person.unit, person.nip)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, person.nip)
                self.table.setItem(row, col, item)
        self.table.clearSelection()
        nips = [p.nip for p in people]
        if keep is not None and keep.nip in nips:
            self.table.selectRow(nips.index(keep.nip))
        elif len(people) == 1:
            self.table.selectRow(0)
        self.table.blockSignals(False)
        self.empty.setVisible(not people)
        self.table.setVisible(bool(people))

    def chosen(self) -> Colleague | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.people):
            return None
        return self.people[rows[0].row()]

    def choose(self, nip: str) -> bool:
        """Select the colleague with this NIP, if listed."""
        for row, person in enumerate(self.people):
            if person.nip == nip:
                self.table.selectRow(row)
                return True
        return False

    def _search_server(self) -> None:
        if not self.signed_in:
            return
        search = self.search.text().strip()
        if self._server_busy:
            self._server_next = search
            return
        self._server_busy = True
        self._server_asked, self._server_next = search, None
        self.server_state.setText(tr("Searching the server's directory…"))
        self.server_state.show()
        self.bridge.search_directory(search)

    def _server_answered(self) -> None:
        self._server_busy = False
        if self._server_next is not None and self._server_next != self._server_asked:
            self._search_server()

    def _server_found(self, _search: str, _people: Any) -> None:
        self.server_state.hide()
        self.read_local()  # what the server found is kept here now, in the directory's order
        self._server_answered()

    def _server_failed(self, _search: str, error: Any) -> None:
        self.server_state.setText(
            tr(
                "The server's directory could not be searched ({reason}); these are the "
                "colleagues kept on this computer.",
                reason=error_text(error),
            )
        )
        self.server_state.show()
        self._server_answered()

    # ---- handing over --------------------------------------------------------------------

    def submit(self) -> None:
        show_error(self.error, None)
        person = self.chosen()
        if person is None:
            show_error(self.error, tr("Choose the colleague to hand the task to."))
            self.search.setFocus()
            return
        note = self.note.toPlainText()
        if not note.strip():
            show_error(
                self.error, tr("Say in a note what the colleague should know: it is required.")
            )
            self.note.setFocus()
            return
        task_id, nip = self.task_id, person.nip

        def job(p: Profile) -> Handoff:
            from wfh_desktop.handoffs import HandoffService

            return HandoffService(p).give(task_id, nip, note)

        self._busy(True)
        # Through the model: a stored change, so the sync sends it soon and the views read again.
        self.model.act(job, self._given, self._refused)

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.ok.setEnabled(not on)
        for field in (self.search, self.table, self.note):
            field.setEnabled(not on)

    def _given(self, handoff: Any) -> None:
        self._busy(False)
        self.handed_over.emit(handoff)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self._busy(False)
        show_error(self.error, error_text(error))

    def done(self, result: int) -> None:
        self._search_timer.stop()
        for signal, slot in (
            (self.bridge.directory_found, self._server_found),
            (self.bridge.directory_failed, self._server_failed),
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
        super().done(result)
