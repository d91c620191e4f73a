"""One sync of a profile at a time across processes (``sync.lock.one_sync``): the tray app's
job and a ``wfh sync`` typed meanwhile move the same sent mark."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.sync.conftest import Desk
from tests.sync.test_faults import on_server, some_work
from wfh_desktop.sync.errors import SyncError
from wfh_desktop.sync.lock import one_sync

HOLD = """
import sys
from wfh_desktop.sync.lock import one_sync
with one_sync(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def hold_elsewhere(database: Path) -> subprocess.Popen[str]:
    """Another process syncing this profile, until a line is written to it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.close()
    assert proc.wait(10) == 0
    assert proc.stdout is not None
    proc.stdout.close()


def test_a_second_sync_waits_for_the_first_then_gives_up_with_a_message(tmp_path: Path) -> None:
    database = tmp_path / "wfh.db"
    other = hold_elsewhere(database)
    with (
        pytest.raises(SyncError, match="Another program is still syncing"),
        one_sync(str(database), wait_s=0.2),
    ):
        pass
    got: list[float] = []
    waiting = threading.Thread(target=lambda: got.append(_hold_once(database)))
    waiting.start()
    time.sleep(0.3)
    assert got == []  # still waiting for the other program
    release(other)
    waiting.join(10)
    assert got and not waiting.is_alive()
    told: list[bool] = []
    with one_sync(str(database), wait_s=0, on_wait=lambda: told.append(True)):
        pass  # free again, at once: nothing to tell
    assert told == []


def _hold_once(database: Path) -> float:
    with one_sync(str(database), wait_s=30):
        return time.monotonic()


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_sync_while_another_program_syncs_waits_and_then_goes_up(desk, server) -> None:
    laptop: Desk = desk("laptop")
    laptop.sign_in()
    some_work(laptop, "Laporan bulanan")
    other = hold_elsewhere(laptop.path)
    released: list[bool] = []

    def later() -> None:
        time.sleep(0.5)
        released.append(True)
        release(other)

    releasing = threading.Thread(target=later)
    releasing.start()
    told: list[str] = []
    laptop.client.progress = lambda p: told.append(p.phase)
    report = laptop.sync()  # waits for the other program, and says so once
    assert released == [True] and report.pushed == 2
    assert told.count("waiting") == 1 and told[0] == "waiting"
    assert len(on_server(server, "session")) == 1
    releasing.join(10)


def test_a_copied_profile_gets_its_own_device_only_once_no_other_sync_runs(
    tmp_path: Path,
) -> None:
    """A sign-in after ``device_conflict`` renumbers the outbox under a new device id: never
    while another program pushes this profile under the old one."""
    from wfh_desktop.clock import FixedClock
    from wfh_desktop.profile import Profile
    from wfh_desktop.sync import local
    from wfh_desktop.sync.client import SyncClient

    profile = Profile.open(tmp_path / "wfh.db", FixedClock(1_790_000_000_000))
    with profile.write() as (conn, _):
        local.set_meta(conn, "device_conflict", "1")
    old = profile.device_id
    client = SyncClient(profile, server_url="https://127.0.0.1:9")  # never reached
    other = hold_elsewhere(tmp_path / "wfh.db")
    seen: list[str] = []

    def later() -> None:
        time.sleep(0.4)
        seen.append(_device(tmp_path))  # while the other program syncs: still the old one
        release(other)

    releasing = threading.Thread(target=later)
    releasing.start()
    with pytest.raises(Exception):  # noqa: B017 (the sign-in itself: nobody listens on port 9)
        client.sign_in("x", "y")
    releasing.join(10)
    assert seen == [old] and _device(tmp_path) != old  # its own device, once the other ended
    client.close()
    profile.close()


def _device(folder: Path) -> str:
    import sqlite3

    with sqlite3.connect(folder / "wfh.db") as conn:
        return str(
            conn.execute("SELECT value FROM sync_meta WHERE key = 'device_id'").fetchone()[0]
        )
