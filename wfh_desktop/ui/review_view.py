"""The “Perlu ditinjau” tab: what the server decided that the user should look at (a timer it
stopped, a change that lost to a newer one, an overlap, a refused change), newest first. The
user corrects a session in “Catatan harian” and marks the item as looked at here; nothing is
resolved for them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from wfh_desktop.i18n import tr
from wfh_desktop.profile import Profile
from wfh_desktop.timefmt import fmt_datetime
from wfh_desktop.ui.model import AppModel
from wfh_desktop.ui.widgets import ReadWhenSeen, button_row, row_table


class ReviewView(ReadWhenSeen):
    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.items: list[Any] = []
        layout = QVBoxLayout(self)
        self.empty = QLabel(tr("Nothing to review."))
        layout.addWidget(self.empty)
        self.table = row_table(
            [tr("When"), tr("Task"), tr("What happened")], 2, tr("Items to review")
        )
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        self.seen_button = QPushButton(tr("&Mark as looked at"))
        self.all_button = QPushButton(tr("Mark &all as looked at"))
        self.seen_button.clicked.connect(self.mark_selected)
        self.all_button.clicked.connect(self.mark_all)
        layout.addLayout(button_row(self.seen_button, self.all_button))
        hint = QLabel(tr("Correct a session in the daily log; then mark its item here."))
        hint.setWordWrap(True)
        layout.addWidget(hint)

    def reload(self) -> None:
        self.stale = False
        zone = self.model.zone

        def job(p: Profile) -> list[Any]:
            from wfh_desktop.sync import review

            return review.items(p.conn, zone)

        self.model.read(job, self._show)

    def _show(self, items: list[Any]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        zone = self.model.zone
        for row, item in enumerate(items):
            when = fmt_datetime(item.start_at, zone) if item.start_at is not None else ""
            for col, text in enumerate((when, item.task_title or "", item.text)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self.empty.setVisible(not items)
        self.table.setVisible(bool(items))
        self.seen_button.setEnabled(bool(items))
        self.all_button.setEnabled(bool(items))

    def mark_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            self._mark([self.items[row].key])

    def mark_all(self) -> None:
        self._mark([i.key for i in self.items])

    def _mark(self, keys: list[str]) -> None:
        now = self.model.clock.now_ms()

        def job(p: Profile) -> int:
            from wfh_desktop.sync import review

            with p.write() as (conn, _):
                return review.mark_seen(conn, keys, now)

        # Not a change to sync: straight to the database thread, then read again.
        self.model.worker.submit(job, lambda _r, _e: self.reload())
