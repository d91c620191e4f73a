"""The “Catatan harian” tab: one day's sessions in the office zone, and manual sessions added,
corrected or deleted (with undo) under the same rules as ``wfh session``; a wrong time is said
beside its field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.domain import Task
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.profile import Profile
from wfh_desktop.sessions import LogEntry, SessionService, check_span, review_text
from wfh_desktop.timefmt import (
    MS_PER_DAY,
    at_time,
    day_of,
    day_start_ms,
    fmt_clock,
    fmt_elapsed,
    fmt_hours_minutes,
    parse_time,
)
from wfh_desktop.today import search_tasks
from wfh_desktop.ui.model import AppModel
from wfh_desktop.ui.widgets import (
    ReadWhenSeen,
    UndoBar,
    button_row,
    error_label,
    row_table,
    show_error,
)


class DayLog(NamedTuple):
    day: date
    entries: list[LogEntry]
    choices: list[Task]  # tasks a session can be put on


class DayLogView(ReadWhenSeen):
    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.log: DayLog | None = None
        self.day = day_of(model.clock.now_ms(), model.zone)
        layout = QVBoxLayout(self)

        nav = QHBoxLayout()
        self.prev_button = QPushButton("◀")
        self.prev_button.setAccessibleName(tr("Previous day"))
        self.date = QDateEdit()
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setCalendarPopup(True)
        self.date.setAccessibleName(tr("Day"))
        self.next_button = QPushButton("▶")
        self.next_button.setAccessibleName(tr("Next day"))
        self.today_button = QPushButton(tr("&Today"))
        for w in (self.prev_button, self.date, self.next_button, self.today_button):
            nav.addWidget(w)
        nav.addStretch(1)
        self.total = QLabel()
        nav.addWidget(self.total)
        layout.addLayout(nav)

        self.table = row_table(
            [tr("Start"), tr("End"), tr("Duration"), tr("Task"), tr("Note"), tr("Check")],
            3,
            tr("Sessions of the day"),
        )
        layout.addWidget(self.table, 1)

        box = QGroupBox(tr("A session done without the timer, or a correction"))
        form = QFormLayout(box)
        self.task = QComboBox()
        self.task.setAccessibleName(tr("Task"))
        form.addRow(tr("T&ask"), self.task)
        self.start = QLineEdit()
        self.start.setPlaceholderText("08.00")
        self.start_error = error_label()
        form.addRow(tr("&Start"), self.start)
        form.addRow("", self.start_error)
        self.end = QLineEdit()
        self.end.setPlaceholderText("08.25")
        self.end_error = error_label()
        form.addRow(tr("&End"), self.end)
        form.addRow("", self.end_error)
        self.note = QLineEdit()
        form.addRow(tr("N&ote"), self.note)
        self.form_error = error_label()
        form.addRow("", self.form_error)
        self.add_button = QPushButton(tr("Add sessio&n"))
        self.save_button = QPushButton(tr("Save c&hanges"))
        self.delete_button = QPushButton(tr("&Delete session"))
        form.addRow(button_row(self.add_button, self.save_button, self.delete_button))
        layout.addWidget(box)
        self.undo = UndoBar()
        layout.addWidget(self.undo)

        self.prev_button.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(
            lambda: self.show_day(day_of(model.clock.now_ms(), model.zone))
        )
        self.date.dateChanged.connect(self._date_picked)
        self.table.itemSelectionChanged.connect(self._selected)
        self.add_button.clicked.connect(self._add)
        self.save_button.clicked.connect(self._save)
        self.delete_button.clicked.connect(self._delete)
        self._shown: tuple[str, str, str, str | None] | None = None  # the form as last filled
        model.today_changed.connect(self.data_changed)
        self._set_date_edit()
        self._selected()

    # ---- the day -------------------------------------------------------------------------

    def show_day(self, day: date) -> None:
        self.day = day
        self._set_date_edit()
        self.reload()

    def _set_date_edit(self) -> None:
        self.date.blockSignals(True)
        self.date.setDate(QDate(self.day.year, self.day.month, self.day.day))
        self.date.blockSignals(False)

    def _date_picked(self, picked: QDate) -> None:
        self.show_day(date(picked.year(), picked.month(), picked.day()))

    def reload(self) -> None:
        self.stale = False
        day, z = self.day, self.model.zone

        def job(p: Profile) -> DayLog:
            start = day_start_ms(day, z)
            entries = SessionService(p).log(start, start + MS_PER_DAY)
            choices = {t.id: t for t in search_tasks(p, "", limit=100)}
            for entry in entries:
                choices.setdefault(entry.task.id, entry.task)
            return DayLog(day, entries, sorted(choices.values(), key=lambda t: t.title.lower()))

        self.model.read(job, self._show)

    def _show(self, log: DayLog) -> None:
        if log.day != self.day:
            return  # an answer for a day no longer shown
        keep = self.current()
        self.log = log
        z, now = self.model.zone, self.model.clock.now_ms()
        self.table.blockSignals(True)
        self.table.setRowCount(len(log.entries))
        total = 0
        day_start = day_start_ms(log.day, z)
        for row, entry in enumerate(log.entries):
            s = entry.session
            total += s.ms_within(day_start, day_start + MS_PER_DAY, now)  # the day's own part
            cells = [
                fmt_clock(s.start_at, z),
                tr("running") if s.end_at is None else fmt_clock(s.end_at, z),
                fmt_elapsed(s.duration_ms(now)),
                entry.task.title,
                s.note or "",
                review_text(s.needs_review),
            ]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.total.setText(tr("Worked: {total}", total=fmt_hours_minutes(total)))
        current_task = self.task.currentData()
        self.task.clear()
        for task in log.choices:
            self.task.addItem(task.title, task.id)
        if current_task is not None and self.task.findData(current_task) >= 0:
            self.task.setCurrentIndex(self.task.findData(current_task))
        ids = [e.session.id for e in log.entries]
        if keep is not None and keep.session.id in ids:
            self.table.blockSignals(True)
            self.table.selectRow(ids.index(keep.session.id))
            self.table.blockSignals(False)
            if self._form() == self._shown:
                self._selected()  # show what is stored now; never over what is being typed
        else:
            self.table.clearSelection()
            self._selected()

    def current(self) -> LogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.log is None or rows[0].row() >= len(self.log.entries):
            return None
        return self.log.entries[rows[0].row()]

    def _selected(self) -> None:
        entry = self.current()
        self.save_button.setEnabled(entry is not None)
        self.delete_button.setEnabled(entry is not None)
        for label in (self.start_error, self.end_error, self.form_error):
            show_error(label, None)
        if entry is None:
            return
        z = self.model.zone
        s = entry.session
        self.start.setText(fmt_clock(s.start_at, z).split()[0])
        self.end.setText("" if s.end_at is None else fmt_clock(s.end_at, z).split()[0])
        self.note.setText(s.note or "")
        index = self.task.findData(s.task_id)
        if index >= 0:
            self.task.setCurrentIndex(index)
        self._shown = self._form()

    def _form(self) -> tuple[str, str, str, str | None]:
        return (self.start.text(), self.end.text(), self.note.text(), self.task.currentData())

    # ---- changes -------------------------------------------------------------------------

    def _instant(self, field: QLineEdit, label: QLabel, day: date) -> int | None:
        try:
            hms = parse_time(field.text())  # a time alone, on the day given
        except UserError as e:
            show_error(label, e.render())
            return None
        show_error(label, None)
        return at_time(day, self.model.zone, hms)

    def _span(self, day: date) -> tuple[int, int] | None:
        """The start and end typed, both on ``day``; errors beside their fields."""
        show_error(self.form_error, None)
        start = self._instant(self.start, self.start_error, day)
        end = self._instant(self.end, self.end_error, day)
        if start is None or end is None:
            return None
        try:
            check_span(start, end, self.model.clock.now_ms())
        except UserError as e:
            show_error(self.end_error, e.render())
            return None
        return start, end

    def _task_id(self) -> str | None:
        task_id: str | None = self.task.currentData()
        if task_id is None:
            show_error(self.form_error, tr("Choose the task first."))
        return task_id

    def _done(self, result: Any) -> None:
        for field in (self.start, self.end, self.note):
            field.clear()

    def _add(self) -> None:
        span, task_id = self._span(self.day), self._task_id()
        if span is None or task_id is None:
            return
        note = self.note.text()
        self.table.clearSelection()
        self.model.act(lambda p: SessionService(p).add(task_id, *span, note or None), self._done)

    def _save(self) -> None:
        """Store what the user changed, and only that: an untouched time keeps its seconds, and
        each time is read on its own day (a session across midnight keeps its end's day)."""
        entry = self.current()
        if entry is None or self._shown is None:
            return
        s, z = entry.session, self.model.zone
        shown_start, shown_end, shown_note, _ = self._shown
        show_error(self.form_error, None)
        start: int | None = s.start_at
        if self.start.text() != shown_start:
            start = self._instant(self.start, self.start_error, day_of(s.start_at, z))
        else:
            show_error(self.start_error, None)
        end: int | None = s.end_at
        if self.end.text() != shown_end:
            end_day = day_of(s.end_at if s.end_at is not None else s.start_at, z)
            end = self._instant(self.end, self.end_error, end_day)
        else:
            show_error(self.end_error, None)
        task_id = self._task_id()
        if start is None or (end is None and self.end.text() != shown_end) or task_id is None:
            return
        try:
            check_span(start, end, self.model.clock.now_ms())
        except UserError as e:
            show_error(self.end_error, e.render())
            return
        note = self.note.text()
        self.model.act(
            lambda p: SessionService(p).edit(
                s.id,
                start_ms=start if start != s.start_at else None,
                end_ms=end if end != s.end_at else None,
                task_ref=task_id if task_id != s.task_id else None,
                note=note if note != shown_note else None,
            )
        )
        self._shown = self._form()

    def _delete(self) -> None:
        entry = self.current()
        if entry is None:
            return
        session_id = entry.session.id

        def undo() -> None:
            self.model.act(lambda p: SessionService(p).restore(session_id))

        text = tr(
            "Deleted: {task}, {start}",
            task=entry.task.title,
            start=fmt_clock(entry.session.start_at, self.model.zone),
        )
        self.model.act(
            lambda p: SessionService(p).remove(session_id),
            lambda _: self.undo.offer(text, undo),
        )
