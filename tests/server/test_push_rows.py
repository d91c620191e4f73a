"""One push that changes stored sessions and makes new ones together: the running rule, the
overlap flags and the handoff stop must see the sessions as the push leaves them (neither the
stored state it changed nor a state without what it made), on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from itertools import count
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.server.served import ANI, BUDI, SITI, people
from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_desktop.timefmt import iso_utc
from wfh_server import admin
from wfh_server.auth import Auth, AuthError, Caller
from wfh_server.config import ServerConfig
from wfh_server.db import transaction
from wfh_server.models import AppUser, MutationLog, Org, Task
from wfh_server.protocol import Change, ItemResult, Mutation, PushRequest
from wfh_server.sync import Sync
from wfh_server.tokens import load_key, sign

H = 3600_000
NOW = int(time.time() * 1000) // H * H  # the server's clock, held still


class Device:
    """A signed-in device pushing in-process, numbering its mutations and stamps."""

    def __init__(self, sync: Sync, caller: Caller, name: str) -> None:
        self.sync, self.caller, self.name = sync, caller, name
        self.seq, self.tick = count(1), count(1)

    def m(
        self, type_: str, entity_id: str, fields: dict[str, Any] | None = None, **extra: Any
    ) -> Mutation:
        return Mutation(
            seq=next(self.seq),
            mutation_id=uuid7(),
            type=type_,
            entity_id=entity_id,
            hlc=Hlc(NOW - H, next(self.tick), self.name).encode(),
            fields=fields or {},
            **extra,
        )

    def task(self) -> Mutation:
        return self.m("task.upsert", uuid7(), {"title": "Rekap absensi", "target_minutes": 30})

    def start(self, task_id: str, start: float, end: float | None = None) -> Mutation:
        fields = {"task_id": task_id, "start_at": at(start), "end_at": at(end) if end else None}
        return self.m("session.upsert", uuid7(), fields)

    def timing(self, since: float) -> tuple[Mutation, Mutation]:
        """A new task and its timer running since ``since`` hours ago, pushed."""
        task = self.task()
        running = self.start(task.entity_id, since)
        self.push(task, running)
        return task, running

    def push(self, *mutations: Mutation) -> list[ItemResult]:
        return self.sync.push(self.caller, PushRequest(mutations=list(mutations))).results

    def pull(self, since: int = 0) -> list[Change]:
        return self.sync.pull(self.caller, since).changes

    def records(self) -> dict[str, Change]:
        return {c.id: c for c in self.pull()}

    def cursor(self) -> int:
        return self.sync.pull(self.caller, 0).next


def at(hours_ago: float | None) -> str | None:
    return None if hours_ago is None else iso_utc(NOW - int(hours_ago * H))


def devices(engine: Any, server_config: ServerConfig) -> tuple[Device, Device]:
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    sync = Sync(engine, clock=lambda: NOW)
    out = []
    for nip, name in ((SITI, "laptop"), (BUDI, "pc")):
        tokens = auth.login(nip, passwords[nip], name, None, 1)
        out.append(Device(sync, auth.caller(f"Bearer {tokens.access_token}"), name))
    return out[0], out[1]


def state(c: Change) -> tuple[str | None, str | None, str | None, int]:
    return c.record["end_at"], c.record["needs_review"], c.record["auto_stop_reason"], c.version


def test_moving_one_session_away_and_adding_another_flags_all_of_them_right(
    engine: Any, server_config: ServerConfig
) -> None:
    siti, _ = devices(engine, server_config)
    task = siti.task()
    a, b = siti.start(task.entity_id, 8, 7), siti.start(task.entity_id, 7.5, 6.5)
    d = siti.start(task.entity_id, 4, 3)
    siti.push(task, a, b, d)
    before = siti.records()
    assert [before[x.entity_id].record["needs_review"] for x in (a, b, d)] == [
        "overlap",
        "overlap",
        None,
    ]
    cursor = siti.cursor()
    # A moves to a free hour; the new C overlaps D. B overlapped only A's old span.
    move = siti.m("session.edit", a.entity_id, {"start_at": at(2), "end_at": at(1.5)})
    c = siti.start(task.entity_id, 3.5, 2.5)
    results = siti.push(move, c)
    assert [(r.status, r.version, r.record and r.record["needs_review"]) for r in results] == [
        ("applied", 4, None),  # created, flagged, moved, unflagged
        ("applied", 2, "overlap"),
    ]
    got = siti.records()
    assert got[a.entity_id].record["start_at"] == at(2)
    assert {x.entity_id: state(got[x.entity_id]) for x in (a, b, c, d)} == {
        a.entity_id: (at(1.5), None, None, 4),
        b.entity_id: (at(6.5), None, None, 3),
        c.entity_id: (at(2.5), "overlap", None, 2),
        d.entity_id: (at(3), "overlap", None, 2),
    }
    # Each changed record once, in the order of the changes: the push's own, then the flags.
    assert [x.id for x in siti.pull(cursor)] == [a.entity_id, c.entity_id, b.entity_id, d.entity_id]


def test_two_starts_in_one_push_stop_the_stored_timer_and_each_other(
    engine: Any, server_config: ServerConfig
) -> None:
    siti, budi = devices(engine, server_config)
    task, his_task = siti.task(), budi.task()
    running = siti.start(task.entity_id, 6)
    ended = siti.start(task.entity_id, 2, 1.5)  # overlaps the running one, for now
    doomed = siti.start(task.entity_id, 4.5, 4)  # deleted below: no longer a next start
    siti.push(task, running, ended, doomed)
    his = budi.start(his_task.entity_id, 5)
    budi.push(his_task, his)
    cursor = siti.cursor()
    delete = siti.m("session.delete", doomed.entity_id)
    first = siti.start(task.entity_id, 3)
    # Budi's running session, read (and refused) in the same push, is not hers to stop.
    steal = siti.m("session.edit", his.entity_id, {"note": "punya saya"})
    second = siti.start(task.entity_id, 1)
    results = siti.push(delete, first, steal, second)
    assert [r.code for r in results] == [None, None, "not_found", None]
    assert results[1].record is not None and results[1].version == 2
    assert results[1].record["end_at"] == at(2)
    got = siti.records()
    superseded = f"superseded_by:{second.entity_id}"
    assert {x.entity_id: state(got[x.entity_id]) for x in (running, first, ended, second)} == {
        running.entity_id: (at(3), None, superseded, 4),  # stopped at the next start
        first.entity_id: (at(2), None, superseded, 2),  # stopped at the stored next start
        ended.entity_id: (at(1.5), None, None, 3),  # no longer overlapped
        second.entity_id: (None, None, None, 1),  # the newest start keeps running
    }
    assert got[doomed.entity_id].deleted
    order = [doomed, first, second, running, ended]
    assert [x.id for x in siti.pull(cursor)] == [x.entity_id for x in order]
    assert state(budi.records()[his.entity_id]) == (None, None, None, 1)


def test_a_running_timer_deleted_or_stopped_in_the_push_is_not_superseded(
    engine: Any, server_config: ServerConfig
) -> None:
    siti, _ = devices(engine, server_config)
    task, old = siti.timing(3)
    new = siti.start(task.entity_id, 2)
    siti.push(siti.m("session.delete", old.entity_id), new)
    got = siti.records()
    assert got[old.entity_id].deleted and state(got[old.entity_id]) == (None, None, None, 2)
    assert state(got[new.entity_id]) == (None, None, None, 1)
    # The usual order of a client: stop the timer, then start the next one.
    newer = siti.start(task.entity_id, 0.5)
    siti.push(siti.m("session.stop", new.entity_id, {"end_at": at(1)}), newer)
    got = siti.records()
    assert state(got[new.entity_id]) == (at(1), None, None, 2)
    assert state(got[newer.entity_id]) == (None, None, None, 1)


def test_a_handoff_stops_the_timer_started_in_the_same_push(
    engine: Any, server_config: ServerConfig
) -> None:
    siti, budi = devices(engine, server_config)
    task, running = siti.timing(4)
    cursor = siti.cursor()
    later = siti.start(task.entity_id, 2)
    handoff_id = uuid7()
    fields = {"task_id": task.entity_id, "to_nip": BUDI, "at": at(1)}
    give = siti.m("task.handoff", handoff_id, fields, base_version=1)
    results = siti.push(later, give)
    assert [(r.status, r.version) for r in results] == [("applied", 3), ("applied", 1)]
    reason = f"handoff:{handoff_id}"
    assert results[0].record is not None and results[0].record["auto_stop_reason"] == reason
    got = siti.records()
    assert {x: state(got[x]) for x in (running.entity_id, later.entity_id)} == {
        running.entity_id: (at(1), "overlap", reason, 3),
        later.entity_id: (at(1), "overlap", reason, 3),
    }
    feed = [later.entity_id, running.entity_id, task.entity_id, handoff_id]
    assert [x.id for x in siti.pull(cursor)] == feed
    his = budi.records()
    assert list(his) == [task.entity_id, handoff_id]
    assert his[task.entity_id].record["assignee_user_id"] == budi.caller.user_id
    # The same handoff sent again (a lost answer, queued anew): merged, as recorded.
    again = siti.push(siti.m("task.handoff", handoff_id, fields, base_version=1))[0]
    assert (again.status, again.version, again.feed_seq) == ("merged", 1, None)
    assert again.record is not None and again.record["to_user"] == budi.caller.user_id


def test_a_replay_matches_its_log_in_either_hash_form_and_another_mutation_does_not(
    engine: Any, server_config: ServerConfig
) -> None:
    """Mutations logged before 2026-12-07 carry the first hash form (64 hex digits); a device
    replaying one after the upgrade is answered ``duplicate``, as one logged since (``2:``),
    and a different mutation under a logged seq is another install (``device_conflict``)."""
    from sqlalchemy import update

    from wfh_server.models import MutationLog
    from wfh_server.sync import SyncError, _content_hash_v1, content_hash

    siti, _ = devices(engine, server_config)
    task = siti.task()
    old = siti.start(task.entity_id, 3, 2)
    siti.push(task, old)
    assert content_hash(old).startswith("2:") and len(content_hash(old)) == 45
    with engine.begin() as conn:  # as logged by the server before the upgrade
        conn.execute(
            update(MutationLog)
            .where(MutationLog.seq == old.seq)
            .values(content_hash=_content_hash_v1(old))
        )
    results = siti.push(task, old)
    assert [(r.status, r.original_status) for r in results] == [("duplicate", "applied")] * 2
    other = old.model_copy(update={"fields": {**old.fields, "note": "lain"}})
    for replay in (other, task.model_copy(update={"fields": {"title": "lain"}})):
        with pytest.raises(SyncError) as refused:
            siti.push(replay)
        assert refused.value.code == "device_conflict"


def test_a_fresh_postgresql_database_gets_statistics_as_it_grows(
    engine: Any, server_config: ServerConfig
) -> None:
    """Without statistics PostgreSQL finds a push's records by scanning the organisation: the
    server analyses the growing tables at 1,000, 2,000, 4,000, … records made (here 4)."""
    from sqlalchemy import text

    siti, _ = devices(engine, server_config)

    def analysed() -> bool:
        with engine.connect() as conn:
            tuples = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = 'session'")
            ).scalar()
        return tuples is not None and tuples >= 0  # -1: never analysed

    if engine.dialect.name != "postgresql":
        siti.sync.statistics.next = 1
        task = siti.task()
        siti.push(task, siti.start(task.entity_id, 3, 2))
        assert siti.sync.statistics.made == 0  # SQLite plans without statistics: not counted
        return
    siti.sync.statistics.next = 4
    task = siti.task()
    siti.push(task, siti.start(task.entity_id, 3, 2))
    assert not analysed()
    siti.push(siti.start(task.entity_id, 2, 1.5), siti.start(task.entity_id, 1.5, 1))
    assert analysed() and siti.sync.statistics.next == 8


@pytest.mark.parametrize("server_config", ["postgresql"], indirect=True)
def test_postgresql_tables_analysed_and_barely_changed_are_not_analysed_again(
    engine: Any, server_config: ServerConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """An analysis of a large table reads 30,000 pages: a server started on a database whose
    statistics are current does not redo it at each doubling of what it made."""
    from sqlalchemy import text

    siti, _ = devices(engine, server_config)
    task = siti.task()
    siti.push(task, siti.start(task.entity_id, 3, 2))
    count = text(
        "SELECT sum(analyze_count + autoanalyze_count) FROM pg_stat_user_tables"
        " WHERE relname IN ('session', 'task', 'handoff', 'user_feed')"
    )

    def analyses() -> int:
        with engine.connect() as conn:
            return int(conn.execute(count).scalar_one())

    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE session, task, handoff, user_feed"
        )
    before = analyses()
    siti.sync.statistics.made, siti.sync.statistics.next = 0, 2
    siti.push(siti.start(task.entity_id, 2, 1.5), siti.start(task.entity_id, 1.5, 1))
    assert siti.sync.statistics.next == 4  # the threshold was crossed
    assert analyses() == before  # and nothing was stale
    assert "ANALYZE" not in caplog.text  # not for want of asking: the question was answered


def test_a_caller_known_only_by_its_token_is_checked_in_the_push(
    engine: Any, server_config: ServerConfig
) -> None:
    """A push's caller read from its token alone (``Auth.token_caller``, as the fast path gives
    it) is checked in the push's own transaction: an account disabled, a device revoked, an
    initial password unchanged, or a token naming another person's device, is refused there
    with nothing stored; an accepted push answers with the organisation's epoch as stored."""
    passwords = people(engine)
    key = load_key(server_config.home)
    auth = Auth(engine, server_config, key)
    sync = Sync(engine, clock=lambda: NOW)
    with transaction(engine) as s:
        s.execute(
            update(AppUser).where(AppUser.nip.in_([SITI, BUDI])).values(must_change_password=False)
        )
        s.execute(update(Org).values(epoch="7"))

    def bearer(nip: str, device: str) -> str:
        return f"Bearer {auth.login(nip, passwords[nip], device, None, 1).access_token}"

    def push(authorization: str) -> Any:
        me = auth.token_caller(authorization)
        assert not me.checked and me.epoch == ""
        task = Mutation(
            seq=1,
            mutation_id=uuid7(),
            type="task.upsert",
            entity_id=uuid7(),
            hlc=Hlc(NOW - H, 1, me.device_id).encode(),
            fields={"title": "Rekap absensi", "target_minutes": 30},
        )
        return sync.push(me, PushRequest(mutations=[task]))

    siti, budi, ani = bearer(SITI, "laptop"), bearer(BUDI, "pc"), bearer(ANI, "tab")
    answer = push(siti)
    assert answer.results[0].status == "applied" and answer.epoch == "7"
    claims = auth.token_caller(ani)
    hers = sign({"org": claims.org_id, "sub": claims.user_id, "dev": "laptop", "exp": 2**40}, key)
    admin.disable_user(engine, SITI)
    admin.revoke_device(engine, "pc")
    for authorization, status, code in (
        (siti, 403, "account_disabled"),
        (budi, 403, "device_revoked"),
        (ani, 403, "password_change_required"),
        (f"Bearer {hers}", 401, "token_invalid"),  # Siti's device, in Ani's name
    ):
        with pytest.raises(AuthError) as refused:
            push(authorization)
        assert (refused.value.status, refused.value.code) == (status, code)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MutationLog)) == 1
        assert conn.scalar(select(func.count()).select_from(Task)) == 1
