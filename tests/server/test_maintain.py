"""Housekeeping (``wfh-server maintain``) on SQLite and PostgreSQL: old deletions go with their
feed rows and older cursors get 410, the mutation log is pruned without breaking replays, and a
timer whose device went quiet is flagged, never stopped."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import func, select, update

from tests.server.served import EXE, SITI, people
from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_desktop.timefmt import iso_utc
from wfh_server.auth import Auth
from wfh_server.db import transaction
from wfh_server.maintain import RETENTION_MS, maintain
from wfh_server.models import Device, MutationLog, Org, WorkSession
from wfh_server.protocol import Mutation, PushRequest
from wfh_server.sync import Sync, SyncError
from wfh_server.tokens import load_key

DAY = 24 * 3600_000
T0 = 1_790_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


def _m(seq: int, type_: str, entity: str, fields: dict[str, object], at: int) -> Mutation:
    return Mutation(
        seq=seq,
        mutation_id=uuid7(),
        type=type_,
        entity_id=entity,
        hlc=Hlc(at, 0, "laptop").encode(),
        fields=fields,
    )


@pytest.fixture
def setup(engine, server_config):
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    auth.login(SITI, passwords[SITI], "laptop", None, 1)
    with transaction(engine) as s:
        user_id = s.scalars(select(Device.user_id).where(Device.device_id == "laptop")).one()
    from wfh_server.auth import Caller

    clock = Clock()
    return Sync(engine, clock=clock), Caller("kemen", user_id, "laptop", False, 0, 0), clock


def test_old_deletions_go_and_older_cursors_must_resync(engine, setup):
    sync, me, clock = setup
    task, kept, gone = uuid7(), uuid7(), uuid7()
    span = {"task_id": task, "start_at": iso_utc(T0 - DAY), "end_at": iso_utc(T0 - DAY + 60_000)}
    sync.push(
        me,
        PushRequest(
            mutations=[
                _m(1, "task.upsert", task, {"title": "Laporan", "target_minutes": 30}, T0),
                _m(2, "session.upsert", kept, span, T0),
                _m(3, "session.upsert", gone, span | {"start_at": iso_utc(T0 - 2 * DAY)}, T0),
                _m(4, "session.delete", gone, {}, T0 + 1),
            ]
        ),
    )
    me = me._replace(last_seq=3)
    clock.now = T0 + 30 * DAY
    assert maintain(engine, clock.now).removed == 0  # within the retention: kept
    clock.now = T0 + RETENTION_MS + DAY
    report = maintain(engine, clock.now)
    assert report.removed == 1 and report.pruned == 4
    with transaction(engine) as s:
        assert s.get(WorkSession, ("kemen", gone)) is None
        assert s.get(WorkSession, ("kemen", kept)) is not None
        assert s.scalar(select(func.count()).select_from(MutationLog)) == 0
    with pytest.raises(SyncError) as e:
        sync.pull(me._replace(gc_floor=3), since=0)  # what the API reads with the caller
    assert e.value.status == 410
    snapshot = sync.snapshot(me, None)
    assert {r.id for r in snapshot.records} == {task, kept}
    # A replay of a pruned mutation is still a duplicate: the device's high-water mark says so.
    late = sync.push(me, PushRequest(mutations=[_m(4, "session.delete", gone, {}, T0 + 1)]))
    assert [r.status for r in late.results] == ["duplicate"]


def test_a_timer_whose_device_went_quiet_is_flagged_not_stopped(engine, setup):
    sync, me, clock = setup
    task, running = uuid7(), uuid7()
    sync.push(
        me,
        PushRequest(
            mutations=[
                _m(1, "task.upsert", task, {"title": "Laporan", "target_minutes": 30}, T0),
                _m(2, "session.upsert", running, {"task_id": task, "start_at": iso_utc(T0)}, T0),
            ]
        ),
    )
    with transaction(engine) as s:
        s.execute(update(Device).values(last_seen_at=T0))
    assert maintain(engine, T0 + 11 * 3600_000).flagged == 0
    assert maintain(engine, T0 + 13 * 3600_000).flagged == 1
    assert maintain(engine, T0 + 14 * 3600_000).flagged == 0  # once
    changes = sync.pull(me._replace(last_seq=3), since=2).changes
    assert [(c.id, c.record["needs_review"], c.record["end_at"]) for c in changes] == [
        (running, "running_unconfirmed", None)
    ]
    # Stopped by its owner: no longer in doubt.
    clock.now = T0 + 15 * 3600_000
    stop = _m(3, "session.stop", running, {"end_at": iso_utc(T0 + 3600_000)}, clock.now)
    assert sync.push(me, PushRequest(mutations=[stop])).results[0].record["needs_review"] is None


def test_the_commands(engine, server_config):
    people(engine)
    env = {
        "WFH_SERVER_HOME": str(server_config.home),
        "WFH_SERVER_DATABASE_URL": server_config.database_url,
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [EXE, "--lang", "en", "maintain"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Removed 0 old deletions, pruned 0" in done.stdout
    with transaction(engine) as s:
        before = s.get(Org, "kemen").epoch
    done = subprocess.run(
        [EXE, "org", "new-epoch", "Kementerian Contoh"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "Epoch baru" in done.stdout, done.stderr
    with transaction(engine) as s:
        assert s.get(Org, "kemen").epoch != before
