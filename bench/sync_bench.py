"""The sync client's benchmark (issue 5): a backlog of offline sessions pushed to a local
server, and the "nothing new" sync.

For each database (SQLite; PostgreSQL with ``--backends sqlite,postgresql``): a fresh server
database with one organisation and one person, ``wfh-server serve --workers 2`` on loopback, a
profile made by bench/histgen.py holding N sessions (their tasks, and every mutation the app
wrote for them, all pending, as after a long time offline), and the client
(bench/sync_client.py, a process of its own) signing in and syncing through a counting relay on
loopback, which gives the bytes on the wire both ways. Written to docs/benchmarks.md.

    .venv/bin/python bench/sync_bench.py [--sessions 100000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from run import machine_info  # noqa: E402
from server_procs import (  # noqa: E402
    VENV_BIN,
    WORK,
    Registry,
    postgres,
    server_env,
    wfh_server,
)

SECTION = "## Sync client benchmark"
NIP = "198501012010011001"
NEW_PASSWORD = "kata-sandi-benchmark-1"
GOAL_S = 60.0
GOAL_MIB = 200.0
GOAL_EMPTY_BYTES = 1024


def log(text: str) -> None:
    sys.stderr.write(f"[sync-bench {time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()


class Relay:
    """A TCP relay on loopback that counts the bytes each way."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.up = self.down = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.5)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return self.up, self.down

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.target, timeout=30)
            for s in (client, server):  # as httpx and uvicorn do: no Nagle delay on a relay hop
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for src, dst, up in ((client, server, True), (server, client, False)):
                t = threading.Thread(target=self._pipe, args=(src, dst, up), daemon=True)
                t.start()
                self._threads.append(t)

    def _pipe(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        src.settimeout(1.0)
        try:
            while not self._stop.is_set():
                try:
                    data = src.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                with self._lock:
                    if up:
                        self.up += len(data)
                    else:
                        self.down += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        for t in self._threads:
            t.join(5)


def make_history(n: int) -> Path:
    """The profile with ``n`` sessions, all pending (made once per size, copied per run)."""
    # made again when bench/histgen.py changes (what the app writes changes with it)
    made_by = hashlib.sha256((BENCH / "histgen.py").read_bytes()).hexdigest()[:10]
    out = WORK / "sync" / f"h{n}-{made_by}"
    db = out / "wfh" / "data" / "wfh.db"
    if not db.exists():
        log(f"generating a profile with {n:,} sessions")
        subprocess.run(
            [
                str(VENV_BIN / "python"),
                str(BENCH / "histgen.py"),
                "--sessions",
                str(n),
                "--out",
                str(out),
                "--only",
                "wfh",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return db


def prepare_server(home: Path, url: str) -> str:
    """Migrate, then one organisation and one person; returns the initial password."""
    subprocess.run(
        [str(VENV_BIN / "wfh-server"), "migrate"],
        env=server_env(home, url),
        check=True,
        capture_output=True,
    )
    from wfh_server import admin
    from wfh_server.config import ServerConfig
    from wfh_server.db import make_engine

    engine = make_engine(ServerConfig(home, url))
    try:
        admin.create_org(engine, "Kementerian Contoh", "kemen")
        admin.create_unit(engine, "kemen", "Biro Umum")
        return admin.add_user(engine, "kemen", NIP, "Siti Aminah", "Biro Umum", None).password
    finally:
        engine.dispose()


def run_client(db: Path, relay: Relay, password: str, bound_s: float) -> dict[str, Any]:
    env = {
        **dict(__import__("os").environ),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # the sign-in in memory
    }
    argv = [str(VENV_BIN / "python"), str(BENCH / "sync_client.py"), "--db", str(db)]
    argv += ["--server", relay.url, "--login", NIP, f"--password={password}"]  # may begin with "-"
    argv += ["--new-password", NEW_PASSWORD]
    proc = subprocess.Popen(
        ["timeout", str(int(bound_s)), *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    phases: dict[str, Any] = {}
    try:
        before = relay.counts()
        while True:
            line = proc.stdout.readline()
            if not line:
                break
            phase = json.loads(line)
            after = relay.counts()
            phase["bytes_up"], phase["bytes_down"] = after[0] - before[0], after[1] - before[1]
            before = after
            phases[phase.pop("phase")] = phase
            log(f"  {list(phases)[-1]}: {phase}")
            proc.stdin.write("\n")
            proc.stdin.flush()
    finally:
        proc.stdin.close()
        code = proc.wait(30)
    if code != 0 or "end" not in phases:
        raise RuntimeError(f"the client failed (exit {code}); phases: {phases}")
    return phases


def one_backend(name: str, n: int, bound_s: float) -> dict[str, Any]:
    source = make_history(n)
    with tempfile.TemporaryDirectory(prefix=f"wfh-sync-{name}-") as tmp:
        folder = Path(tmp)
        registry = Registry(folder, bound_s)
        try:
            db = folder / "client" / "wfh.db"
            db.parent.mkdir()
            shutil.copy(source, db)
            home = folder / "server"
            home.mkdir()
            if name == "sqlite":
                return _measure(db, home, f"sqlite:///{home / 'wfh-server.db'}", registry, n)
            with postgres(folder, registry) as pg:
                return _measure(db, home, pg.create("wfh_sync_bench"), registry, n)
        finally:
            registry.close()


def _measure(db: Path, home: Path, url: str, registry: Registry, n: int) -> dict[str, Any]:
    password = prepare_server(home, url)
    with wfh_server(home, url, registry) as server:
        relay = Relay(server.port)
        try:
            phases = run_client(db, relay, password, registry.left_s())
        finally:
            relay.close()
    return {"sessions": n, "phases": phases}


def report(results: dict[str, Any], args: argparse.Namespace, started: float) -> str:
    lines = [SECTION, ""]
    lines.append(
        "Run it with `make bench-sync` or `.venv/bin/python bench/sync_bench.py` "
        "(`--sessions`, `--backends sqlite,postgresql`, `--output`; see `--help`). Every run "
        "rewrites this section."
    )
    lines.append("")
    lines.append(
        "How: bench/histgen.py makes a profile holding N sessions of office days, with their "
        "tasks and every mutation the app wrote for them, all still pending (as after a long "
        "time offline): for each session one `session.upsert` carrying its end, and for each "
        "task one `task.upsert` carrying its finish (the app folds a stop or a change into a "
        "creation it has not sent yet, `outbox.fold`; before 2026-12-07 they were two each). "
        "A fresh server database gets "
        "one organisation and one person; `wfh-server serve --workers 2` runs on loopback. The "
        "client (bench/sync_client.py, a process of its own, so its peak memory is its own) "
        "signs in, which binds the profile to the account (the first sign-in: every local "
        "record and pending mutation becomes the account's), then syncs: the whole backlog in "
        "pushes of at most 100 mutations, then the pull. Then five more syncs with nothing new. "
        "It talks to the server through a counting TCP relay on loopback, which gives the bytes "
        "on the wire each way (HTTP headers included). The client, the relay and the server "
        "share the machine's cores."
    )
    lines.append("")
    when = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"### Results of {when}")
    lines.append("")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    m = machine_info()
    lines.append(
        f"- Machine: {m['nproc']} cores, {m['cpu']}, {m['memory']}; load average at the end "
        f"{m['load']}; Python {m['python']}, SQLite {m['sqlite']}; commit {commit}. The "
        "client, the relay and the server's two workers share these cores."
    )
    lines.append("")
    lines.append(
        "| database | sessions | mutations pushed | sign-in (binding) s | backlog sync s | "
        "sessions/s | requests | MB sent | MB received | client peak MiB |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    goals: list[str] = []
    for name, r in results.items():
        ph = r["phases"]
        b = ph["backlog"]
        lines.append(
            f"| {name} | {r['sessions']:,} | {b['pushed']:,} | {ph['signed_in']['seconds']:.1f} | "
            f"{b['seconds']:.1f} | {r['sessions'] / b['seconds']:,.0f} | {b['requests']:,} | "
            f"{b['bytes_up'] / 1e6:.1f} | {b['bytes_down'] / 1e6:.1f} | "
            f"{ph['end']['rss_mib']:.0f} |"
        )
        empties = [v for k, v in ph.items() if k.startswith("empty")][1:]
        requests = max(e["requests"] for e in empties)
        wire = max(e["bytes_up"] + e["bytes_down"] for e in empties)
        ms = sorted(e["seconds"] * 1000 for e in empties)[len(empties) // 2]
        total = ph["signed_in"]["seconds"] + b["seconds"]
        goals += [
            f"| {name}: {r['sessions']:,}-session backlog, sign-in and sync | {total:.1f} s | "
            f"< {GOAL_S:.0f} s | {'met' if total < GOAL_S else '**not met**'} |",
            f"| {name}: client peak memory | {ph['end']['rss_mib']:.0f} MiB | < {GOAL_MIB:.0f} MB "
            f"| {'met' if ph['end']['rss_mib'] * 1.048576 < GOAL_MIB else '**not met**'} |",
            f'| {name}: "nothing new" sync | {requests} request, {wire} bytes on the wire, '
            f"{ms:.1f} ms | 1 request, < 1 KB | "
            f"{'met' if requests == 1 and wire < GOAL_EMPTY_BYTES else '**not met**'} |",
        ]
    lines.append("")
    lines.append("| goal | measured | limit | result |")
    lines.append("|---|---|---|---|")
    lines += goals
    lines.append("")
    lines.append(
        'The "nothing new" figures are the largest of the last four of five syncs in a row '
        "(the first follows the backlog's pull); its time is the median."
    )
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    doc = path.read_text(encoding="utf-8") if path.exists() else ""
    start = doc.find(SECTION + "\n")
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = doc.find("\n## ", start + len(SECTION))
        reading = doc.find(f"\n{SECTION}: reading the results", start + 1)
        if reading >= 0 and (end < 0 or reading <= end):
            end = reading
        doc = doc[:start] + text + (doc[end:] if end >= 0 else "")
    path.write_text(doc, encoding="utf-8")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--sessions", type=int, default=100_000)
    p.add_argument("--backends", default="sqlite", help="sqlite,postgresql")
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--bound", type=float, default=1200, help="seconds a backend may take")
    args = p.parse_args()
    started = time.time()
    results: dict[str, Any] = {}
    for name in args.backends.split(","):
        log(f"{name}: {args.sessions:,} sessions")
        results[name] = one_backend(name, args.sessions, args.bound)
    raw = WORK / "sync" / "results.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(results, indent=1))
    text = report(results, args, started)
    write_section(args.output, text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
