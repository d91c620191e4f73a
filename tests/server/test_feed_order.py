"""The out-of-order commit case of ``SYNC.md`` on a real PostgreSQL: a push that starts first and
commits last, another push for the same user meanwhile, and a pull in between. The pull must not
move its cursor past a change that is still to be committed."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.server.served import BUDI, SITI, people
from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_server.auth import Auth
from wfh_server.protocol import Mutation, PushRequest
from wfh_server.sync import Sync
from wfh_server.tokens import load_key


def _task(seq: int, device: str) -> Mutation:
    return Mutation(
        seq=seq,
        mutation_id=uuid7(),
        type="task.upsert",
        entity_id=uuid7(),
        hlc=Hlc(int(time.time() * 1000), 0, device).encode(),
        fields={"title": f"Tugas {device} {seq}", "target_minutes": 30},
    )


@pytest.mark.parametrize("server_config", ["postgresql", "sqlite"], indirect=True)
def test_f8_a_pull_between_two_writers_never_skips_the_one_committing_late(engine, server_config):
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    callers = {}
    for device in ("laptop", "pc"):
        tokens = auth.login(SITI, passwords[SITI], device, None, 1)
        callers[device] = auth.caller(f"Bearer {tokens.access_token}")

    holding, release = threading.Event(), threading.Event()

    def hold_first(stage: str) -> None:
        if stage == "commit" and threading.current_thread().name == "first":
            holding.set()
            assert release.wait(30)

    sync = Sync(engine, pause=hold_first)
    first_batch = [_task(i, "laptop") for i in (1, 2)]
    second_batch = [_task(1, "pc")]
    finished: list[str] = []

    def push(name: str, device: str, batch: list[Mutation]) -> None:
        sync.push(callers[device], PushRequest(mutations=batch))
        finished.append(name)

    first = threading.Thread(target=push, args=("first", "laptop", first_batch), name="first")
    second = threading.Thread(target=push, args=("second", "pc", second_batch), name="second")
    first.start()
    assert holding.wait(30)  # the first push has written everything and not yet committed
    second.start()
    time.sleep(0.5)  # long enough for the second to commit, were it not held back
    early = sync.pull(callers["pc"], since=0)
    seen = [c.id for c in early.changes]
    release.set()
    first.join(30)
    second.join(30)
    assert finished == ["first", "second"]  # the second waited for the first's commit
    late = sync.pull(callers["pc"], since=early.next)
    seen += [c.id for c in late.changes]
    everything = {m.entity_id for m in first_batch + second_batch}
    assert sorted(seen) == sorted(everything)  # nothing skipped, nothing twice
    whole = sync.pull(callers["pc"], since=0)
    assert [c.seq for c in whole.changes] == [1, 2, 3]


@pytest.mark.parametrize("server_config", ["postgresql", "sqlite"], indirect=True)
def test_two_people_writing_one_task_at_once_both_land(engine, server_config):
    """Siti owns a task Budi was handed; her push is held while it holds the task. His push
    needs the task and both feed counters: it waits for hers (counters are locked up front in
    user_id order; a push that still lost a deadlock would be retried), and neither person sees
    an error."""
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    siti = auth.caller(f"Bearer {auth.login(SITI, passwords[SITI], 'a', None, 1).access_token}")
    budi = auth.caller(f"Bearer {auth.login(BUDI, passwords[BUDI], 'b', None, 1).access_token}")
    plain = Sync(engine)
    task = _task(1, "a")
    plain.push(siti, PushRequest(mutations=[task]))
    handoff = Mutation(
        seq=2,
        mutation_id=uuid7(),
        type="task.handoff",
        entity_id=uuid7(),
        hlc=Hlc(int(time.time() * 1000), 1, "a").encode(),
        base_version=1,
        fields={"task_id": task.entity_id, "to_nip": BUDI},
    )
    assert plain.push(siti, PushRequest(mutations=[handoff])).results[0].status == "applied"

    applied, go = threading.Event(), threading.Event()

    def hold_siti(stage: str) -> None:
        if stage == "applied" and threading.current_thread().name == "siti" and not go.is_set():
            applied.set()
            assert go.wait(30)

    sync = Sync(engine, pause=hold_siti)
    results: dict[str, str] = {}

    def edit(name: str, me: Any, seq: int, device: str, title: str) -> None:
        m = Mutation(
            seq=seq,
            mutation_id=uuid7(),
            type="task.upsert",
            entity_id=task.entity_id,
            hlc=Hlc(int(time.time() * 1000), 5, device).encode(),
            fields={"title": title},
        )
        results[name] = sync.push(me, PushRequest(mutations=[m])).results[0].status

    first = threading.Thread(target=edit, args=("siti", siti, 3, "a", "Judul Siti"), name="siti")
    first.start()
    assert applied.wait(30)  # she holds the task's row
    second = threading.Thread(target=edit, args=("budi", budi, 1, "b", "Judul Budi"), name="budi")
    second.start()
    time.sleep(0.5)  # he holds his counter and waits for the task
    go.set()
    first.join(60)
    second.join(60)
    assert sorted(results) == ["budi", "siti"]  # both answered, neither failed
    assert set(results.values()) <= {"applied", "merged"}
    for me in (siti, budi):
        titles = {c.record["title"] for c in sync.pull(me, since=0).changes if c.entity == "task"}
        assert titles == {"Judul Budi"}  # his stamp is newer: the same for both of them
