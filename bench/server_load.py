"""The server benchmark's load: simulated desktop devices, a small HTTP/1.1 keep-alive client on
asyncio streams (requests prebuilt as bytes, responses read by Content-Length), closed loops
(each worker sends its next request when the last one is answered: the maximum rate) and open
loops (requests due at a fixed rate, latency counted from when each was due, so a slow answer
delays the next one's clock, not the measurement), and ``wrk`` with a Lua script for the
"nothing new" pull's maximum."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import math
import os
import resource
import signal
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server_procs import (
    Registry,
    bounded,
    connection_split,
    cpu_seconds,
    descendants,
    machine_busy,
)
from server_seed import Spans

from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_desktop.timefmt import iso_utc

PUSH, PULL, EMPTY = "push", "pull_changes", "pull_nothing_new"
BALANCED = 0.62  # the busiest server worker's share of the workers' CPU still taken as even
SESSIONS_PER_PUSH = 5  # each a start (upsert, running) and a stop: 10 mutations


class HttpError(Exception):
    pass


class Conn:
    """One keep-alive connection; reconnects when the server closes it. uvicorn closes a
    connection idle for 5 s (its ``timeout_keep_alive``), so one idle for :data:`IDLE_S` is
    opened anew before use, as HTTP clients do, and a request that finds a reused connection
    already closed (nothing read) is sent once more on a new one."""

    IDLE_S = 4.0

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def connect(self) -> int:
        """Opens the connection; returns its local port."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.used = time.monotonic()
        return int(self.writer.get_extra_info("sockname")[1])

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is not None and time.monotonic() - self.used > self.IDLE_S:
            self.close()
        reused = self.writer is not None
        if self.writer is None:
            await self.connect()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            if not reused or (isinstance(e, asyncio.IncompleteReadError) and e.partial):
                raise
            self.close()  # the server had closed it meanwhile: once more on a new one
            await self.connect()
            assert self.reader is not None and self.writer is not None
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close, chunked = 0, head.startswith(b"HTTP/1.0"), False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.readexactly(length) if length else b""
        self.used = time.monotonic()
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def get(port: int, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# ---- the simulated devices -------------------------------------------------------------------


@dataclass
class Device:
    """One signed-in desktop: its token, its outbox numbering, its HLC, its change cursor."""

    port: int
    user: int
    user_id: str
    device_id: str
    access: str
    spans: Spans
    task_id: str = ""
    unsent: bytes | None = None  # a push that failed: sent again as it was, as a client would
    seq: int = 0
    last_ms: int = 0
    cursor: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = {"Authorization": f"Bearer {self.access}", "X-Sync-Protocol": "1"}

    def hlc(self) -> str:
        self.last_ms = max(self.last_ms + 1, time.time_ns() // 1_000_000)
        return Hlc(self.last_ms, 0, self.device_id).encode()

    def mutation(self, type_: str, entity_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        return {
            "seq": self.seq,
            "mutation_id": uuid7(),
            "type": type_,
            "entity_id": entity_id,
            "hlc": self.hlc(),
            "fields": fields,
        }

    def push_request(self, mutations: list[dict[str, Any]]) -> bytes:
        body = gzip.compress(json.dumps({"mutations": mutations}).encode(), 6)
        headers = self.headers | {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",  # SYNC.md: bodies over 1 KiB go gzip-compressed
        }
        return post(self.port, "/v1/sync/push", headers, body)

    def task_request(self) -> bytes:
        self.task_id = uuid7()
        fields = {
            "title": f"Menyusun laporan uji beban {self.device_id[-4:]}",
            "target_minutes": 60,
        }
        return self.push_request([self.mutation("task.upsert", self.task_id, fields)])

    def next_push(self) -> bytes:
        """The push that failed last time, again (the server answers ``duplicate`` for what it
        had kept), or a new one; :meth:`pushed` clears it once answered."""
        if self.unsent is None:
            self.unsent = self.sessions_request()
        return self.unsent

    def pushed(self) -> None:
        self.unsent = None

    def sessions_request(self) -> bytes:
        """A 10-mutation push: five sessions, each started (upsert, running) then stopped."""
        mutations = []
        for _ in range(SESSIONS_PER_PUSH):
            start, end = self.spans.next()
            sid = uuid7()
            fields = {
                "task_id": self.task_id,
                "start_at": iso_utc(start),
                "end_at": None,
                "source": "timer",
                "note": None,
            }
            mutations.append(self.mutation("session.upsert", sid, fields))
            mutations.append(self.mutation("session.stop", sid, {"end_at": iso_utc(end)}))
        return self.push_request(mutations)

    def pull_request(self, since: int, limit: int = 500) -> bytes:
        return get(self.port, f"/v1/sync/pull?since={since}&limit={limit}", self.headers)


def check_push(status: int, body: bytes, n: int) -> None:
    done = body.count(b'"status":"applied"') + body.count(b'"status":"duplicate"')
    if status != 200 or done != n:
        raise HttpError(f"push: {status} {body[:300]!r}")


def pulled(status: int, body: bytes) -> tuple[int, int, bool]:
    """(changes, next cursor, has_more) of a 200 pull."""
    if status != 200:
        raise HttpError(f"pull: {status} {body[:300]!r}")
    page = json.loads(body)
    return len(page["changes"]), int(page["next"]), bool(page["has_more"])


# ---- measuring -----------------------------------------------------------------------------


def percentile(sorted_xs: list[float], p: float) -> float:
    if not sorted_xs:
        return math.nan
    k = max(0, min(len(sorted_xs) - 1, math.ceil(p / 100 * len(sorted_xs)) - 1))
    return sorted_xs[k]


@dataclass
class Stats:
    count: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @staticmethod
    def of(latencies: list[float], seconds: float) -> Stats:
        xs = sorted(latencies)
        ms = [x * 1000 for x in xs]
        return Stats(
            len(xs),
            len(xs) / seconds if seconds else math.nan,
            percentile(ms, 50),
            percentile(ms, 90),
            percentile(ms, 99),
            ms[-1] if ms else math.nan,
            sum(ms) / len(ms) if ms else math.nan,
        )


@dataclass
class Cpu:
    """CPU use over a window, in % of one core (the machine has 100 % per core): the server's
    processes, PostgreSQL's, the generator's (this process and wrk), everything else on the
    machine (``other``: processes that are not the benchmark's), the whole machine, and each
    server worker's."""

    server_pct: float
    database_pct: float
    generator_pct: float
    other_pct: float
    machine_pct: float
    workers_pct: list[float] = field(default_factory=list)

    def balance(self) -> float:
        """The busiest worker's share of the workers' CPU (0.5 is even for two)."""
        total = sum(self.workers_pct)
        return max(self.workers_pct) / total if total > 0 and self.workers_pct else 1.0


class CpuMeter:
    """Reads the CPU time of the server's processes, PostgreSQL's, the generator's (this
    process, and wrk once it has been waited for) and the whole machine's."""

    def __init__(
        self,
        server_pids: Callable[[], list[int]],
        postmaster: int | None,
        workers: list[int] | None = None,
    ) -> None:
        self.server_pids, self.postmaster = server_pids, postmaster
        self.workers = workers or []

    def read(self) -> tuple[Any, ...]:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        pm = self.postmaster
        db = cpu_seconds(descendants(pm), reaped=pm) if pm else 0.0
        return (
            time.perf_counter(),
            cpu_seconds(self.server_pids()),
            db,
            me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
            machine_busy(),
            [cpu_seconds([w]) for w in self.workers],
        )

    @staticmethod
    def between(a: tuple[Any, ...], b: tuple[Any, ...]) -> Cpu:
        wall = b[0] - a[0]
        server, db, gen, machine = (100 * (b[i] - a[i]) / wall for i in range(1, 5))
        workers = [100 * (y - x) / wall for x, y in zip(a[5], b[5], strict=True)]
        return Cpu(server, db, gen, max(0.0, machine - server - db - gen), machine, workers)


@dataclass
class Window:
    """One measured window: per request kind, the latencies; the CPU; errors."""

    mode: str  # closed | open | wrk
    seconds: float
    workers: int
    stats: dict[str, Stats]
    cpu: Cpu | None
    errors: int = 0
    offered_rps: float | None = None  # open loop: the fixed arrival rate
    late_ms_p99: float | None = None  # open loop: how late the generator sent (its own lag)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "seconds": self.seconds,
            "workers": self.workers,
            "stats": {k: vars(v) for k, v in self.stats.items()},
            "cpu": vars(self.cpu) if self.cpu else None,
            "errors": self.errors,
            "offered_rps": self.offered_rps,
            "late_ms_p99": self.late_ms_p99,
            **self.extra,
        }


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.lateness: list[float] = []
        self.start = math.inf
        self.end = math.inf
        self.errors = 0
        self.first_error = ""

    def add(self, kind: str, began: float, done: float) -> None:
        if self.start <= began and done <= self.end:
            self.latencies[kind].append(done - began)

    def error(self, e: BaseException) -> None:
        self.errors += 1
        self.first_error = self.first_error or repr(e)


async def open_balanced(port: int, n: int, workers: list[int]) -> list[Conn]:
    """``n`` connections spread evenly over the server's worker processes. uvicorn's workers
    share one listening socket and a burst of connections tends to land on one of them (16 at
    once all went to the same worker in a trial), so each new connection makes one request
    (``/healthz``), its owner is found in /proc, and it is kept only while that worker has
    fewer than its share."""
    from server_procs import socket_owner

    share = math.ceil(n / max(1, len(workers)))
    per: dict[int | None, int] = defaultdict(int)
    kept: list[Conn] = []
    spare: list[Conn] = []
    ping = get(port, "/healthz", {})
    for _attempt in range(n * 30):
        if len(kept) == n:
            break
        conn = Conn(port)
        local = await conn.connect()
        await conn.send(ping)
        owner = socket_owner(port, local, workers) if len(workers) > 1 else None
        if owner is None or per[owner] < share:
            per[owner] += 1
            kept.append(conn)
        else:
            spare.append(conn)  # held open meanwhile, so the next accept may go elsewhere
        await asyncio.sleep(0.002)
    for conn in spare:
        conn.close()
    while len(kept) < n:  # could not balance: take what comes
        kept.append(Conn(port))
    return kept


# A worker's unit of work: one request (or, for the client scenario, one cycle of several),
# given its connection, the recorder and, in an open loop, the instant its request was due
# (latency counts from then); in a closed loop ``None`` (latency counts from sending).
Step = Callable[[Conn, Recorder, float | None], Awaitable[None]]
ERRORS = (HttpError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


async def _run(
    steps: list[Step],
    port: int,
    warmup_s: float,
    window_s: float,
    meter: CpuMeter,
    rate: float | None,
) -> tuple[Recorder, Cpu]:
    conns = await open_balanced(port, len(steps), meter.workers)
    rec = Recorder()
    t0 = time.perf_counter()
    rec.start, rec.end = t0 + warmup_s, t0 + warmup_s + window_s
    arrivals = iter(range(2**62))
    marks: dict[str, tuple[float, ...]] = {}

    async def worker(step: Step, conn: Conn) -> None:
        try:
            while True:
                due: float | None = None
                if rate is not None:  # open loop: the next request due, whichever worker is free
                    due = t0 + next(arrivals) / rate
                    if due >= rec.end:
                        return
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if due >= rec.start:
                        rec.lateness.append(max(0.0, time.perf_counter() - due))
                elif time.perf_counter() >= rec.end:
                    return
                try:
                    await step(conn, rec, due)
                except ERRORS as e:
                    rec.error(e)
                    conn.close()
                    if rate is None:
                        await asyncio.sleep(0.05)
        finally:
            conn.close()

    async def marker() -> None:
        await asyncio.sleep(max(0.0, rec.start - time.perf_counter()))
        marks["a"] = meter.read()
        await asyncio.sleep(max(0.0, rec.end - time.perf_counter()))
        marks["b"] = meter.read()

    await asyncio.gather(marker(), *(worker(s, c) for s, c in zip(steps, conns, strict=True)))
    return rec, CpuMeter.between(marks["a"], marks["b"])


def measure(
    steps: list[Step],
    port: int,
    warmup_s: float,
    window_s: float,
    meter: CpuMeter,
    rate: float | None = None,
) -> Window:
    """A closed loop (``rate`` None: each worker sends its next request when the last one is
    answered) or an open one (requests due every 1/rate s, evenly spaced, sent by whichever
    worker is free; latency counted from when each was due)."""
    rec, cpu = asyncio.run(_run(steps, port, warmup_s, window_s, meter, rate))
    late = sorted(x * 1000 for x in rec.lateness)
    w = Window(
        "closed" if rate is None else "open",
        window_s,
        len(steps),
        {k: Stats.of(v, window_s) for k, v in rec.latencies.items()},
        cpu,
        rec.errors,
        offered_rps=rate,
        late_ms_p99=percentile(late, 99) if rate is not None else None,
    )
    if rec.first_error:
        w.extra["first_error"] = rec.first_error
    return w


# ---- wrk -----------------------------------------------------------------------------------

WRK_SCRIPT = """\
-- The "nothing new" pull of many devices in turn (generated by bench/server_load.py).
local paths = {%(paths)s}
local tokens = {%(tokens)s}
local reqs = {}
local i = 0

init = function(args)
  for k = 1, #paths do
    reqs[k] = wrk.format("GET", paths[k], {
      ["Authorization"] = "Bearer " .. tokens[k],
      ["X-Sync-Protocol"] = "1",
    })
  end
end

request = function()
  i = i %% #reqs + 1
  return reqs[i]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "status_errors": %%d, "connect": %%d, '
    .. '"read": %%d, "write": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, '
    .. '"p99_us": %%d, "max_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def wrk_script(devices: list[Device]) -> str:
    paths = ", ".join(f'"/v1/sync/pull?since={d.cursor}&limit=500"' for d in devices)
    tokens = ", ".join(f'"{d.access}"' for d in devices)
    return WRK_SCRIPT % {"paths": paths, "tokens": tokens}


def run_wrk(
    devices: list[Device],
    port: int,
    connections: int,
    seconds: float,
    meter: CpuMeter,
    registry: Registry,
    warmup_s: float,
) -> Window | None:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(wrk_script(devices))
        script = f.name
    try:
        url = f"http://127.0.0.1:{port}"

        def wrk(duration: float, balance: bool) -> tuple[dict[str, Any], Cpu] | None:
            """One wrk run; with ``balance``, ended early (None) when its connections did not
            spread evenly over the server's workers."""
            argv = [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "10s",
                "-s",
                script,
                url,
            ]
            a = meter.read()
            proc = subprocess.Popen(
                bounded(argv, duration + 30),
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            registry.note(pgid=proc.pid)
            try:
                if balance and len(meter.workers) > 1:
                    time.sleep(0.5)
                    split = connection_split(port, meter.workers)
                    if max(split.values()) > BALANCED * max(1, sum(split.values())):
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(proc.pid, signal.SIGTERM)
                        proc.communicate(timeout=30)
                        return None
                out, _ = proc.communicate(timeout=duration + 45)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                registry.note(done=proc.pid)
            b = meter.read()
            line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
            if line is None:
                raise RuntimeError(f"wrk gave no result:\n{out}")
            return json.loads(line[len("WRKJSON ") :]), CpuMeter.between(a, b)

        if warmup_s > 0:
            wrk(warmup_s, balance=False)
        # wrk opens its connections in one burst, and uvicorn's workers share one listening
        # socket: the worker that wakes first may accept them all. A run whose connections
        # did not spread evenly (at most 62 % on one worker) is stopped after half a second
        # and started again, six times at most; then the caller measures otherwise (None).
        tries = 0
        got = None
        while got is None and tries < 6:
            tries += 1
            got = wrk(seconds, balance=True)
        if got is None:
            return None
        result, cpu = got
    finally:
        Path(script).unlink(missing_ok=True)
    secs = result["duration_us"] / 1e6
    n = result["requests"]
    stats = Stats(
        n,
        n / secs,
        result["p50_us"] / 1000,
        result["p90_us"] / 1000,
        result["p99_us"] / 1000,
        result["max_us"] / 1000,
        result["mean_us"] / 1000,
    )
    errors = sum(result[k] for k in ("status_errors", "connect", "read", "write", "timeout"))
    extra = {"wrk": result, "wrk_starts": tries}
    return Window("wrk", secs, connections, {EMPTY: stats}, cpu, errors, extra=extra)
