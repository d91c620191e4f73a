"""``wfh-desktop``: the composition root of the tray app.

Builds the services once and passes them in: settings and language, the clock, the database
worker (the app's one writer), the model, the tray and the windows. Where the desktop has no
tray, the main window is the app's home; where there is no screen at all, it says so in one line.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Any

from wfh_desktop import logs
from wfh_desktop import settings as settings_mod
from wfh_desktop.clock import Clock, SystemClock

if TYPE_CHECKING:
    from wfh_desktop.autostart import Autostart
    from wfh_desktop.away import Gap
from wfh_desktop.i18n import choose_language, language, set_language, tr
from wfh_desktop.paths import Paths
from wfh_desktop.timefmt import fmt_clock, fmt_hours_minutes, fmt_number

log = logging.getLogger("wfh.ui")
PROGRESS_OVER = 200  # an upload of more changes than this shows its progress
CLOCK_WARN_MS = 120_000  # a clock further off the server's than this is pointed out
TRAY_WAIT_MS = 10_000  # at login the panel may come up after us
TRAY_POLL_MS = 250


def has_screen(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """On Linux and the BSDs Qt needs an X11 or Wayland display (or a chosen platform)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return any(environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def parse_args(argv: Sequence[str]) -> Any:
    import argparse

    p = argparse.ArgumentParser(prog="wfh-desktop", description=tr("WFH Desktop, in the tray"))
    p.add_argument("--lang", choices=("id", "en"), help=tr("language of the app"))
    p.add_argument("--show", action="store_true", help=tr("open the main window at start"))
    p.add_argument(
        "--start", metavar=tr("TASK"), help=tr("start this task (its title or id), in the app")
    )
    p.add_argument(
        "--at-login",
        action="store_true",
        help=tr("started at login: wait a few seconds for the system tray to come up"),
    )
    return p.parse_args(list(argv))


class App:
    """Everything the running app is made of, built once."""

    def __init__(
        self,
        paths: Paths,
        clock: Clock,
        settings: Any,
        qapp: Any,
        autostart: Autostart | None = None,
        tray_wait_ms: int = 0,
    ) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QSystemTrayIcon

        from wfh_desktop.ui.model import AppModel
        from wfh_desktop.ui.tray import ICON_REFRESH_MS, Tray
        from wfh_desktop.ui.worker import DbWorker

        self.qapp = qapp
        self.paths = paths
        self.worker = DbWorker(paths.database, clock)
        self.model = AppModel(self.worker, clock, settings)
        from wfh_desktop.ui.sync_bridge import SyncBridge

        self.sync = SyncBridge(self.worker, clock, settings.ca_file)
        from wfh_desktop.ui.handoff_inbox import HandoffInbox

        self.inbox = HandoffInbox(self.model)
        self.sign_in_dialog: Any = None
        self.handoff_dialog: Any = None
        self._review_count = 0
        self._clock_warned = False
        self._autostart = autostart
        self.tray: Tray | None = None
        self.window: Any = None  # made when first needed: a tray app starts with the tray only
        self.picker: Any = None
        self.settings_dialog: Any = None
        self.charts_window: Any = None  # made when first opened: pyqtgraph loads only then
        self.export_dialog: Any = None
        self._build_menu()
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(self.model, self.menu)
        elif tray_wait_ms > 0:
            self._wait_for_tray(tray_wait_ms)
        else:
            self.ensure_window()
        # The tray icon and the notifications move at most every few seconds, and only while
        # a task runs; nothing else runs periodically but the look-out for `wfh` writes.
        from wfh_desktop.away import ClockWatch

        self.clock_watch = ClockWatch(clock)  # a suspend or a clock change, asked about
        self.gap_box: Any = None
        self._gap_session: str | None = None
        self._slow = QTimer()
        self._slow.setInterval(ICON_REFRESH_MS)
        self._slow.timeout.connect(self._slow_tick)
        self.model.today_changed.connect(self._timer_state_changed)
        self.model.today_changed.connect(self.inbox.refresh)
        self.inbox.handoffs_arrived.connect(self._handoffs_arrived)
        self.model.changed.connect(self.sync.changed)
        self.sync.state_changed.connect(self._sync_state)
        self.sync.progress.connect(self._sync_progress)
        QTimer.singleShot(0, self.model.start_watching)  # the first read after the icon is up
        QTimer.singleShot(0, self.sync.start)  # the first sync comes after a random delay
        self._watch_network()

    def _wait_for_tray(self, wait_ms: int) -> None:
        """At login the panel may come up after the app: look for the tray for a while, then
        make the window the app's home."""
        from PySide6.QtCore import QElapsedTimer, QTimer
        from PySide6.QtWidgets import QSystemTrayIcon

        from wfh_desktop.ui.tray import Tray

        waited = QElapsedTimer()
        waited.start()
        poll = QTimer()
        poll.setInterval(TRAY_POLL_MS)

        def look() -> None:
            if QSystemTrayIcon.isSystemTrayAvailable():
                poll.stop()
                self.tray = Tray(self.model, self.menu)
                if self.window is not None:  # made meanwhile (--show, a second launch)
                    self.window.notify_in_window(False)
                    self.window.set_note("")
            elif waited.elapsed() >= wait_ms:
                poll.stop()
                self.show_window()

        poll.timeout.connect(look)
        poll.start()
        self._tray_poll = poll

    @property
    def autostart(self) -> Autostart:
        if self._autostart is None:
            from wfh_desktop.autostart import for_this_system

            self._autostart = for_this_system()
        return self._autostart

    def _build_menu(self) -> None:
        """The tray menu, in the current language (made again when it changes)."""
        from wfh_desktop.ui.tray import TrayMenu

        self.menu = TrayMenu(self.model)
        self.menu.start_requested.connect(self.open_picker)
        self.menu.window_requested.connect(self.show_window)
        self.menu.settings_requested.connect(self.open_settings)
        self.menu.charts_requested.connect(self.open_charts)
        self.menu.export_requested.connect(self.open_export)
        self.menu.quit_requested.connect(self.quit)
        self.menu.sync_requested.connect(self.sync.sync_now)
        self.menu.sign_in_requested.connect(self.open_sign_in)
        self.menu.sign_out_requested.connect(self.sign_out)
        self.menu.handoff_requested.connect(self.open_handoff)
        self.menu.set_sync_state(self.sync.status)
        if self.tray is not None:
            self.tray.set_menu(self.menu)

    def ensure_window(self) -> Any:
        """The main window, made the first time it is needed, in the current language."""
        if self.window is not None:
            return self.window
        from wfh_desktop.ui.main_window import MainWindow

        self.window = MainWindow(self.model, self.inbox)
        self.window.start_requested.connect(self.open_picker)
        self.window.settings_requested.connect(self.open_settings)
        self.window.charts_requested.connect(self.open_charts)
        self.window.export_requested.connect(self.open_export)
        self.window.close_requested.connect(self._window_closed)
        self.window.sync_requested.connect(self.sync.sync_now)
        self.window.sign_in_requested.connect(self.open_sign_in)
        self.window.sign_out_requested.connect(self.sign_out)
        self.window.handoff_requested.connect(self.open_handoff)
        self.window.set_sync_state(self.sync.status)
        if self.tray is None:
            self.window.notify_in_window()
            self.window.set_note(
                tr(
                    "This desktop has no system tray, so WFH Desktop lives in this window. "
                    "Closing it quits the app; a running timer keeps running."
                )
            )
        return self.window

    # ---- sync

    def _sync_state(self, status: Any) -> None:
        self.menu.set_sync_state(status)
        if self.window is not None:
            self.window.set_sync_state(status)
        count = getattr(status, "review", None)
        if count is None:
            return
        # A sync may have brought records (tasks handed to the user among them): the sync
        # writes through the app's own connection, which the outside-change check cannot see.
        self.model.refresh()
        off = abs(status.clock_offset_ms)
        if off > CLOCK_WARN_MS and not self._clock_warned:  # SYNC.md: said, once a run
            self._clock_warned = self._tell(
                tr(
                    "This computer's clock is {minutes} minutes off the server's; correct it.",
                    minutes=round(off / 60_000),
                )
            )
        if count > self._review_count:  # the server decided something the user should see
            self._tell(
                tr("{n} items to review: see “Perlu ditinjau” in the main window.", n=count),
                tr("To review"),
            )
        self._review_count = count

    def _handoffs_arrived(self, new: list[Any]) -> None:
        from wfh_desktop.ui.handoff_inbox import arrived_text

        self._tell(arrived_text(new), tr("Incoming tasks"))

    def _tell(self, text: str, title: str | None = None) -> bool:
        """A notice: from the tray, or in the window where there is no tray; False when
        neither is there yet (the app still looks for the tray)."""
        if self.tray is not None:
            self.tray.icon.showMessage(title or tr("WFH Desktop"), text)
        elif self.window is not None:
            self.window.notify(text)
        else:
            return False
        return True

    def _sync_progress(self, p: Any) -> None:
        """A large upload shows how far it is, in the menu and the status line."""
        if p.phase == "push" and p.total and p.total > PROGRESS_OVER:
            text = tr(
                "Sending changes: {done} of {total}",
                done=fmt_number(p.done),
                total=fmt_number(p.total),
            )
        elif p.phase == "snapshot":
            text = tr("Downloading everything again: {done} records", done=fmt_number(p.done))
        elif p.phase == "waiting":  # a `wfh sync` typed meanwhile holds the profile's sync
            text = tr("Another program is syncing this computer's data; waiting for it to finish…")
        else:
            return
        self.menu.sync_state.setText(text)
        if self.window is not None:
            self.window.sync_state.setText(text)

    def _watch_network(self) -> None:
        """Sync when the network comes back, where Qt can tell (NetworkManager and the like)."""
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.loadDefaultBackend():
                return
            info: Any = QNetworkInformation.instance()
        except Exception:  # no backend here: the interval and the retries cover it
            log.info("no network information backend")
            return
        if info is None:
            return
        online = QNetworkInformation.Reachability.Online

        def reachability(state: Any) -> None:
            if state == online:
                self.sync.network_up()

        info.reachabilityChanged.connect(reachability)

    def open_sign_in(self) -> None:
        from wfh_desktop.ui.sign_in_dialog import SignInDialog

        if self.sign_in_dialog is not None:
            self.sign_in_dialog.close()
            self.sign_in_dialog.deleteLater()
        status = self.sync.status
        server = getattr(status, "server_url", None) or self.model.settings.server_url
        self.sign_in_dialog = SignInDialog(self.sync, server)
        self.sign_in_dialog.accepted.connect(self._keep_ca_file)
        _bring_forward(self.sign_in_dialog)

    def _keep_ca_file(self) -> None:
        """Signed in with an agency's certificate file: kept as the ``ca_file`` setting, as
        ``wfh login --ca-file`` keeps it."""
        chosen = self.sync.ca_file
        if chosen != self.model.settings.ca_file:
            try:
                settings_mod.save(self.paths.settings, self.model.settings._replace(ca_file=chosen))
            except OSError:
                log.exception("cannot save the certificate file setting")
                return
            self.model.settings = self.model.settings._replace(ca_file=chosen)

    def open_handoff(self, task_id: str, title: str) -> None:
        """“Serahkan…”: the dialog for handing ``task_id`` over to a colleague."""
        from wfh_desktop.ui.handoff_dialog import HandoffDialog

        if self.handoff_dialog is not None:
            self.handoff_dialog.close()
            self.handoff_dialog.deleteLater()
        # No parent: the main window may be made again (a language switch) while it is open.
        self.handoff_dialog = HandoffDialog(self.model, self.sync, task_id, title)
        self.handoff_dialog.handed_over.connect(self._handed_over)
        _bring_forward(self.handoff_dialog)

    def _handed_over(self, handoff: Any) -> None:
        from wfh_desktop.handoffs import who

        text = (
            tr(
                "Handed over: {title} to {who}.",
                title=handoff.task_title,
                who=who(handoff.to_name, handoff.to_nip),
            )
            + " "
            + tr("Your colleague is told after the next sync.")
        )
        if self.window is not None and self.window.isVisible():
            self.window.statusBar().showMessage(text, 10_000)
        else:
            self._tell(text)

    def sign_out(self) -> None:
        """Sign out after saying what it means; every local record stays."""
        from PySide6.QtWidgets import QMessageBox

        pending = getattr(self.sync.status, "pending", 0)
        text = tr("Sign out? Everything you tracked stays on this computer.")
        if pending:
            text += " " + tr(
                "{n} changes are not yet on the server; they are sent after you sign in again.",
                n=pending,
            )
        answer = QMessageBox.question(self.window, tr("Sign out of the account"), text)
        if answer == QMessageBox.StandardButton.Yes:
            self.sync.sign_out()

    def open_settings(self) -> None:
        from wfh_desktop.ui.settings_dialog import SettingsDialog

        if self.settings_dialog is not None:
            self.settings_dialog.close()
            self.settings_dialog.deleteLater()
        # No parent: the main window may be made again (a language switch) while it is open.
        self.settings_dialog = SettingsDialog(
            self.model.settings, self.autostart, self.apply_settings
        )
        _bring_forward(self.settings_dialog)

    def open_charts(self) -> None:
        """“Grafik…”: the charts window (its module, and pyqtgraph, are imported only now)."""
        if self.charts_window is None:
            from wfh_desktop.ui.charts_window import ChartsWindow

            self.charts_window = ChartsWindow(self.model, self.paths)
        _bring_forward(self.charts_window)

    def open_export(self) -> None:
        """“Ekspor…”: the dialog that exports the activity log to CSV, XLSX or PDF."""
        from wfh_desktop.ui.export_dialog import ExportDialog

        if self.export_dialog is not None:
            self.export_dialog.close()
            self.export_dialog.deleteLater()
        # No parent: the main window may be made again (a language switch) while it is open.
        self.export_dialog = ExportDialog(self.model, self.paths)
        _bring_forward(self.export_dialog)

    def apply_settings(self, chosen: Any, start_at_login: bool) -> str | None:
        """Save the settings, then follow them: the language at once (the window and the menu
        are made again), the zone at the next read, start at login in the system's entry.
        Returns what went wrong, for the dialog to say, or None."""
        old = self.model.settings
        try:
            settings_mod.save(self.paths.settings, chosen)
        except OSError as e:
            log.exception("cannot save the settings")
            return tr("The settings could not be saved: {error}", error=str(e))
        self.model.settings = chosen
        if chosen.language != old.language:
            set_language(choose_language(setting=chosen.language))
            apply_qt_language(language())
            self.menu.menu.deleteLater()
            self.menu.deleteLater()
            self._build_menu()
            if self.charts_window is not None:  # made again in the new language
                charts_visible = self.charts_window.isVisible()
                self.charts_window.hide()
                self.charts_window.deleteLater()
                self.charts_window = None
                if charts_visible:
                    self.open_charts()
            if self.window is not None:
                visible = self.window.isVisible()
                self.window.close_requested.disconnect(self._window_closed)
                self.window.hide()
                self.window.deleteLater()
                self.window = None
                if visible or self.tray is None:
                    self.show_window()
        self.model.refresh()
        try:
            if start_at_login != self.autostart.is_enabled():
                if start_at_login:
                    from wfh_desktop.autostart import app_command

                    self.autostart.enable(app_command())
                else:
                    self.autostart.disable()
        except OSError as e:
            log.exception("cannot change start at login")
            return tr(
                "The settings were saved, but start at login could not be changed: {error}",
                error=str(e),
            )
        return None

    def _timer_state_changed(self, today: Any) -> None:
        running = None if today is None else today.status.running
        if self.gap_box is not None and (running is None or running.id != self._gap_session):
            self.gap_box.reject()  # the session asked about stopped meanwhile: nothing to ask
        if today is not None and today.status.running is not None:
            if not self._slow.isActive():
                self.clock_watch.reset()
                self.clock_watch.tick()
            self._slow.start()
        else:
            self._slow.stop()

    def _slow_tick(self) -> None:
        if self.gap_box is None:
            gap = self.clock_watch.tick()
            if gap is not None:
                self.ask_about_gap(gap)
        self.model.check_milestones()
        if self.tray is not None:
            self.tray.redraw()

    def ask_about_gap(self, gap: Gap) -> None:
        """The timer ran on across a suspend, or the clock was set back: what was that time?
        (SYNC.md: never assume.) The box does not block; the timer runs on until answered."""
        from PySide6.QtWidgets import QMessageBox

        today = self.model.today
        if today is None or today.status.running is None or today.status.task is None:
            return
        zone = self.model.zone
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(tr("The timer kept running"))
        answers: dict[Any, str] = {}
        if gap.kind == "away":
            box.setText(
                tr(
                    "You were away {gap} (from {since}) while {title} was running. "
                    "Was that time work?",
                    gap=fmt_hours_minutes(gap.shift_ms),
                    since=fmt_clock(gap.since_ms, zone),
                    title=today.status.task.title,
                )
            )
            keep = box.addButton(tr("Yes, keep it"), QMessageBox.ButtonRole.AcceptRole)
            answers[keep] = "keep"
            answers[
                box.addButton(tr("Leave it out and go on"), QMessageBox.ButtonRole.ActionRole)
            ] = "split"
            stop_text = tr("Stop at {time}", time=fmt_clock(gap.since_ms, zone))
            answers[box.addButton(stop_text, QMessageBox.ButtonRole.DestructiveRole)] = "stop"
        else:
            box.setText(
                tr(
                    "This computer's clock was set back by {gap} while {title} was running. "
                    "Move the session's start back by as much, so that the time worked stays?",
                    gap=fmt_hours_minutes(-gap.shift_ms),
                    title=today.status.task.title,
                )
            )
            keep = box.addButton(tr("Move the start"), QMessageBox.ButtonRole.AcceptRole)
            answers[keep] = "shift"
            answers[box.addButton(tr("Leave it"), QMessageBox.ButtonRole.RejectRole)] = "keep"
        box.setDefaultButton(keep)

        session_id = today.status.running.id

        def answered(_result: int) -> None:  # a button, or the box closed (kept as it is)
            self.gap_box = None
            self.clock_watch.reset()
            answer = answers.get(box.clickedButton(), "keep")
            if answer != "keep":
                from wfh_desktop.timer import TimerService

                self.model.act(lambda p: TimerService(p).answer_gap(gap, answer, session_id))

        box.finished.connect(answered)
        self.gap_box = box
        self._gap_session = session_id
        box.open()

    def handle_wish(self, wish: dict[str, Any]) -> None:
        """What a second launch asked for."""
        if isinstance(wish.get("start"), str):
            self.model.start_ref(wish["start"])
        if wish.get("show") or self.tray is None:
            self.show_window()

    def show_window(self) -> None:
        _bring_forward(self.ensure_window())

    def open_picker(self) -> None:
        from wfh_desktop.ui.quick_picker import QuickPicker

        if self.picker is not None:
            self.picker.close()
        self.picker = QuickPicker(self.model, self.model.settings.default_target_minutes)
        self.picker.task_chosen.connect(self.model.start_task)
        self.picker.task_created.connect(self.model.start_new)
        _bring_forward(self.picker)

    def _window_closed(self) -> None:
        if self.tray is not None:
            self.window.hide()
        else:
            self.quit()

    def quit(self) -> None:
        """Quit; with a timer running, ask whether it keeps running (it does in the database
        either way unless stopped, and the app picks it up at its next start)."""
        from PySide6.QtWidgets import QMessageBox

        today = self.model.today
        if today is not None and today.status.running is not None and today.status.task:
            box = QMessageBox(self.window)
            box.setWindowTitle(tr("Quit WFH Desktop"))
            box.setText(
                tr(
                    "{title} is still running. Keep its timer running?",
                    title=today.status.task.title,
                )
            )
            box.setInformativeText(tr("A running timer keeps counting while the app is closed."))
            keep = box.addButton(tr("Keep running and quit"), QMessageBox.ButtonRole.AcceptRole)
            stop = box.addButton(tr("Stop and quit"), QMessageBox.ButtonRole.DestructiveRole)
            box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(keep)
            box.exec()
            if box.clickedButton() is stop:
                # Quit once the stop is stored; if it fails, the app stays and says why.
                self.model.act(_stop_if_running, lambda _: self._finish_quit())
                return
            if box.clickedButton() is not keep:
                return
        self._finish_quit()

    def _finish_quit(self) -> None:
        self.shutdown()
        self.qapp.quit()

    def shutdown(self) -> None:
        self.sync.stop()
        self.model.stop_watching()
        self._slow.stop()
        self.worker.close()
        if self.tray is not None:
            self.tray.icon.hide()


def _bring_forward(widget: Any) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()


def _stop_if_running(p: Any) -> None:
    """Stop the timer unless it was stopped meanwhile (``wfh stop`` while the question was
    open): either way it is stopped and the app may quit."""
    from wfh_desktop.timer import TimerService

    timer = TimerService(p)
    if timer.status().running is not None:
        timer.stop()


def apply_qt_language(lang: str) -> None:
    """Qt's own words (the calendar's month and day names, number formats) in the language."""
    from PySide6.QtCore import QLocale

    if lang == "id":
        QLocale.setDefault(QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


def error_hook(log_file: str) -> Any:
    """For ``sys.excepthook``: an unexpected error is logged and shown with the log's path, and
    the app keeps running."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        import traceback

        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, tr("WFH Desktop"), "")
        box.setText(
            tr(
                "Something went wrong inside WFH Desktop; nothing you stored was lost. "
                "Details are in {path}.",
                path=log_file,
            )
        )
        box.addButton(tr("Close"), QMessageBox.ButtonRole.AcceptRole)
        box.exec()

    return hook


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    paths = Paths.resolve()
    settings, _moved = settings_mod.load(paths.settings)
    # The language first: the command line's own help is translated.
    set_language(choose_language(args_list, settings.language))
    # No arguments (the usual start, and at login): argparse is not even imported.
    args = (
        parse_args(args_list)
        if args_list
        else SimpleNamespace(lang=None, show=False, start=None, at_login=False)
    )
    if not has_screen():
        print(
            tr(
                "wfh-desktop: there is no screen here (no DISPLAY or WAYLAND_DISPLAY). "
                "In a terminal, use the wfh command: wfh start, wfh status, wfh watch."
            ),
            file=sys.stderr,
        )
        return 1
    log_file = paths.log_dir / logs.LOG_FILE  # set up once the tray icon is up
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    qapp = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "wfh-desktop"])
    )

    from wfh_desktop.ui.single_instance import SingleInstance

    wish: dict[str, Any] = {"start": args.start} if args.start else {"show": True}
    instance = SingleInstance(paths.database)
    if not instance.acquire(listen=False):
        if instance.send(wish):
            print(tr("WFH Desktop is already running; your request was passed to it."))
            return 0
        print(
            tr("WFH Desktop seems to be running but does not answer; try again."),
            file=sys.stderr,
        )
        return 1
    qapp.setApplicationName("WFH Desktop")
    apply_qt_language(language())
    qapp.setQuitOnLastWindowClosed(False)
    sys.excepthook = error_hook(str(log_file))
    app = App(
        paths,
        clock or SystemClock(),
        settings,
        qapp,
        tray_wait_ms=TRAY_WAIT_MS if args.at_login else 0,
    )
    instance.message_received.connect(app.handle_wish)
    QTimer.singleShot(0, instance.listen)  # once the tray icon is up
    QTimer.singleShot(0, lambda: logs.setup(paths.log_dir))
    if (app.tray is None and not args.at_login) or args.show:
        app.show_window()
    if args.start:
        app.model.start_ref(args.start)
    try:
        return int(qapp.exec())
    finally:
        instance.release()


if __name__ == "__main__":
    sys.exit(main())
