"""Random sequences of start / pause / resume / stop / finish / manual edits / deletes /
clock jumps, with the invariants checked after every step:

- at most one running session per user, and the timer's status agrees with the table;
- no session ends before it starts;
- the outbox is gap-free with strictly growing HLC stamps, and replaying it rebuilds exactly the
  tasks and sessions in the tables (every change was recorded, with its changed fields);
- a task's actual time is the sum of its sessions.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.conftest import MINUTE, MONDAY_0800_WIB
from wfh_desktop.clock import FixedClock
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import set_language
from wfh_desktop.profile import Profile
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import iso_utc
from wfh_desktop.timer import TimerService

TASK_FIELDS = ("title", "target_minutes", "rhk", "output", "volume", "unit", "status", "done_at")
SESSION_FIELDS = ("task_id", "owner_user_id", "start_at", "end_at", "source", "note")


def replay(profile: Profile) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    tasks: dict[str, dict[str, Any]] = {}
    sessions: dict[str, dict[str, Any]] = {}
    for type_, entity, payload in profile.conn.execute(
        "SELECT type, entity_id, payload FROM outbox ORDER BY seq"
    ):
        kind, action = type_.split(".")
        store = tasks if kind == "task" else sessions
        fields = json.loads(payload)
        if action in ("upsert", "edit", "stop"):
            store.setdefault(entity, {"deleted": False}).update(fields)
        elif action == "delete":
            store[entity]["deleted"] = True
        elif action == "restore":
            store[entity]["deleted"] = False
        else:
            raise AssertionError(type_)
    return tasks, sessions


def as_wire(value: Any, field: str) -> Any:
    if field.endswith("_at") and isinstance(value, int):
        return iso_utc(value)
    return value


class TimerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        set_language("en")
        self.dir = Path(tempfile.mkdtemp(prefix="wfh-prop-"))
        self.clock = FixedClock(MONDAY_0800_WIB)
        self.profile = Profile.open(self.dir / "wfh.db", self.clock)
        self.tasks = TaskService(self.profile)
        self.timer = TimerService(self.profile)
        self.sessions = SessionService(self.profile)
        self.task_ids: list[str] = []
        self.session_ids: list[str] = []

    def teardown(self) -> None:
        self.profile.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _try(self, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except UserError:
            return None

    @rule(minutes=st.integers(min_value=1, max_value=480))
    def add_task(self, minutes: int) -> None:
        task = self.tasks.add(f"Tugas {len(self.task_ids)}", minutes)
        self.task_ids.append(task.id)

    @rule(i=st.integers(min_value=0, max_value=20))
    def start(self, i: int) -> None:
        if self.task_ids:
            result = self._try(self.timer.start, task_id=self.task_ids[i % len(self.task_ids)])
            if result is not None:
                self.session_ids.append(result.session.id)

    @rule(minutes=st.sampled_from([15, 30, 60]))
    def start_new(self, minutes: int) -> None:
        result = self.timer.start_new(f"Baru {len(self.task_ids)}", minutes)
        self.task_ids.append(result.task.id)
        self.session_ids.append(result.session.id)

    @rule(action=st.sampled_from(["pause", "resume", "stop", "finish"]))
    def timer_action(self, action: str) -> None:
        result = self._try(getattr(self.timer, action))
        if action == "resume" and result is not None:
            self.session_ids.append(result.session.id)

    @rule(minutes=st.integers(min_value=-180, max_value=600))
    def clock_jump(self, minutes: int) -> None:
        self.clock.advance(minutes * MINUTE)

    @rule(
        i=st.integers(min_value=0, max_value=20),
        ago=st.integers(min_value=0, max_value=2000),
        length=st.integers(min_value=-5, max_value=120),
    )
    def manual(self, i: int, ago: int, length: int) -> None:
        if self.task_ids:
            start = self.clock.now_ms() - ago * MINUTE
            entry = self._try(
                self.sessions.add,
                self.task_ids[i % len(self.task_ids)],
                start,
                start + length * MINUTE,
            )
            if entry is not None:
                self.session_ids.append(entry.session.id)

    @rule(
        i=st.integers(min_value=0, max_value=50),
        shift=st.integers(min_value=-120, max_value=120),
        which=st.sampled_from(["start", "end", "both"]),
    )
    def edit(self, i: int, shift: int, which: str) -> None:
        if not self.session_ids:
            return
        sid = self.session_ids[i % len(self.session_ids)]
        row = self.profile.conn.execute(
            "SELECT start_at, end_at FROM session WHERE id = ?", (sid,)
        ).fetchone()
        start, end = row
        kw: dict[str, int] = {}
        if which in ("start", "both"):
            kw["start_ms"] = start + shift * MINUTE
        if which in ("end", "both") and end is not None:
            kw["end_ms"] = end + shift * MINUTE
        self._try(self.sessions.edit, sid, **kw)

    @rule(i=st.integers(min_value=0, max_value=50), restore=st.booleans())
    def delete_session(self, i: int, restore: bool) -> None:
        if self.session_ids:
            sid = self.session_ids[i % len(self.session_ids)]
            self._try(self.sessions.restore if restore else self.sessions.remove, sid)

    @rule(i=st.integers(min_value=0, max_value=20), restore=st.booleans())
    def delete_task(self, i: int, restore: bool) -> None:
        if self.task_ids:
            tid = self.task_ids[i % len(self.task_ids)]
            self._try(self.tasks.restore if restore else self.tasks.remove, tid)

    # ---- invariants ----------------------------------------------------------------------

    @invariant()
    def one_running_session_and_status_agrees(self) -> None:
        running = self.profile.conn.execute(
            "SELECT id, task_id FROM session WHERE end_at IS NULL AND deleted_at IS NULL"
        ).fetchall()
        assert len(running) <= 1
        status = self.timer.status()
        if running:
            assert status.running is not None and status.running.id == running[0][0]
            assert status.paused_task is None
        else:
            assert status.running is None

    @invariant()
    def a_pause_is_of_a_live_task_with_nothing_running(self) -> None:
        status = self.timer.status()
        if status.paused_task is not None:
            assert status.running is None
            assert status.paused_task.deleted_at is None
            assert status.paused_task.status == "open"

    @invariant()
    def no_session_ends_before_it_starts(self) -> None:
        bad = self.profile.conn.execute(
            "SELECT count(*) FROM session WHERE end_at < start_at"
        ).fetchone()[0]
        assert bad == 0

    @invariant()
    def outbox_is_gap_free_with_growing_hlc(self) -> None:
        rows = self.profile.conn.execute("SELECT seq, hlc FROM outbox ORDER BY seq").fetchall()
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        stamps = [r[1] for r in rows]
        assert all(a < b for a, b in itertools.pairwise(stamps))

    @invariant()
    def replaying_the_outbox_rebuilds_the_tables(self) -> None:
        tasks, sessions = replay(self.profile)
        for table, fields, rebuilt in (
            ("task", TASK_FIELDS, tasks),
            ("session", SESSION_FIELDS, sessions),
        ):
            rows = self.profile.conn.execute(
                f"SELECT id, {', '.join(fields)}, deleted_at FROM {table}"
            ).fetchall()
            assert set(rebuilt) == {r[0] for r in rows}, table
            for row in rows:
                record = rebuilt[row[0]]
                for field, value in zip(fields, row[1:], strict=False):
                    assert record.get(field) == as_wire(value, field), (field, record, row)
                assert record["deleted"] == (row[-1] is not None)

    @invariant()
    def actual_time_is_the_sum_of_sessions(self) -> None:
        if not self.task_ids:
            return
        now = self.clock.now_ms()
        expected = dict.fromkeys(self.task_ids, 0)
        for task_id, start, end in self.profile.conn.execute(
            "SELECT task_id, start_at, end_at FROM session WHERE deleted_at IS NULL"
        ):
            expected[task_id] += max((now if end is None else end) - start, 0)
        assert self.tasks.actual_ms(self.task_ids) == expected


TimerMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_timer_state_machine = TimerMachine.TestCase
