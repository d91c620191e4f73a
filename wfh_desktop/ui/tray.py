"""The tray icon and its menu: the running task with Jeda / Lanjutkan / Hentikan / Selesai,
“Mulai tugas…”, the five most recent tasks for one-click start, the sync state with
“Sinkronkan sekarang” and signing in or out, the main window, quit.

The menu is built whether or not the desktop has a tray, so the window can offer the same menu
and tests can drive it offscreen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from wfh_desktop.i18n import tr
from wfh_desktop.timefmt import fmt_progress
from wfh_desktop.ui.icons import IconState, make_icon, state_for
from wfh_desktop.ui.model import AppModel, far_over_target_text, target_reached_text

if TYPE_CHECKING:
    from wfh_desktop.today import Today

ICON_REFRESH_MS = 5_000  # the tray icon moves at most this often


def timer_texts(today: Today | None, now_ms: int) -> tuple[str, float, IconState]:
    """The tooltip text, the share of the target used and the icon state at ``now_ms``."""
    if today is None or today.status.task is None:
        return tr("WFH Desktop: no task running"), 0.0, IconState.IDLE
    task = today.status.task
    actual = today.timer_actual_at(now_ms)
    fraction = actual / task.target_ms
    running = today.status.running is not None
    text = f"{task.title}\n{fmt_progress(actual, task.target_minutes)}"
    if not running:
        text = (
            tr("Paused: {title}", title=task.title)
            + "\n"
            + fmt_progress(actual, task.target_minutes)
        )
    return text, fraction, state_for(running, not running, fraction)


class TrayMenu(QObject):
    """Signals:
    start_requested(): “Mulai tugas…” was chosen.
    window_requested(): “Buka jendela utama” was chosen.
    settings_requested(): “Pengaturan…” was chosen.
    charts_requested(): “Grafik…” was chosen.
    export_requested(): “Ekspor…” was chosen.
    quit_requested(): “Keluar” was chosen.
    sync_requested(): “Sinkronkan sekarang” was chosen.
    sign_in_requested(): “Masuk ke server…” was chosen.
    sign_out_requested(): “Keluar dari akun” was chosen.
    handoff_requested(str, str): “Serahkan…” was chosen for the current task (id, title).
    """

    start_requested = Signal()
    window_requested = Signal()
    settings_requested = Signal()
    charts_requested = Signal()
    export_requested = Signal()
    quit_requested = Signal()
    sync_requested = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    handoff_requested = Signal(str, str)

    def __init__(self, model: AppModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.menu = QMenu()
        self.menu.setAccessibleName(tr("WFH Desktop menu"))
        self.current = QAction(self)
        self.current.setEnabled(False)
        self.pause = QAction(tr("Pause"), self)
        self.resume = QAction(tr("Resume"), self)
        self.stop = QAction(tr("Stop"), self)
        self.finish = QAction(tr("Finish"), self)
        self.handoff = QAction(self)
        self.handoff.triggered.connect(self._hand_over)
        self.start = QAction(tr("Start a task…"), self)
        self.window = QAction(tr("Open the main window"), self)
        self.settings = QAction(tr("Settings…"), self)
        self.charts = QAction(tr("Charts…"), self)
        self.export = QAction(tr("Export…"), self)
        self.quit = QAction(tr("Quit"), self)
        self.sync_state = QAction(tr("Local only: no server is set."), self)
        self.sync_state.setEnabled(False)
        self.sync_now = QAction(tr("Sync now"), self)
        self.sign_in = QAction(tr("Sign in to the server…"), self)
        self.sign_out = QAction(tr("Sign out of the account"), self)
        self.sync_now.triggered.connect(self.sync_requested)
        self.sign_in.triggered.connect(self.sign_in_requested)
        self.sign_out.triggered.connect(self.sign_out_requested)
        self.set_sync_state(None)
        self.pause.triggered.connect(model.pause)
        self.resume.triggered.connect(model.resume)
        self.stop.triggered.connect(model.stop)
        self.finish.triggered.connect(model.finish)
        self.start.triggered.connect(self.start_requested)
        self.window.triggered.connect(self.window_requested)
        self.settings.triggered.connect(self.settings_requested)
        self.charts.triggered.connect(self.charts_requested)
        self.export.triggered.connect(self.export_requested)
        self.quit.triggered.connect(self.quit_requested)
        self.recent: list[QAction] = []
        # While the menu is open, its first line counts on every second.
        self._tick = QTimer(self)
        self._tick.setInterval(1_000)
        self._tick.timeout.connect(self.update_current)
        self.menu.aboutToShow.connect(self._opened)
        self.menu.aboutToHide.connect(self._tick.stop)
        model.today_changed.connect(self.rebuild)
        self.rebuild(model.today)

    def _opened(self) -> None:
        self.update_current()
        self._tick.start()

    def update_current(self) -> None:
        text, _, _ = timer_texts(self.model.today, self.model.clock.now_ms())
        self.current.setText(text.replace("\n", "  ·  "))

    def rebuild(self, today: Today | None) -> None:
        m = self.menu
        m.clear()
        _, _, state = timer_texts(today, self.model.clock.now_ms())
        self.update_current()
        m.addAction(self.current)
        running = state not in (IconState.IDLE, IconState.PAUSED)
        self.pause.setVisible(running)
        self.resume.setVisible(state is IconState.PAUSED)
        self.stop.setVisible(running or state is IconState.PAUSED)
        self.finish.setVisible(running or state is IconState.PAUSED)
        for action in (self.pause, self.resume, self.stop, self.finish):
            m.addAction(action)
        m.addSeparator()
        m.addAction(self.start)
        self.recent = []
        current_id = today.status.task.id if today and today.status.task else None
        for task in today.recent if today else []:
            if task.id == current_id:
                continue
            action = QAction(tr("Start: {title}", title=task.title), m)
            action.triggered.connect(lambda _=False, i=task.id: self.model.start_task(i))
            m.addAction(action)
            self.recent.append(action)
        # Handing the current task over, apart from the timer's controls (used far less).
        current = today.status.task if today else None
        self.handoff.setVisible(current is not None)
        if current is not None:
            self.handoff.setText(tr("Hand “{title}” over to a colleague…", title=current.title))
            m.addSeparator()
            m.addAction(self.handoff)
        m.addSeparator()
        for action in (self.sync_state, self.sync_now, self.sign_in, self.sign_out):
            m.addAction(action)
        m.addSeparator()
        m.addAction(self.window)
        m.addAction(self.charts)
        m.addAction(self.export)
        m.addAction(self.settings)
        m.addAction(self.quit)

    def _hand_over(self) -> None:
        today = self.model.today
        if today is not None and today.status.task is not None:
            task = today.status.task
            self.handoff_requested.emit(task.id, task.title)

    def set_sync_state(self, status: Any) -> None:
        """The sync state's line, and the actions that fit it."""
        self.sync_state.setText(sync_text(status, self.model.zone))
        if status == "syncing":
            return
        signed = getattr(status, "account", None) is not None
        self.sync_now.setVisible(signed)
        self.sign_in.setVisible(not signed)
        self.sign_out.setVisible(signed)


def sync_text(status: Any, zone: Any) -> str:
    """The sync state in one line: "syncing" while a sync runs, else the stored state."""
    if status == "syncing":
        return tr("Syncing…")
    if status is None:
        return tr("Local only: no server is set.")
    from wfh_desktop.sync.local import state_text

    return state_text(status, zone)


class Tray(QObject):
    """The icon in the system tray (only where the desktop has one)."""

    def __init__(self, model: AppModel, menu: TrayMenu, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.icon = QSystemTrayIcon(self)
        self.icon.activated.connect(self._activated)
        self.set_menu(menu)
        model.today_changed.connect(lambda _: self.redraw())
        model.target_reached.connect(
            lambda task: self.icon.showMessage(tr("Target reached"), target_reached_text(task))
        )
        model.far_over_target.connect(
            lambda task: self.icon.showMessage(
                tr("Far over target"),
                far_over_target_text(task),
                QSystemTrayIcon.MessageIcon.Warning,
            )
        )
        model.failed.connect(
            lambda text: self.icon.showMessage(
                tr("WFH Desktop"), text, QSystemTrayIcon.MessageIcon.Warning
            )
        )
        self._last: tuple[str, IconState, int] | None = None
        self.redraw()
        self.icon.show()

    def set_menu(self, menu: TrayMenu) -> None:
        self.menu = menu
        self.icon.setContextMenu(menu.menu)

    def redraw(self) -> None:
        text, fraction, state = timer_texts(self.model.today, self.model.clock.now_ms())
        # The ring moves in twentieths: redraw only when what is seen changes.
        key = (text.split("\n")[0], state, int(min(fraction, 1.0) * 20))
        if key != self._last:
            self._last = key
            self.icon.setIcon(make_icon(state, fraction))
        self.icon.setToolTip(text)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.menu.window_requested.emit()
