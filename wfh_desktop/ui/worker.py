"""The one way off the UI thread: every database call runs on one worker thread that owns the
profile (the app's single writer), and its ``(result, error)`` comes back on the UI thread."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from wfh_desktop.clock import Clock
from wfh_desktop.errors import UserError

if TYPE_CHECKING:
    from wfh_desktop.profile import Profile

log = logging.getLogger("wfh.ui")

Job = Callable[["Profile"], Any]
Reply = Callable[[Any, BaseException | None], None]


class DbWorker(QObject):
    """Runs jobs ``fn(profile)`` one after another on its own thread.

    Signals:
        job_finished(int, object, object): a job's number, its result and its error (or None);
            emitted from the worker, delivered on the UI thread.
    """

    job_finished = Signal(int, object, object)

    def __init__(self, database: Path, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._clock = clock
        self._jobs: queue.Queue[tuple[int, Job] | None] = queue.Queue()
        self._replies: dict[int, Reply] = {}
        self._next = 0
        self._opened = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        self._open_error: BaseException | None = None
        self.job_finished.connect(self._deliver)
        # Started by the first job: nothing competes with the app's start-up before it.
        self._thread = threading.Thread(target=self._run, name="wfh-db", daemon=True)

    def submit(self, job: Job, reply: Reply | None = None) -> None:
        """Queue ``job``; ``reply(result, error)`` is called on the UI thread when it is done."""
        with self._lock:  # the UI thread and the sync job both submit
            if not self._thread.is_alive() and self._thread.ident is None:
                self._thread.start()
            self._next += 1
            if reply is not None:
                self._replies[self._next] = reply
            self._jobs.put((self._next, job))

    def call(self, job: Job, timeout_s: float = 60.0) -> Any:
        """Run ``job`` on the worker and wait for its result, from a thread that is not the UI
        thread (the sync job): its database writes go through this one writer too."""
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("DbWorker.call would block the UI thread; use submit()")
        if self._closed:  # the app is quitting: a sync still running must not wait for it
            raise RuntimeError("the database thread has stopped")
        done: Future[Any] = Future()

        def run(p: Profile) -> None:
            try:
                done.set_result(job(p))
            except BaseException as e:
                done.set_exception(e)

        def unopened(_result: Any, error: BaseException | None) -> None:
            if error is not None and not done.done():  # the database could not be opened
                done.set_exception(error)

        self.submit(run, unopened)
        return done.result(timeout=timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Finish the queued jobs, close the database and end the thread."""
        self._closed = True
        if self._thread.ident is None:
            return  # never started
        self._jobs.put(None)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        from wfh_desktop.profile import Profile

        profile: Profile | None
        try:
            profile = Profile.open(self._database, self._clock)
        except BaseException as e:  # reported to every job below
            log.exception("cannot open %s", self._database)
            profile = None
            self._open_error = e
        try:
            while (item := self._jobs.get()) is not None:
                number, job = item
                if profile is None:
                    self.job_finished.emit(number, None, self._open_error)
                    continue
                try:
                    result = job(profile)
                except Exception as e:  # handed to the UI thread, which shows it
                    if not isinstance(e, UserError):
                        log.exception("database job failed")
                    self.job_finished.emit(number, None, e)
                else:
                    self.job_finished.emit(number, result, None)
        finally:
            if profile is not None:
                profile.close()

    def _deliver(self, number: int, result: Any, error: BaseException | None) -> None:
        reply = self._replies.pop(number, None)
        if reply is not None:
            reply(result, error)
