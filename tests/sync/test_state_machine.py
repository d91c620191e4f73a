"""A hypothesis state machine: two or three computers of one person (Siti) make changes offline
and sync through the fault-injecting proxy (dropped requests and answers, duplicates, 5xx, 429, a
captive portal, cut answers) against the real server; a colleague (Budi, one computer) takes part
in handoffs: Siti hands him tasks, he accepts or declines them, and hands tasks back. After every
step the local invariants hold; at quiescence (every computer syncs with no fault until nothing
changes) all computers and the server hold the same records (SYNC.md I1-I3, I5, I7-I9), and both
people's computers agree on the handoffs and the tasks they share.

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
from sqlalchemy import bindparam, text

from tests.conftest import MINUTE
from tests.server.served import BUDI, SITI
from tests.sync import faults
from tests.sync.conftest import Desk
from wfh_desktop.clock import FixedClock
from wfh_desktop.errors import UserError
from wfh_desktop.handoffs import HandoffService
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
HANDOFF_ROWS = "SELECT id, task_id, from_user, to_user, status, answer_note, version FROM handoff"
NOTES = ("Tolong lanjutkan", "Bagian anggaran")
REASONS = ("Sedang dinas luar", "Bukan bagian saya")
MAX_ROUNDS = 6  # quiescence: rounds of syncing on every computer until nothing changes


def handoff_rows(d: Desk) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in d.profile.conn.execute(f"{HANDOFF_ROWS} ORDER BY id")]


def task_heads(d: Desk) -> dict[str, tuple[Any, ...]]:
    """Each task here: who has it, and its version."""
    rows = d.profile.conn.execute("SELECT id, assignee_user_id, version FROM task ORDER BY id")
    return {r[0]: tuple(r) for r in rows}


def held(d: Desk, among: list[str]) -> list[str]:
    """The tasks of this example assigned here to the computer's user, not deleted."""
    rows = d.profile.conn.execute(
        "SELECT id FROM task WHERE assignee_user_id = ? AND deleted_at IS NULL ORDER BY id",
        (d.profile.user_id,),
    ).fetchall()
    return [r[0] for r in rows if r[0] in among]


def pending_to_me(d: Desk, among: list[str]) -> list[str]:
    """Handoffs of this example's tasks waiting for this computer's user's answer."""
    return [h.id for h in HandoffService(d.profile).inbox() if h.task_id in among]


def pending(d: Desk) -> int:
    row = d.profile.conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'")
    return int(row.fetchone()[0])


def _machine(server: Any, proxy: faults.FaultProxy, root: Path) -> type[RuleBasedStateMachine]:
    folders = count()

    class SyncMachine(RuleBasedStateMachine):
        tasks = Bundle("tasks")

        def __init__(self) -> None:
            super().__init__()
            self.desks: list[Desk] = []  # Siti's computers
            self.budi: Desk | None = None  # Budi's one computer
            self.cursors: dict[int, int] = {}
            self.made: list[str] = []  # the tasks of this example (the server outlives it)

        @initialize(n=st.integers(min_value=2, max_value=3))
        def computers(self, n: int) -> None:
            start = 1_793_581_200_000 + next(folders) * 86_400_000  # a day each example
            for k in range(n + 1):
                desk = Desk(root / f"c{next(folders)}" / "wfh.db", FixedClock(start), server)
                desk._client = SyncClient(desk.profile, server_url=proxy.url)
                if k < n:
                    desk.sign_in(SITI)
                    self.desks.append(desk)
                else:
                    desk.sign_in(BUDI)
                    self.budi = desk

        @property
        def everyone(self) -> list[Desk]:
            return [*self.desks, *([self.budi] if self.budi is not None else [])]

        def teardown(self) -> None:
            try:
                if self.desks:
                    self.quiesce()
            finally:
                for d in self.everyone:
                    d.close()

        def desk(self, i: int) -> Desk:
            return self.desks[i % len(self.desks)]

        def him(self) -> Desk:
            assert self.budi is not None
            return self.budi

        # ---- what a person does, offline

        @rule(target=tasks, i=st.integers(0, 2), minutes=st.sampled_from([15, 30, 60]))
        def add_task(self, i: int, minutes: int) -> str:
            task_id = TaskService(self.desk(i).profile).add(f"Tugas {next(folders)}", minutes).id
            self.made.append(task_id)
            return task_id

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
            for d in self.everyone:
                d.clock.advance(minutes * MINUTE)

        # ---- handing tasks over, offline

        @rule(i=st.integers(0, 2), pick=st.integers(0, 50), note=st.sampled_from(NOTES))
        def siti_hands_to_budi(self, i: int, pick: int, note: str) -> None:
            d = self.desk(i)
            mine = held(d, self.made)
            if mine:
                with suppress(UserError):
                    HandoffService(d.profile).give(mine[pick % len(mine)], BUDI, note)

        @rule(pick=st.integers(0, 50), reason=st.sampled_from([None, *REASONS]))
        def budi_answers(self, pick: int, reason: str | None) -> None:
            """He accepts (no reason) or declines, saying why."""
            self._answer(self.him(), pick, reason)

        @rule(pick=st.integers(0, 50), note=st.sampled_from(NOTES))
        def budi_hands_back(self, pick: int, note: str) -> None:
            d = self.him()
            his = held(d, self.made)
            if his:
                with suppress(UserError):
                    HandoffService(d.profile).give(his[pick % len(his)], SITI, note)

        @rule(
            i=st.integers(0, 2), pick=st.integers(0, 50), reason=st.sampled_from([None, *REASONS])
        )
        def siti_answers(self, i: int, pick: int, reason: str | None) -> None:
            """A task handed back to her, answered on one of her computers."""
            self._answer(self.desk(i), pick, reason)

        @rule(pick=st.integers(0, 50))
        def budi_works(self, pick: int) -> None:
            """He continues a task he holds (its shares change on the server), or stops."""
            d = self.him()
            his = held(d, self.made)
            with suppress(UserError):
                if his and pick % 3:
                    TimerService(d.profile).start(task_id=his[pick % len(his)])
                else:
                    TimerService(d.profile).stop()

        def _answer(self, d: Desk, pick: int, reason: str | None) -> None:
            waiting = pending_to_me(d, self.made)
            if not waiting:
                return
            ref = waiting[pick % len(waiting)]
            with suppress(UserError):
                if reason is None:
                    HandoffService(d.profile).accept(ref)
                else:
                    HandoffService(d.profile).decline(ref, reason)

        # ---- syncing, with a fault on the way

        @rule(
            i=st.integers(0, 2),
            fault=st.sampled_from([None, *FAULTS]),
            path=st.sampled_from(PATHS),
        )
        def sync(self, i: int, fault: str | None, path: str) -> None:
            self._sync(self.desk(i), fault, path)

        @rule(fault=st.sampled_from([None, *FAULTS]), path=st.sampled_from(PATHS))
        def budi_syncs(self, fault: str | None, path: str) -> None:
            self._sync(self.him(), fault, path)

        def _sync(self, d: Desk, fault: str | None, path: str) -> None:
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
            for n, d in enumerate(self.everyone):
                conn = d.profile.conn
                rows, last = conn.execute("SELECT count(*), max(seq) FROM outbox").fetchone()
                assert rows == (last or 0), "an outbox row went missing (I1)"
                running = conn.execute(
                    "SELECT count(*) FROM session WHERE end_at IS NULL AND deleted_at IS NULL"
                ).fetchone()[0]
                assert running <= 1
                cursor = local.meta_int(conn, "pull_cursor")
                assert cursor >= self.cursors.get(n, 0), "the pull cursor went back (I5)"
                self.cursors[n] = cursor

        # ---- at quiescence

        @precondition(lambda self: bool(self.desks))
        @rule()
        def quiesce(self) -> None:
            """Every computer syncs, round after round, until a round changes nothing on the
            server (nothing pushed, nothing refused, nothing left to push): each one then
            pulled after the last change."""
            for rounds in range(1, MAX_ROUNDS + 1):
                reports = [d.sync() for d in self.everyone]
                quiet = all(r.pushed == r.rejected == 0 for r in reports) and not any(
                    pending(d) for d in self.everyone
                )
                if rounds >= 2 and quiet:
                    break
            else:
                raise AssertionError(f"still changing after {MAX_ROUNDS} rounds of syncing")
            first = self.desks[0]
            for d in self.everyone:
                assert pending(d) == 0, "a mutation was neither applied nor refused (I1)"
                assigned = d.profile.conn.execute(
                    "SELECT id, assignee_user_id FROM task WHERE assignee_user_id LIKE 'nip:%'"
                ).fetchall()
                assert assigned == [], "a task still on its way to a colleague after quiescence"
            for d in self.desks:
                assert d.rows("task") == first.rows("task"), "tasks differ (I3)"
                assert handoff_rows(d) == handoff_rows(first), "handoffs differ (I3)"
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
            self.handoffs_agree(first, self.him())

        def handoffs_agree(self, siti: Desk, budi: Desk) -> None:
            """Both people agree on the handoffs and the tasks they share, and the server's
            handoffs and tasks are what they hold."""
            hers = {r[0]: r for r in handoff_rows(siti)}
            his = {r[0]: r for r in handoff_rows(budi)}
            both = sorted(hers.keys() & his.keys())
            assert [hers[k] for k in both] == [his[k] for k in both], "handoffs differ (I3)"
            between = {siti.profile.user_id, budi.profile.user_id}
            for rows in (hers, his):  # a handoff between the two, both have
                assert {k for k, r in rows.items() if {r[2], r[3]} == between} <= set(both), (
                    "a handoff one party does not have (I3)"
                )
            her_tasks, his_tasks = task_heads(siti), task_heads(budi)
            shared = sorted(her_tasks.keys() & his_tasks.keys())
            assert [her_tasks[k] for k in shared] == [his_tasks[k] for k in shared], (
                "a shared task's assignee or version differs (I3)"
            )
            for k in self.made:
                if her_tasks[k][1] == budi.profile.user_id:
                    assert k in his_tasks, "a task assigned to Budi that he does not have"
            with server.engine.connect() as conn:
                on_server = {
                    r[0]: tuple(r)
                    for r in conn.execute(
                        text(
                            f"{HANDOFF_ROWS} WHERE from_user IN :who OR to_user IN :who"
                        ).bindparams(bindparam("who", expanding=True)),
                        {"who": sorted(between)},
                    )
                }
                server_tasks = {
                    r[0]: tuple(r)
                    for r in conn.execute(
                        text(
                            "SELECT id, assignee_user_id, version FROM task WHERE id IN :ids"
                        ).bindparams(bindparam("ids", expanding=True)),
                        {"ids": self.made or [""]},
                    )
                }
            assert on_server == hers | his, "the server's handoffs are not the parties' (I2)"
            assert server_tasks == {k: her_tasks[k] for k in self.made}, (
                "the server's tasks are not Siti's (I2)"
            )

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
