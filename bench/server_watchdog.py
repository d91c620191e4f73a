"""The server benchmark's watchdog: ends what the benchmark started if the benchmark itself dies
(SIGKILL, a crash) or runs past its time bound.

    server_watchdog.py <benchmark pid> <deadline, epoch seconds> <state file>

The benchmark appends one JSON object a line to the state file: ``{"pgid": n}`` for a process
group it started (``wfh-server``, ``aw-server``, ``wrk``; each runs under ``timeout`` in a
session of its own), ``{"pidfile": path}`` for a PostgreSQL data folder's ``postmaster.pid``,
and ``{"done": n}`` / ``{"done": path}`` once it has stopped one itself. When the benchmark's
process is gone, or the deadline passes, every group still listed is sent SIGTERM (SIGKILL 10 s
later) and every PostgreSQL still running gets SIGINT (a fast shutdown); then the watchdog exits.
It only ever signals the process groups and postmasters the benchmark wrote down.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _listed(state: Path) -> tuple[list[int], list[Path]]:
    groups: list[int] = []
    pidfiles: list[Path] = []
    done: set[object] = set()
    try:
        lines = state.read_text().splitlines()
    except OSError:
        return [], []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if "pgid" in entry:
            groups.append(int(entry["pgid"]))
        elif "pidfile" in entry:
            pidfiles.append(Path(entry["pidfile"]))
        elif "done" in entry:
            done.add(entry["done"])
    return [g for g in groups if g not in done], [p for p in pidfiles if str(p) not in done]


def _postmaster(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def clean_up(state: Path) -> None:
    groups, pidfiles = _listed(state)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    for pidfile in pidfiles:
        pid = _postmaster(pidfile)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGINT)
    if not groups:
        return
    time.sleep(10)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    parent, deadline, state = int(argv[1]), float(argv[2]), Path(argv[3])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the benchmark's to handle
    while _alive(parent) and time.time() < deadline:
        time.sleep(1.0)
    clean_up(state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
