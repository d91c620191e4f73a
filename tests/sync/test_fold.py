"""Changes folded into a creation that was never sent (``outbox.fold``), and pushes sent while
the answer before them is written (``Syncer.push_all``): a session timed
offline travels as one mutation instead of a start and a stop, a task made and finished
offline as one, and nothing that may already be on the server is ever changed afterwards.
Against the real server on loopback, through a gate that can refuse connections (the
computer offline) and through the fault proxy (an answer lost)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import MINUTE
from tests.sync import faults
from tests.sync.conftest import Desk, Routed
from tests.sync.test_faults import PUSH, on_server, outbox, results, sessions_here
from wfh_desktop.sync.errors import NetworkError
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService

# What is tested is the client's: the server's rules are the same on either database.
CLIENT_SIDE = pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)


class Gate:
    """A TCP relay on 127.0.0.1 to the server, on a port of its own that stays the same: shut,
    nothing listens there and a connection is refused (the computer offline); open, it
    relays."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        self._spawn(self._accept, listener)

    def shut(self) -> None:
        if self._listener is not None:
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            with suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()
        for t in self._threads:
            t.join(5)
            assert not t.is_alive()
        self._threads = []

    def _spawn(self, target: Any, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(t)
        t.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            up = socket.create_connection(self.upstream, timeout=10)
            with self._lock:
                self._conns += [conn, up]
            self._spawn(self._pump, conn, up)
            self._spawn(self._pump, up, conn)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


@pytest.fixture
def gate(server: Any) -> Iterator[Gate]:
    g = Gate(server.url)
    g.open()
    yield g
    g.shut()


def through(d: Desk, g: Gate, server: Any) -> Desk:
    d.server = Routed(g.url, server.passwords, server.engine)
    return d


def payloads(d: Desk) -> list[tuple[str, dict[str, Any]]]:
    rows = d.profile.conn.execute("SELECT type, payload FROM outbox ORDER BY seq").fetchall()
    return [(t, json.loads(p)) for t, p in rows]


@CLIENT_SIDE
def test_a_session_timed_offline_travels_as_one_mutation(desks, server, gate) -> None:
    laptop = through(desks("laptop"), gate, server)
    laptop.sign_in()
    gate.shut()  # offline from here
    started = TimerService(laptop.profile).start_new("Menyusun laporan", 30)
    with pytest.raises(NetworkError):  # the push a few seconds after the start: no network
        laptop.sync()
    laptop.clock.advance(25 * MINUTE)
    TimerService(laptop.profile).stop()
    (task_type, _), (session_type, session) = payloads(laptop)
    assert (task_type, session_type) == ("task.upsert", "session.upsert")
    assert session["end_at"] is not None  # the stop went into the start, not after it

    gate.open()
    report = laptop.sync()
    assert (report.pushed, report.rejected) == (2, 0)
    [row] = on_server(server, "session", started.session.id)
    end = laptop.profile.conn.execute(
        "SELECT end_at FROM session WHERE id = ?", (started.session.id,)
    ).fetchone()[0]
    assert row["end_at"] == end == started.session.start_at + 25 * MINUTE
    assert row["auto_stop_reason"] is None

    pc = through(desks("pc"), gate, server)
    pc.sign_in()
    pc.sync()
    assert sessions_here(pc) == sessions_here(laptop)


@CLIENT_SIDE
def test_a_push_whose_answer_was_lost_is_never_changed_afterwards(desk, server, proxy) -> None:
    laptop = desk("laptop")
    laptop.sign_in()
    started = TimerService(laptop.profile).start_new("Menyusun laporan", 30)
    proxy.queue(faults.drop_response(PUSH))  # the server has the start; the laptop cannot know
    with pytest.raises(NetworkError):
        laptop.sync()
    laptop.clock.advance(10 * MINUTE)
    TimerService(laptop.profile).stop()
    types = [t for t, _ in payloads(laptop)]
    assert types == ["task.upsert", "session.upsert", "session.stop"]
    assert payloads(laptop)[1][1]["end_at"] is None  # as the server got it

    laptop.sync()
    assert results(laptop) == ["duplicate", "duplicate", "applied"]
    [row] = on_server(server, "session", started.session.id)
    assert row["end_at"] == started.session.start_at + 10 * MINUTE


@CLIENT_SIDE
def test_a_task_made_worked_and_finished_before_signing_in_is_one_mutation(desk, server) -> None:
    laptop = desk("laptop")
    TaskService(laptop.profile).add("Rekap absensi", 15)
    TimerService(laptop.profile).start("Rekap absensi")
    laptop.clock.advance(12 * MINUTE)
    TimerService(laptop.profile).finish()
    [(task_type, task), (session_type, session)] = payloads(laptop)
    assert (task_type, session_type) == ("task.upsert", "session.upsert")
    assert task["status"] == "done" and task["done_at"] == session["end_at"]

    laptop.sign_in()
    laptop.sync()
    assert [s for _, s, _ in outbox(laptop)] == ["acked", "acked"]
    [row] = on_server(server, "task")
    assert (row["status"], row["version"]) == ("done", 1)
    assert laptop.rows("task") == [
        tuple(row[c] for c in ("id", "title", "target_minutes", "rhk", "output", "volume"))
        + tuple(row[c] for c in ("unit", "status", "done_at", "assignee_user_id"))
        + tuple(row[c] for c in ("owner_user_id", "version", "deleted_at"))
    ]


@CLIENT_SIDE
def test_a_change_after_the_task_was_handed_over_is_not_folded_into_its_creation(
    desk, server
) -> None:
    from tests.server.served import BUDI
    from wfh_desktop.handoffs import HandoffService

    laptop = desk("laptop")
    laptop.sign_in()
    task = TaskService(laptop.profile).add("Surat edaran", 30)
    HandoffService(laptop.profile).give(task.id, BUDI, "Tolong diteruskan")
    TaskService(laptop.profile).edit(task.id, title="Surat edaran (revisi)")
    types = [t for t, _ in payloads(laptop)]
    assert types == ["task.upsert", "task.handoff", "task.upsert"]
    assert payloads(laptop)[0][1]["title"] == "Surat edaran"


# ---- pushes one after another, each sent while the answer before it is written


@CLIENT_SIDE
def test_a_handoff_in_the_next_push_waits_for_the_answer_that_moves_its_base(desk, server):
    from tests.server.served import BUDI
    from wfh_desktop.handoffs import HandoffService

    laptop = desk("laptop")
    laptop.sign_in()
    task = TaskService(laptop.profile).add("Surat edaran", 30)
    laptop.sync()
    for n in range(99):  # a full push of other work before the task's change
        TaskService(laptop.profile).add(f"Tugas {n}", 15)
    TaskService(laptop.profile).edit(task.id, title="Surat edaran (final)")  # the 100th
    HandoffService(laptop.profile).give(task.id, BUDI, "Tolong diteruskan")  # the 101st
    types = [t for t, _ in payloads(laptop)]
    assert len(types) == 102 and types[-2:] == ["task.upsert", "task.handoff"]

    report = laptop.sync()
    assert (report.pushed, report.rejected) == (101, 0)
    assert results(laptop)[-1] == "applied"  # handed over on the task as changed
    [row] = on_server(server, "handoff")
    assert row["task_id"] == task.id
    [t] = on_server(server, "task", task.id)
    assert t["title"] == "Surat edaran (final)"


@CLIENT_SIDE
def test_a_long_backlog_goes_up_in_order_when_an_answer_is_lost_midway(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    for n in range(250):
        TaskService(laptop.profile).add(f"Tugas {n}", 15)
    proxy.queue(faults.delay(0, PUSH), faults.drop_response(PUSH))  # the first goes through
    with pytest.raises(NetworkError):
        laptop.sync()
    statuses = [s for _, s, _ in outbox(laptop)]
    assert statuses == ["acked"] * 100 + ["pending"] * 150  # the second push's answer lost
    assert len(on_server(server, "task")) == 200  # the server had it; the third never went

    report = laptop.sync()
    assert (report.pushed, report.rejected) == (150, 0)
    assert results(laptop) == ["applied"] * 100 + ["duplicate"] * 100 + ["applied"] * 50
    assert len(on_server(server, "task")) == 250
