"""One sync of a profile at a time, across processes: the tray app's sync job and a ``wfh sync``
typed meanwhile both push from the same outbox and move its sent mark (``sync_meta.sent_seq``);
one of them moving the mark back after a push that never left could hide the other's push
from the fold check. The second waits for the first (a lock file beside the database).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from wfh_desktop.sync.errors import SyncError

WAIT_S = 15 * 60.0  # a year's backlog goes up in about a minute; longer is something wrong


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def one_sync(
    database: str, wait_s: float = WAIT_S, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Held for one sync of the profile in ``database`` (a file path; an in-memory database
    has no other process). Waits, polling, while another process syncs it; ``on_wait`` is
    called once when it has to wait, so that the user is told why nothing seems to happen."""
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}-sync", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        told = False
        while not _try_lock(fd):
            if not told and on_wait is not None:
                on_wait()
                told = True
            if time.monotonic() > deadline:
                raise SyncError(
                    "Another program is still syncing this computer's data; try again later."
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
