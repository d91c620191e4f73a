"""“Tolak tugas”: decline a task handed to the user, saying why (required: the colleague who
handed it is told). The task goes back to them. A refusal is said in the dialog, which keeps
the reason typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from wfh_desktop.handoffs import who
from wfh_desktop.i18n import tr
from wfh_desktop.ui.model import AppModel, error_text
from wfh_desktop.ui.widgets import error_label, ok_cancel, show_error

if TYPE_CHECKING:
    from wfh_desktop.handoffs import Handoff
    from wfh_desktop.profile import Profile


class DeclineDialog(QDialog):
    """Signals:
    declined(object): the handoff was declined (the stored ``Handoff``).
    """

    declined = Signal(object)

    def __init__(self, model: AppModel, handoff: Handoff, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.handoff = handoff
        self.setWindowTitle(tr("Decline a task"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "Decline “{title}”? It goes back to {who}, who is told your reason.",
                title=handoff.task_title or "?",
                who=who(handoff.from_name, handoff.from_nip),
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        label = QLabel(tr("&Reason (required)"))
        layout.addWidget(label)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(tr("Reason"))
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(96)
        label.setBuddy(self.reason)
        layout.addWidget(self.reason)
        self.error = error_label()
        layout.addWidget(self.error)
        self.ok = ok_cancel(layout, tr("&Decline"), self.submit, self.reject)
        self.reason.setFocus()

    def submit(self) -> None:
        show_error(self.error, None)
        reason = self.reason.toPlainText()
        if not reason.strip():
            show_error(self.error, tr("Say why you decline: the colleague who handed it is told."))
            self.reason.setFocus()
            return
        ident = self.handoff.id

        def job(p: Profile) -> Handoff:
            from wfh_desktop.handoffs import HandoffService

            return HandoffService(p).decline(ident, reason)

        self._busy(True)
        self.model.act(job, self._done, self._refused)

    def _busy(self, on: bool) -> None:
        self.ok.setEnabled(not on)
        self.reason.setEnabled(not on)

    def _done(self, handoff: Any) -> None:
        self._busy(False)
        self.declined.emit(handoff)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self._busy(False)
        show_error(self.error, error_text(error))
