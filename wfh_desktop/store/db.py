"""Opening the local database: durability settings, damage handling and the migration check.

Every command opens the file through :func:`open_database`. It is the hot path, so it uses the
standard library's ``sqlite3`` only. Alembic runs (from :mod:`wfh_desktop.store.migrate`) only when
the file's schema revision differs from :data:`HEAD_REVISION`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wfh_desktop.errors import StoreError
from wfh_desktop.store.schema import HEAD_REVISION

BUSY_TIMEOUT_MS = 10_000
# SQLite result codes meaning "this file is not a usable database" (not: busy, locked, I/O).
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return None
        raise
    return None if row is None else str(row[0])


def move_aside(path: Path, reason: str) -> Path:
    """Rename a damaged database (and its WAL and shared-memory files) out of the way, keeping
    every byte; returns the new name of the main file."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{n}")
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    os.replace(path, target)
    return target


def _moved_aside(path: Path, reason: str, message: str) -> StoreError:
    """Move the file out of the way (every byte kept) and say where, in ``message``."""
    moved = move_aside(path, reason)
    return StoreError(message, path=str(path), moved=str(moved))


def open_reader(conn: sqlite3.Connection) -> sqlite3.Connection | None:
    """A second, read-only connection to ``conn``'s file, usable from another thread (a long
    report reads two things at once); None for a database that is not a file."""
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    if not path:
        return None
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    reader = sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    reader.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return reader


def _connect(path: Path) -> tuple[sqlite3.Connection, str | None]:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as e:
        raise StoreError(
            "Cannot open the database {path}: {error}", path=str(path), error=str(e)
        ) from e
    try:
        _configure(conn)
        return conn, _revision(conn)
    except sqlite3.DatabaseError as e:
        conn.close()
        if getattr(e, "sqlite_errorcode", None) in _DAMAGED_CODES or "not a database" in str(e):
            raise _moved_aside(
                path,
                "unreadable",
                "The database {path} is not a readable SQLite database. It was moved to {moved} "
                "(nothing was deleted); the next command starts a new, empty database.",
            ) from e
        raise StoreError(
            "Cannot open the database {path}: {error}", path=str(path), error=str(e)
        ) from e


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating or upgrading as needed) the profile's database, ready for use.

    The connection is in autocommit mode: writes go through :func:`write_transaction`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn, revision = _connect(path)
    if revision == HEAD_REVISION:
        return conn
    foreign = (
        revision is None
        and conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%')"
        ).fetchone()[0]
    )
    conn.close()
    if foreign:
        # Some other program's SQLite file: keep it, out of the way, and start afresh.
        raise _moved_aside(
            path,
            "not-wfh",
            "The database {path} is an SQLite file of another program. It was moved to {moved} "
            "(nothing was deleted); the next command starts a new, empty database.",
        )
    from wfh_desktop.store import migrate  # heavy: SQLAlchemy and Alembic

    migrate.upgrade(path, revision)
    conn, revision = _connect(path)
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: ``BEGIN IMMEDIATE`` takes the write lock up front, so two processes
    never interleave a read-then-write; committed with ``synchronous=FULL``."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise StoreError(
            "The database is busy (another WFH Desktop program is writing); try again."
        ) from e
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
