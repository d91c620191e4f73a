"""``wfh watch`` (what ``make run`` starts): live status with one key per action, in a real
terminal (a pseudo-terminal here)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time


def _read_until(fd: int, text: str, timeout: float = 20.0) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        assert left > 0, seen.decode(errors="replace")[-500:]
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen.decode(errors="replace")


def test_watch_without_a_terminal_prints_the_status_once(wfh):
    wfh.ok("start", "Rapat", "--new", "--target", "15")
    r = wfh("watch", now="2026-11-02T08:05:00+07:00")
    assert r.returncode == 0 and "Running: Rapat" in r.stdout and "5:00 / 15 min" in r.stdout


def test_watch_keys_pause_resume_and_quit(wfh):
    wfh.ok("start", "Rapat", "--new", "--target", "15", now=None)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [wfh.exe, "--lang", "id", "watch"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=wfh.env(None),
        close_fds=True,
    )
    os.close(terminal)
    try:
        _read_until(controller, "[j] jeda")
        os.write(controller, b"j")
        _read_until(controller, "Dijeda")
        assert wfh.json("status", now=None)["state"] == "paused"
        os.write(controller, b"l")
        _read_until(controller, "Berjalan")
        assert wfh.json("status", now=None)["state"] == "running"
        os.write(controller, b"k")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(controller)
