"""``kill -9`` of ``wfh sync`` in the middle of a large upload (F5): nothing is lost and nothing
is stored twice; the next ``wfh sync`` finishes the job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.test_sync_cli import Computer
from wfh_desktop.clock import SystemClock
from wfh_desktop.profile import Profile
from wfh_desktop.tasks import TaskService, clean_fields

BACKLOG = 1500


def _acked(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return int(conn.execute("SELECT count(*) FROM outbox WHERE status = 'acked'").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)
def test_wfh_sync_killed_mid_upload_loses_and_repeats_nothing(server, tmp_path):
    laptop = Computer(tmp_path / "laptop")
    laptop.first_login(server)
    profile = Profile.open(laptop.db, SystemClock())
    try:
        with profile.write() as (conn, outbox):
            tasks = TaskService(profile)
            for n in range(BACKLOG):
                tasks.insert(
                    conn, outbox, clean_fields({"title": f"Tugas {n}", "target_minutes": 30})
                )
    finally:
        profile.close()

    proc = subprocess.Popen(
        [laptop.exe, "--lang", "en", "sync"],
        env=laptop.env(None),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _acked(laptop.db) < 300 and proc.poll() is None:
            assert time.monotonic() < deadline, "the upload did not start"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    sent = _acked(laptop.db)
    assert proc.returncode == -signal.SIGKILL, "the upload ended before it could be killed"
    assert 300 <= sent < BACKLOG

    r = laptop("sync")
    assert r.returncode == 0, r.stderr
    assert laptop.outbox() == ["acked"] * BACKLOG
    pc = Computer(tmp_path / "pc")
    r = pc.login(server.url, server.passwords["198501012010011001"])
    assert r.returncode == 0, r.stderr
    titles = [t for (t,) in pc.query("SELECT title FROM task")]
    assert len(titles) == len(set(titles)) == BACKLOG
