"""The tray app's side of sync: the background job (core, no Qt) reports here, and this object
turns it into Qt signals delivered on the UI thread. Signing in runs off the UI thread too;
the database is only ever used through the app's one database thread.

Signals:
    state_changed(object): the sync state to show (a ``SyncStatus``, or the text "syncing").
    progress(object): a ``Progress`` of a large upload.
    signed_in(object): a sign-in worked (a ``SignedIn``).
    sign_in_failed(object): a sign-in failed (the ``SyncError``).
    directory_found(str, object): a search of the server's directory answered (the search and
        the ``Colleague`` list, already kept in the local directory).
    directory_failed(str, object): a search of the server's directory failed (the search and
        the error).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from wfh_desktop.clock import Clock
from wfh_desktop.ui.worker import DbWorker

log = logging.getLogger("wfh.ui")


class SyncBridge(QObject):
    state_changed = Signal(object)
    progress = Signal(object)
    signed_in = Signal(object)
    sign_in_failed = Signal(object)
    directory_found = Signal(str, object)
    directory_failed = Signal(str, object)
    _event = Signal(str, object)  # from the job's thread

    def __init__(
        self, worker: DbWorker, clock: Clock, ca_file: str | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.clock = clock
        self.ca_file = ca_file
        self._stale = False  # the CA file changed: the client is made again
        self.status: Any = None
        self._client: Any = None
        self._job: Any = None
        self._lock = threading.Lock()
        self._event.connect(self._on_event)

    # ---- the client, made off the UI thread

    def _make_client(self, server_url: str | None = None) -> Any:
        from wfh_desktop.sync.client import SyncClient

        with self._lock:
            stale = self._stale
            if self._client is None or stale or (server_url and self._client.url != server_url):
                # The new one first: if it cannot be made, the old one still works.
                new = SyncClient(
                    self.worker.call,
                    clock=self.clock,
                    server_url=server_url,
                    ca_file=self.ca_file,
                    progress=lambda p: self.progress.emit(p),
                )
                old, self._client = self._client, new
                self._stale = False
                if old is not None:
                    old.close()
            return self._client

    def _sync(self) -> Any:
        return self._make_client().sync()

    # ---- starting and stopping

    def start(self, first_delay_s: float | None = None) -> None:
        """Show the state at once; start the background job when the profile has a server."""
        self.refresh()

        def bound(p: Any) -> bool:
            from wfh_desktop.sync import local

            return local.meta(p.conn, "server_url") is not None

        self.worker.submit(bound, lambda yes, _e: self._start_job(first_delay_s) if yes else None)

    def _start_job(self, first_delay_s: float | None) -> None:
        from wfh_desktop.sync.job import SyncJob

        if self._job is not None:
            return
        self._job = SyncJob(self._sync, lambda kind, detail: self._event.emit(kind, detail))
        self._job.start(first_delay_s)

    def stop(self) -> None:
        if self._job is not None:
            self._job.stop(wait=False)
            self._job = None
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # ---- what the user and the app ask for

    def sync_now(self) -> None:
        if self._job is None:
            self._start_job(0.0)
        else:
            self._job.sync_now()

    def changed(self) -> None:
        """A local change was stored: push it a few seconds later."""
        if self._job is not None:
            self._job.changed()

    def network_up(self) -> None:
        if self._job is not None:
            self._job.sync_now()

    def sign_in(
        self,
        server_url: str,
        login: str,
        password: str,
        new_password: str | None = None,
        *,
        ca_file: str | None = None,
    ) -> None:
        """Sign in on a thread of its own; the answer comes as ``signed_in`` or
        ``sign_in_failed``; after a sign-in the background job starts at once. ``ca_file``:
        the agency's certificate authority, used from now on (the app keeps it in its
        settings once signed in)."""
        if ca_file != self.ca_file:
            with self._lock:
                self.ca_file = ca_file
                self._stale = True  # the next client is made with it

        def run() -> None:
            from wfh_desktop.sync.errors import SyncError

            try:
                client = self._make_client(server_url)
                signed = client.sign_in(login, password, new_password=new_password)
            except SyncError as e:
                self._event.emit("sign_in_failed", e)
            except Exception as e:
                log.exception("sign-in failed")
                self._event.emit("sign_in_failed", e)
            else:
                self._event.emit("signed_in", signed)

        threading.Thread(target=run, name="wfh-sign-in", daemon=True).start()

    def search_directory(self, search: str) -> None:
        """Search the organisation's directory on the server, on a thread of its own (the
        answer is kept in the local directory through the database thread); the answer comes
        as ``directory_found`` or ``directory_failed``."""

        def run() -> None:
            from wfh_desktop.sync.errors import SyncError

            try:
                people = self._make_client().directory(search)
            except SyncError as e:
                self._event.emit("directory_failed", (search, e))
            except Exception as e:
                log.exception("directory search failed")
                self._event.emit("directory_failed", (search, e))
            else:
                self._event.emit("directory_found", (search, people))

        threading.Thread(target=run, name="wfh-directory", daemon=True).start()

    def sign_out(self) -> None:
        def run() -> None:
            try:
                self._make_client().sign_out()
            except Exception:
                log.exception("sign-out failed")
            self._event.emit("signed_out", None)

        threading.Thread(target=run, name="wfh-sign-out", daemon=True).start()

    def refresh(self) -> None:
        """Read the sync state again and tell it."""

        def read(p: Any) -> Any:
            from wfh_desktop.sync import local

            return local.status(p.conn)

        self.worker.submit(read, self._got_status)

    def _got_status(self, status: Any, error: BaseException | None) -> None:
        if error is not None:
            log.error("cannot read the sync state", exc_info=error)
            return
        self.status = status
        self.state_changed.emit(status)

    def _on_event(self, kind: str, detail: Any) -> None:
        if kind == "syncing":
            self.state_changed.emit("syncing")
        elif kind == "signed_in":
            self.signed_in.emit(detail)
            self.sync_now()
        elif kind == "sign_in_failed":
            self.sign_in_failed.emit(detail)
            self.refresh()
        elif kind == "directory_found":
            self.directory_found.emit(*detail)
        elif kind == "directory_failed":
            self.directory_failed.emit(*detail)
        else:  # done, failed, signed_out
            self.refresh()
