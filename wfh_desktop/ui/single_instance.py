"""One app per profile: a second ``wfh-desktop`` hands its wish (show the window, start a task)
to the running one and ends, so there is never a second owner of the timer.

The first instance holds a lock file in the data folder and listens on a local socket named
after the profile; later ones find the lock taken and send one JSON line to the socket.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TRIES_S = 5.0  # the first instance may still be starting


def socket_name(database: Path) -> str:
    digest = hashlib.sha256(str(database.resolve()).encode()).hexdigest()[:16]
    return f"wfh-desktop-{digest}"


class SingleInstance(QObject):
    """Signals:
    message_received(dict): a later launch asked for something (``{"show": true}`` or
        ``{"start": "TASK"}``).
    """

    message_received = Signal(dict)

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = socket_name(database)
        database.parent.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(database.with_name("wfh-desktop.lock")))
        self._lock.setStaleLockTime(0)  # a lock left by a crashed app is found stale by its pid
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    def acquire(self, *, listen: bool = True) -> bool:
        """Become the one instance; False when another one runs. With ``listen`` False, call
        :meth:`listen` later (the app shows its tray icon first; a second launch waits)."""
        if not self._lock.tryLock(0):
            return False
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Take the wishes of later launches."""
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self.name)  # a socket left behind by a crash
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.listen(self.name)
        server.newConnection.connect(self._accept)
        self._server = server

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        self._lock.unlock()

    def send(self, message: dict[str, Any]) -> bool:
        """Hand ``message`` to the running instance; False if it cannot be reached."""
        from PySide6.QtNetwork import QLocalSocket

        deadline = time.monotonic() + CONNECT_TRIES_S
        while True:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(500):
                socket.write((json.dumps(message) + "\n").encode())
                ok = socket.waitForBytesWritten(2_000)
                socket.disconnectFromServer()
                return ok
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            # Read as the line arrives, never waiting on the UI thread.
            self._clients.append(socket)
            socket.readyRead.connect(self._ready)
            socket.disconnected.connect(self._gone)
            self._read(socket)  # what arrived before the connection was taken

    def _ready(self) -> None:
        socket = self.sender()
        if socket in self._clients:
            self._read(socket)

    def _gone(self) -> None:
        socket = self.sender()
        if socket in self._clients:
            self._read(socket)  # the last line, if the sender hung up right after writing
            self._clients.remove(socket)
            socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine().data()).decode("utf-8", "replace")
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                self.message_received.emit(message)
