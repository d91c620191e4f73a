"""Nothing lost: a running timer survives kill -9, and two processes at once cannot both run a
timer or corrupt the file."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wfh_desktop.clock import SystemClock
from wfh_desktop.profile import Profile
from wfh_desktop.timer import TimerService

WORKER = [sys.executable, "-m", "tests.helpers.timer_worker"]
ROOT = Path(__file__).resolve().parent.parent


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*WORKER, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_running_timer_survives_kill_9(db_path):
    proc = _spawn(str(db_path), "start", "Menyusun laporan")
    try:
        line = proc.stdout.readline().split()
        assert line[0] == "started", proc.stderr.read()
        session_id, start_ms = line[1], int(line[2])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    # A new process (here: this one) finds the timer running with its original start.
    profile = Profile.open(db_path, SystemClock())
    status = TimerService(profile).status()
    assert status.running is not None
    assert (status.running.id, status.running.start_at) == (session_id, start_ms)
    assert status.task is not None and status.task.title == "Menyusun laporan"
    outbox = profile.conn.execute("SELECT type, entity_id FROM outbox ORDER BY seq").fetchall()
    assert outbox == [("task.upsert", status.task.id), ("session.upsert", session_id)]
    profile.close()


def _check_consistent(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    running = conn.execute(
        "SELECT count(*) FROM session WHERE end_at IS NULL AND deleted_at IS NULL"
    ).fetchone()[0]
    assert running <= 1
    assert conn.execute("SELECT count(*) FROM session WHERE end_at < start_at").fetchone()[0] == 0
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    # Timer sessions of one person never overlap: each start stopped the previous one.
    spans = conn.execute(
        "SELECT start_at, COALESCE(end_at, 9e15) FROM session WHERE source = 'timer' "
        "ORDER BY start_at, COALESCE(end_at, 9e15)"
    ).fetchall()
    for (_, end_a), (start_b, _) in itertools.pairwise(spans):
        assert end_a <= start_b
    # Every session has its outbox row, and every stopped one its stop (or was created stopped).
    missing = conn.execute(
        "SELECT count(*) FROM session s WHERE NOT EXISTS "
        "(SELECT 1 FROM outbox o WHERE o.entity_id = s.id AND o.type = 'session.upsert')"
    ).fetchone()[0]
    assert missing == 0
    return conn


def test_two_processes_at_once_never_run_two_timers(db_path):
    Profile.open(db_path, SystemClock()).close()  # create the schema once
    procs = [_spawn(str(db_path), "churn", title, "40") for title in ("Tugas A", "Tugas B")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == "done", err
    conn = _check_consistent(db_path)
    # 41 sessions each, whatever the interleaving; a start never left two running.
    assert conn.execute("SELECT count(*) FROM session").fetchone()[0] == 82
    conn.close()


@pytest.mark.parametrize("writes", [3, 40, 300])
def test_kill_9_in_the_middle_of_writing_leaves_a_consistent_database(db_path, writes):
    Profile.open(db_path, SystemClock()).close()
    proc = _spawn(str(db_path), "churn", "Tugas A", "100000")
    watcher = sqlite3.connect(db_path, timeout=10)
    deadline = time.monotonic() + 60
    while watcher.execute("SELECT count(*) FROM outbox").fetchone()[0] < writes:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.005)
    watcher.close()
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    conn = _check_consistent(db_path)
    conn.close()
    # And the profile opens and works afterwards.
    profile = Profile.open(db_path, SystemClock())
    TimerService(profile).start_new("Setelah crash", 15)
    profile.close()
