"""The main window's “Hari ini” view: the running timer large, with its progress against the
target, the controls, and today's tasks each with target, actual, progress and a start button.
A status bar line is kept for the sync state."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.i18n import tr
from wfh_desktop.timefmt import (
    day_of,
    fmt_date_long,
    fmt_elapsed,
    fmt_left_or_over,
    fmt_minutes,
    fmt_progress,
)
from wfh_desktop.today import Today
from wfh_desktop.ui.day_log import DayLogView
from wfh_desktop.ui.handoff_inbox import HandoffInbox
from wfh_desktop.ui.model import AppModel, far_over_target_text, target_reached_text
from wfh_desktop.ui.task_list import TaskListView
from wfh_desktop.ui.widgets import row_table

DISPLAY_REFRESH_MS = 1_000


def _percent(actual_ms: int, target_ms: int) -> int:
    return round(100 * actual_ms / target_ms) if target_ms else 0


class MainWindow(QMainWindow):
    """Signals:
    start_requested(): the user asked for the quick picker.
    settings_requested(): the user asked for the settings.
    charts_requested(): the user asked for the charts.
    export_requested(): the user asked to export the activity log.
    close_requested(): the window was closed (the app decides: hide, or quit).
    sync_requested(), sign_in_requested(), sign_out_requested(): the status line's buttons.
    handoff_requested(str, str): “Serahkan…” was chosen for a task (its id and title).
    """

    start_requested = Signal()
    settings_requested = Signal()
    charts_requested = Signal()
    export_requested = Signal()
    close_requested = Signal()
    sync_requested = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    handoff_requested = Signal(str, str)

    def __init__(self, model: AppModel, inbox: HandoffInbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWindowTitle(tr("WFH Desktop"))
        self.resize(720, 520)
        body = QWidget()
        layout = QVBoxLayout(body)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #fff4ce; color: #3b2f00; padding: 6px;")
        self.note.hide()

        self.banner = QLabel()  # notifications when there is no tray
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #e6f4ea; color: #0d3b1e; padding: 6px;")
        self.banner.hide()

        self.title = QLabel()
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        self.title.setFont(title_font)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.elapsed = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 2.6)
        big.setBold(True)
        self.elapsed.setFont(big)
        self.elapsed.setAccessibleName(tr("Time against target"))
        layout.addWidget(self.elapsed)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("Progress against target"))
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.left = QLabel()
        layout.addWidget(self.left)

        buttons = QHBoxLayout()
        self.start_button = QPushButton(tr("&Start a task…"))
        self.pause_button = QPushButton(tr("&Pause"))
        self.resume_button = QPushButton(tr("&Resume"))
        self.stop_button = QPushButton(tr("S&top"))
        self.finish_button = QPushButton(tr("&Finish"))
        for button in (
            self.start_button,
            self.pause_button,
            self.resume_button,
            self.stop_button,
            self.finish_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self.start_requested)
        self.pause_button.clicked.connect(model.pause)
        self.resume_button.clicked.connect(model.resume)
        self.stop_button.clicked.connect(model.stop)
        self.finish_button.clicked.connect(model.finish)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        shortcut.activated.connect(self.start_requested)
        self.charts_button = QPushButton(tr("C&harts…"))
        self.charts_button.clicked.connect(self.charts_requested)
        buttons.addWidget(self.charts_button)
        self.export_button = QPushButton(tr("E&xport…"))
        self.export_button.clicked.connect(self.export_requested)
        buttons.addWidget(self.export_button)
        self.settings_button = QPushButton(tr("Settin&gs…"))
        self.settings_button.clicked.connect(self.settings_requested)
        buttons.addWidget(self.settings_button)

        self.day_label = QLabel()
        layout.addWidget(self.day_label)
        self.table = row_table(  # today's tasks
            [tr("Task"), tr("Target"), tr("Actual"), tr("Progress"), ""], 0, tr("Today's tasks")
        )
        layout.addWidget(self.table, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(body, tr("Toda&y"))
        self.task_list = TaskListView(model)
        self.task_list.handoff_requested.connect(self.handoff_requested)
        self.tabs.addTab(self.task_list, tr("Tas&ks"))
        self.day_log = DayLogView(model)
        self.tabs.addTab(self.day_log, tr("Daily &log"))
        from wfh_desktop.ui.review_view import ReviewView

        self.review = ReviewView(model)
        self.tabs.addTab(self.review, tr("To re&view"))
        from wfh_desktop.ui.inbox_view import InboxView

        self.inbox = InboxView(model, inbox)
        self.tabs.addTab(self.inbox, tr("In&coming tasks"))
        self.inbox.inbox.inbox_read.connect(self._inbox_count)
        self._inbox_count(self.inbox.inbox.pending)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.note)  # above the tabs: seen whichever tab is open
        outer.addWidget(self.banner)
        outer.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.sync_state = QLabel(tr("Local only: no server is set."))
        self.statusBar().addWidget(self.sync_state, 1)
        self.sync_button = QPushButton(tr("Sync now"))
        self.sign_in_button = QPushButton(tr("Sign in to the server…"))
        self.sign_out_button = QPushButton(tr("Sign out of the account"))
        for button, signal in (
            (self.sync_button, self.sync_requested),
            (self.sign_in_button, self.sign_in_requested),
            (self.sign_out_button, self.sign_out_requested),
        ):
            button.clicked.connect(signal)
            self.statusBar().addPermanentWidget(button)
        self.set_sync_state(None)

        self._tick = QTimer(self)
        self._tick.setInterval(DISPLAY_REFRESH_MS)
        self._tick.timeout.connect(self.update_timer)
        self._row_bars: list[tuple[QProgressBar, QTableWidgetItem, Any]] = []
        model.today_changed.connect(self.show_today)
        model.failed.connect(self.show_error)
        self.show_today(model.today)

    def set_sync_state(self, status: Any) -> None:
        """The sync state in the status line, and the buttons that fit it."""
        from wfh_desktop.ui.tray import sync_text

        self.sync_state.setText(sync_text(status, self.model.zone))
        if status == "syncing":
            self.sync_button.setEnabled(False)
            return
        self.sync_button.setEnabled(True)
        count = getattr(status, "review", 0)
        index = self.tabs.indexOf(self.review)
        self.tabs.setTabText(index, tr("To re&view ({n})", n=count) if count else tr("To re&view"))
        self.review.data_changed()
        signed = getattr(status, "account", None) is not None
        self.sync_button.setVisible(signed)
        self.sign_in_button.setVisible(not signed)
        self.sign_out_button.setVisible(signed)

    def _inbox_count(self, pending: list[Any]) -> None:
        index = self.tabs.indexOf(self.inbox)
        n = len(pending)
        self.tabs.setTabText(
            index, tr("In&coming tasks ({n})", n=n) if n else tr("In&coming tasks")
        )

    def notify_in_window(self, on: bool = True) -> None:
        """Show the notifications here (there is no tray to show them), or stop showing them."""
        for signal, slot in (
            (self.model.target_reached, self._target_reached),
            (self.model.far_over_target, self._far_over_target),
        ):
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    def _target_reached(self, task: Any) -> None:
        self.notify(target_reached_text(task))

    def _far_over_target(self, task: Any) -> None:
        self.notify(far_over_target_text(task))

    # ---- showing -------------------------------------------------------------------------

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def notify(self, text: str) -> None:
        """In-window notice, used when there is no tray to show it."""
        self.banner.setText(text)
        self.banner.show()

    def show_error(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def show_today(self, today: Today | None) -> None:
        st = today.status if today else None
        running = bool(st and st.running)
        if not running:
            self.banner.hide()  # a notice is about the running task
        paused = bool(st and st.task and not st.running)
        self.pause_button.setEnabled(running)
        self.resume_button.setEnabled(paused)
        self.stop_button.setEnabled(running or paused)
        self.finish_button.setEnabled(running or paused)
        self._fill_table(today)
        self.update_timer()

    def _fill_table(self, today: Today | None) -> None:
        self.table.setRowCount(0)
        self._row_bars = []
        if today is None:
            return
        self.day_label.setText(
            tr("Today, {date}", date=fmt_date_long(day_of(today.read_ms, today.zone)))
        )
        for row, line in enumerate(today.tasks):
            task = line.task
            self.table.insertRow(row)
            title = QTableWidgetItem(task.title + (" ✓" if task.is_done else ""))
            title.setData(Qt.ItemDataRole.UserRole, task.id)
            self.table.setItem(row, 0, title)
            self.table.setItem(row, 1, QTableWidgetItem(fmt_minutes(task.target_ms)))
            actual = QTableWidgetItem()
            self.table.setItem(row, 2, actual)
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setAccessibleName(tr("Progress of {title}", title=task.title))
            self.table.setCellWidget(row, 3, bar)
            button = QPushButton(tr("Start"))
            button.setAccessibleName(tr("Start {title}", title=task.title))
            button.setEnabled(not line.running and not task.is_done)
            button.clicked.connect(lambda _=False, i=task.id: self.model.start_task(i))
            self.table.setCellWidget(row, 4, button)
            self._row_bars.append((bar, actual, line))

    def update_timer(self) -> None:
        today = self.model.today
        now = self.model.clock.now_ms()
        if today is None or today.status.task is None:
            self.title.setText(tr("No task running"))
            self.elapsed.setText(fmt_elapsed(0))
            self.progress.setValue(0)
            self.left.setText(tr("Start a task from the list below, or with “Start a task…”."))
        else:
            task = today.status.task
            actual = today.timer_actual_at(now)
            self.title.setText(
                tr("Running: {title}", title=task.title)
                if today.status.running
                else tr("Paused: {title}", title=task.title)
            )
            self.elapsed.setText(fmt_progress(actual, task.target_minutes))
            self.progress.setValue(min(_percent(actual, task.target_ms), 100))
            self.left.setText(fmt_left_or_over(actual, task.target_minutes))
        for bar, item, line in self._row_bars:
            actual = line.actual_at(today.read_ms, now) if today else 0
            item.setText(fmt_minutes(actual))
            bar.setValue(min(_percent(actual, line.task.target_ms), 100))
            bar.setFormat(f"{_percent(actual, line.task.target_ms)}%")

    # ---- the display timer runs only while the window is seen --------------------------

    def showEvent(self, event: Any) -> None:  # Qt override
        super().showEvent(event)
        self.update_timer()
        self._tick.start()

    def hideEvent(self, event: Any) -> None:  # Qt override
        super().hideEvent(event)
        self._tick.stop()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        event.ignore()
        self.close_requested.emit()
