"""A hypothesis state machine: two or three computers of one person make changes offline and
sync through the fault-injecting proxy (dropped requests and answers, duplicates, 5xx, 429, a
captive portal, cut answers) against the real server. After every step the local invariants
hold; at quiescence (every computer syncs with no fault, twice) all computers and the server
hold the same records (SYNC.md I1-I3, I5, I7-I9).

``make test`` runs a few examples on SQLite; ``make soak`` (``WFH_SOAK=1``) runs many, on both
databases.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from tests.conftest import MINUTE
from tests.sync import faults
from tests.sync.conftest import Desk
from wfh_desktop.clock import FixedClock
from wfh_desktop.errors import UserError
from wfh_desktop.sessions import SessionService
from wfh_desktop.sync import local
from wfh_desktop.sync.client import SyncClient
from wfh_desktop.sync.errors import SyncError
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService

SOAK = os.environ.get("WFH_SOAK") == "1"
EXAMPLES, STEPS = (200, 60) if SOAK else (20, 40)
PATHS = ("/v1/sync/push", "/v1/sync/pull")
FAULTS: dict[str, Callable[[str], faults.Fault]] = {
    "drop request": faults.drop_request,
    "drop answer": faults.drop_response,
    "duplicate": faults.duplicate,
    "502": lambda p: faults.answer(502, "Bad Gateway", {"Content-Type": "text/plain"}, p),
    "429": lambda p: faults.problem(429, "rate_limited", p, Retry_After="1"),
    "captive portal": faults.html_page,
    "cut answer": faults.cut_body,
    "cut gzip": faults.cut_gzip,
}
SERVER_SESSION_COLUMNS = (
    "id, task_id, owner_user_id, start_at, end_at, source, origin_device, auto_stop_reason, "
    "needs_review, note, version, deleted_at"
)


def _machine(server: Any, proxy: faults.FaultProxy, root: Path) -> type[RuleBasedStateMachine]:
    folders = count()

    class SyncMachine(RuleBasedStateMachine):
        tasks = Bundle("tasks")

        def __init__(self) -> None:
            super().__init__()
            self.desks: list[Desk] = []
            self.cursors: list[int] = []

        @initialize(n=st.integers(min_value=2, max_value=3))
        def computers(self, n: int) -> None:
            start = 1_793_581_200_000 + next(folders) * 86_400_000  # a day each example
            for _ in range(n):
                desk = Desk(root / f"c{next(folders)}" / "wfh.db", FixedClock(start), server)
                desk._client = SyncClient(desk.profile, server_url=proxy.url)
                desk.sign_in()
                self.desks.append(desk)
                self.cursors.append(0)

        def teardown(self) -> None:
            try:
                if self.desks:
                    self.quiesce()
            finally:
                for d in self.desks:
                    d.close()

        def desk(self, i: int) -> Desk:
            return self.desks[i % len(self.desks)]

        # ---- what a person does, offline

        @rule(target=tasks, i=st.integers(0, 2), minutes=st.sampled_from([15, 30, 60]))
        def add_task(self, i: int, minutes: int) -> str:
            return TaskService(self.desk(i).profile).add(f"Tugas {next(folders)}", minutes).id

        @rule(i=st.integers(0, 2), task=tasks)
        def start_timer(self, i: int, task: str) -> None:
            with suppress(UserError):  # the task is not here yet, or deleted: the app says so
                TimerService(self.desk(i).profile).start(task_id=task)

        @rule(i=st.integers(0, 2))
        def stop_timer(self, i: int) -> None:
            with suppress(UserError):  # nothing running here
                TimerService(self.desk(i).profile).stop()

        @rule(i=st.integers(0, 2), task=tasks, ago=st.integers(30, 600), long=st.integers(5, 90))
        def manual_session(self, i: int, task: str, ago: int, long: int) -> None:
            d = self.desk(i)
            now = d.clock.now_ms()
            with suppress(UserError):
                SessionService(d.profile).add(task, now - ago * MINUTE, now - (ago - long) * MINUTE)

        @rule(i=st.integers(0, 2), pick=st.integers(0, 50), note=st.sampled_from(["a", "b"]))
        def edit_note(self, i: int, pick: int, note: str) -> None:
            d = self.desk(i)
            rows = d.profile.conn.execute(
                "SELECT id FROM session WHERE deleted_at IS NULL ORDER BY id"
            ).fetchall()
            if rows:
                with suppress(UserError):
                    SessionService(d.profile).edit(rows[pick % len(rows)][0], note=note)

        @rule(i=st.integers(0, 2), pick=st.integers(0, 50))
        def delete_session(self, i: int, pick: int) -> None:
            d = self.desk(i)
            rows = d.profile.conn.execute(
                "SELECT id FROM session WHERE deleted_at IS NULL ORDER BY id"
            ).fetchall()
            if rows:
                SessionService(d.profile).remove(rows[pick % len(rows)][0])

        @rule(minutes=st.integers(1, 90))
        def time_passes(self, minutes: int) -> None:
            for d in self.desks:
                d.clock.advance(minutes * MINUTE)

        # ---- syncing, with a fault on the way

        @rule(
            i=st.integers(0, 2),
            fault=st.sampled_from([None, *FAULTS]),
            path=st.sampled_from(PATHS),
        )
        def sync(self, i: int, fault: str | None, path: str) -> None:
            d = self.desk(i)
            if fault is not None:
                proxy.queue(FAULTS[fault](path))
            try:
                d.sync()
            except SyncError:
                assert fault is not None, "a sync failed with no fault on the way"
            finally:
                proxy.clear()  # a fault no request took (nothing to push) goes

        # ---- after every step

        @invariant()
        def nothing_lost_here(self) -> None:
            for n, d in enumerate(self.desks):
                conn = d.profile.conn
                rows, last = conn.execute("SELECT count(*), max(seq) FROM outbox").fetchone()
                assert rows == (last or 0), "an outbox row went missing (I1)"
                running = conn.execute(
                    "SELECT count(*) FROM session WHERE end_at IS NULL AND deleted_at IS NULL"
                ).fetchone()[0]
                assert running <= 1
                cursor = local.meta_int(conn, "pull_cursor")
                assert cursor >= self.cursors[n], "the pull cursor went back (I5)"
                self.cursors[n] = cursor

        # ---- at quiescence

        @precondition(lambda self: bool(self.desks))
        @rule()
        def quiesce(self) -> None:
            for _ in range(2):
                for d in self.desks:
                    d.sync()
            first = self.desks[0]
            for d in self.desks:
                pending = d.profile.conn.execute(
                    "SELECT count(*) FROM outbox WHERE status = 'pending'"
                ).fetchone()[0]
                assert pending == 0, "a mutation was neither applied nor refused (I1)"
                assert d.rows("task") == first.rows("task"), "tasks differ (I3)"
                assert d.rows("session") == first.rows("session"), "sessions differ (I3)"
            with server.engine.connect() as conn:
                on_server = conn.execute(
                    text(
                        f"SELECT {SERVER_SESSION_COLUMNS} FROM session "
                        "WHERE owner_user_id = :u ORDER BY id"
                    ),
                    {"u": first.profile.user_id},
                ).all()
            mine = [r for r in first.rows("session")]
            assert len(on_server) == len(mine), "server and computers differ (I2/I3)"
            assert [r[0] for r in on_server] == [r[0] for r in mine]
            running = [r for r in mine if r[4] is None and r[11] is None]
            assert len(running) <= 1, "more than one running session (I8)"
            assert all(r[2] == first.profile.user_id for r in mine), "ownership (I9)"

    return SyncMachine


@pytest.mark.slow
def test_computers_converge_whatever_the_faults(server, tmp_path, server_config):
    if not SOAK and not server_config.is_sqlite:
        pytest.skip("PostgreSQL in `make soak`")
    with faults.running(server.url) as proxy:
        machine = _machine(server, proxy, tmp_path)
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=not SOAK,
            ),
        )
