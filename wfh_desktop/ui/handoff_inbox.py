"""The app's look-out for tasks handed to the user: the ones waiting for an answer, read again
after every change and every sync, for the “Tugas masuk” tab, its count and the tray notice of
new ones. Reads run on the database thread."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from wfh_desktop.i18n import tr
from wfh_desktop.ui.model import AppModel

if TYPE_CHECKING:
    from wfh_desktop.handoffs import Handoff
    from wfh_desktop.profile import Profile

log = logging.getLogger("wfh.ui")


def arrived_text(new: list[Handoff]) -> str:
    if len(new) == 1:
        h = new[0]
        return tr(
            "{who} handed you a task: {title}. See “Incoming tasks” in the main window.",
            who=h.from_name or h.from_nip or tr("a colleague"),
            title=h.task_title or "?",
        )
    return tr("{n} tasks were handed to you: see “Incoming tasks” in the main window.", n=len(new))


class HandoffInbox(QObject):
    """The handoffs to the user waiting for an answer, oldest first.

    Signals:
        inbox_read(object): the pending handoffs (a list of ``Handoff``), read again.
        handoffs_arrived(object): pending handoffs not seen before in this run (a list).
    """

    inbox_read = Signal(object)
    handoffs_arrived = Signal(object)

    def __init__(self, model: AppModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.pending: list[Handoff] = []
        self._seen: set[str] = set()
        self._reading = False
        self._again = False

    def refresh(self, *_args: Any) -> None:
        """Read again; reads asked for while one runs make one more read after it."""
        if self._reading:
            self._again = True
            return
        self._reading = True

        def job(p: Profile) -> list[Handoff]:
            from wfh_desktop.handoffs import HandoffService

            return HandoffService(p).inbox()

        self.model.worker.submit(job, self._read)

    def _read(self, found: Any, error: BaseException | None) -> None:
        self._reading = False
        if error is not None:
            log.error("cannot read the incoming tasks", exc_info=error)
        else:
            self.pending = list(found)
            new = [h for h in self.pending if h.id not in self._seen]
            self._seen.update(h.id for h in new)
            self.inbox_read.emit(self.pending)
            if new:
                self.handoffs_arrived.emit(new)
        if self._again:
            self._again = False
            self.refresh()
