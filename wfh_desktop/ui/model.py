"""The app's state and actions, shared by the tray, the main window and the quick picker.

The model reads :class:`~wfh_desktop.today.Today` through the worker after every action and
whenever another program (the ``wfh`` command) has written, and tells the views through
signals. Between reads, the views count on with the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from wfh_desktop.clock import Clock
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.settings import Settings
from wfh_desktop.timefmt import Zone, day_of, zone
from wfh_desktop.ui.worker import DbWorker

if TYPE_CHECKING:
    from wfh_desktop.profile import Profile
    from wfh_desktop.timer import TimerService
    from wfh_desktop.today import Today

# The core's services are imported when first used, on the database thread: the app's start-up
# shows the tray icon without waiting for them.


def _timer(p: Profile) -> TimerService:
    from wfh_desktop.timer import TimerService

    return TimerService(p)


log = logging.getLogger("wfh.ui")

EXTERNAL_CHECK_MS = 2_000  # how soon a change made by `wfh` shows
FAR_OVER = 1.5  # the second notification: 50 % over target


def error_text(error: BaseException) -> str:
    """What the user is told of a failed action: a :class:`UserError`'s own words; anything
    else is logged and said plainly."""
    if isinstance(error, UserError):
        return error.render()
    log.error("unexpected error", exc_info=error)
    return tr("Something went wrong; nothing you stored was lost.")


def target_reached_text(task: Any) -> str:
    return tr("{title} has reached its target of {n} min.", title=task.title, n=task.target_minutes)


def far_over_target_text(task: Any) -> str:
    return tr("{title} is 50% over its target of {n} min.", title=task.title, n=task.target_minutes)


class AppModel(QObject):
    """Signals:
    today_changed(object): a new :class:`Today` was read.
    failed(str): an action could not be done; the message is for the user.
    target_reached(object): the running task (a Task) reached its target.
    far_over_target(object): the running task (a Task) went 50 % over its target.
    changed(): a change of the user's was stored (the sync pushes it soon).
    """

    today_changed = Signal(object)
    failed = Signal(str)
    target_reached = Signal(object)
    far_over_target = Signal(object)
    changed = Signal()

    def __init__(
        self, worker: DbWorker, clock: Clock, settings: Settings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.clock = clock
        self.settings = settings
        self.today: Today | None = None
        self._version: int | None = None
        self._notified: set[tuple[str, str]] = set()  # (session id, "target" | "far")
        self._poll = QTimer(self)
        self._poll.setInterval(EXTERNAL_CHECK_MS)
        self._poll.timeout.connect(self._check_external)

    @property
    def zone(self) -> Zone:
        return zone(self.settings.office_zone)

    def start_watching(self) -> None:
        """Read now, then look for other programs' writes every few seconds."""
        self.refresh()
        self._poll.start()

    def stop_watching(self) -> None:
        self._poll.stop()

    # ---- reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        z = self.zone

        def job(p: Profile) -> tuple[Today, int]:
            from wfh_desktop.today import data_version, read_today

            # The version first: a write between the two reads is then seen at the next look.
            version = data_version(p)
            return read_today(p, z), version

        self.worker.submit(job, self._got_today)

    def _got_today(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self._fail(error)
            return
        self.today, self._version = result
        self.today_changed.emit(self.today)
        self.check_milestones()

    def _check_external(self) -> None:
        def job(p: Profile) -> int:
            from wfh_desktop.today import data_version

            return data_version(p)

        def reply(version: Any, error: BaseException | None) -> None:
            if error is None and (version != self._version or self._new_day()):
                self.refresh()

        self.worker.submit(job, reply)

    def _new_day(self) -> bool:
        """Midnight in the office zone has passed since the last read."""
        if self.today is None:
            return False
        z = self.zone
        return day_of(self.clock.now_ms(), z) != day_of(self.today.read_ms, z)

    def read(self, job: Callable[[Profile], Any], reply: Callable[[Any], None]) -> None:
        """Run a read on the worker; its answer goes to ``reply`` on the UI thread, a failure
        to the ``failed`` signal."""

        def done(result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._fail(error)
            else:
                reply(result)

        self.worker.submit(job, done)

    def search(self, text: str, reply: Callable[[list[Any]], None]) -> None:
        """Open tasks matching ``text``, recent first, handed to ``reply`` on the UI thread."""

        def job(p: Profile) -> list[Any]:
            from wfh_desktop.today import search_tasks

            return search_tasks(p, text)

        self.read(job, reply)

    # ---- actions -------------------------------------------------------------------------

    def act(
        self,
        job: Callable[[Profile], Any],
        after: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run a change on the worker (the one writer), then read everything again; ``after``
        gets its result on the UI thread, a failure goes to ``failed`` (a dialog that says it
        beside what the user typed) or else to the ``failed`` signal."""

        def reply(result: Any, error: BaseException | None) -> None:
            if error is not None:
                if failed is not None:
                    failed(error)
                else:
                    self._fail(error)
            else:
                self.changed.emit()
                if after is not None:
                    after(result)
            self.refresh()

        self.worker.submit(job, reply)

    def start_task(self, task_id: str) -> None:
        self.act(lambda p: _timer(p).start(task_id=task_id))

    def start_ref(self, ref: str) -> None:
        """Start a task named by its title or id (``wfh-desktop --start TASK``)."""
        self.act(lambda p: _timer(p).start(ref))

    def start_new(self, title: str, target_minutes: Any) -> None:
        self.act(lambda p: _timer(p).start_new(title, target_minutes))

    def pause(self) -> None:
        self.act(lambda p: _timer(p).pause())

    def resume(self) -> None:
        self.act(lambda p: _timer(p).resume())

    def stop(self) -> None:
        self.act(lambda p: _timer(p).stop())

    def finish(self) -> None:
        self.act(lambda p: _timer(p).finish())

    def _fail(self, error: BaseException) -> None:
        self.failed.emit(error_text(error))

    # ---- notifications -------------------------------------------------------------------

    def check_milestones(self) -> None:
        """Tell once per session when the running task reaches its target and when it goes
        50 % over it (each can be switched off in the settings)."""
        today = self.today
        if today is None or today.status.running is None or today.status.task is None:
            return
        task, session = today.status.task, today.status.running
        actual = today.timer_actual_at(self.clock.now_ms())
        for kind, limit, wanted, signal in (
            ("target", task.target_ms, self.settings.notify_at_target, self.target_reached),
            (
                "far",
                int(task.target_ms * FAR_OVER),
                self.settings.notify_far_over,
                self.far_over_target,
            ),
        ):
            key = (session.id, kind)
            if actual >= limit and key not in self._notified:
                self._notified.add(key)
                # Already past it when the session was first seen: no stale alarm at start-up.
                if wanted and actual - limit < 2 * 60_000:
                    signal.emit(task)
