"""A profile: one local database, the device and user it belongs to, and the clock.

:class:`Profile` is what every service is built on. Writes go through :meth:`Profile.write`, one
SQLite transaction each, which also carries the outbox writer for that transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wfh_desktop.clock import Clock
from wfh_desktop.ids import uuid7
from wfh_desktop.outbox import MutationWriter
from wfh_desktop.store.db import open_database, write_transaction

PAUSED_KEY = "paused_task_id"  # app_state: the task that pause remembered for resume


def sync_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of ``sync_meta``: the device, the signed-in account (``account_nip``, ...), the
    sync's marks."""
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


class Profile:
    """The local store of one person on one device."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self.device_id, self.user_id = self._identity()
        self._writer = MutationWriter(conn, self.device_id)

    @classmethod
    def open(cls, path: Path, clock: Clock) -> Profile:
        return cls(open_database(path), clock)

    def close(self) -> None:
        self.conn.close()

    def reload_identity(self) -> None:
        """Read the device and user again (signing in binds the profile to an account)."""
        self.device_id, self.user_id = self._identity()
        self._writer = MutationWriter(self.conn, self.device_id)

    def _identity(self) -> tuple[str, str]:
        rows = dict(
            self.conn.execute(
                "SELECT key, value FROM sync_meta WHERE key IN ('device_id', 'user_id')"
            ).fetchall()
        )
        if "device_id" in rows and "user_id" in rows:
            return rows["device_id"], rows["user_id"]
        with write_transaction(self.conn) as conn:
            # Re-read under the write lock: another process may have just made them.
            rows = dict(
                conn.execute(
                    "SELECT key, value FROM sync_meta WHERE key IN ('device_id', 'user_id')"
                ).fetchall()
            )
            for key in ("device_id", "user_id"):
                if key not in rows:
                    rows[key] = uuid7(self.clock.now_ms())
                    conn.execute(
                        "INSERT INTO sync_meta(key, value) VALUES (?, ?)", (key, rows[key])
                    )
        return rows["device_id"], rows["user_id"]

    @contextmanager
    def write(self) -> Iterator[tuple[sqlite3.Connection, MutationWriter]]:
        """One atomic change and its outbox rows."""
        self._writer.forget_cached_hlc()  # another process may have written since
        try:
            with write_transaction(self.conn) as conn:
                yield conn, self._writer
        except BaseException:
            self._writer.forget_cached_hlc()
            raise

    def get_state(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM app_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def set_state(conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM app_state WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO app_state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
