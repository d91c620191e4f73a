"""The out-of-order commit case of ``SYNC.md`` on a real PostgreSQL: a push that starts first and
commits last, another push for the same user meanwhile, and a pull in between. The pull must not
move its cursor past a change that is still to be committed."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.server.served import SITI, people
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
def test_a_pull_between_two_writers_never_skips_the_one_committing_late(engine, server_config):
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    callers = {}
    for device in ("laptop", "pc"):
        tokens = auth.login(SITI, passwords[SITI], device, None, 1)
        callers[device] = auth.caller(f"Bearer {tokens.access_token}")

    holding, release = threading.Event(), threading.Event()

    def hold_first(_s: Any) -> None:
        if threading.current_thread().name == "first":
            holding.set()
            assert release.wait(30)

    sync = Sync(engine, before_commit=hold_first)
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
