"""Group commit on SQLite: the pushes that wait while one push's transaction runs are written
together, in one transaction and one commit, each worked out on what the ones before it wrote.
A push refused or failing in such a group loses only its own writes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text

from tests.server.served import BUDI, SITI, people
from tests.server.test_push_rows import NOW, Device, state
from wfh_server.auth import Auth
from wfh_server.config import ServerConfig
from wfh_server.protocol import Mutation
from wfh_server.sync import Sync, SyncError
from wfh_server.tokens import load_key

pytestmark = pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)


class Held:
    """A ``pause`` hook: the first push to reach its commit waits there, inside its
    transaction, until released; of the pushes after it, those whose turn (1, 2, ...) is in
    ``fail`` fail there, after their writes. (A group's pushes all run on the thread of the
    one that took the lock, in the order they came to wait.)"""

    def __init__(self) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        self.fail: set[int] = set()
        self.turn = -1

    def __call__(self, stage: str) -> None:
        if stage != "commit":
            return
        self.turn += 1
        if self.turn == 0:
            self.inside.set()
            assert self.release.wait(20)
        if self.turn in self.fail:
            raise RuntimeError(f"push {self.turn} failed after its writes")


def setup(engine: Any, server_config: ServerConfig) -> tuple[Sync, Held, dict[str, Device]]:
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    held = Held()
    sync = Sync(engine, clock=lambda: NOW, pause=held)
    out = {}
    for nip, name in ((SITI, "laptop"), (SITI, "phone"), (BUDI, "pc")):
        tokens = auth.login(nip, passwords[nip], name, None, 1)
        out[name] = Device(sync, auth.caller(f"Bearer {tokens.access_token}"), name)
    return sync, held, out


def together(
    sync: Sync, held: Held, first: Callable[[], Any], queued: dict[str, Callable[[], Any]]
) -> tuple[dict[str, Any], int]:
    """``first`` runs and is held inside its transaction while every one of ``queued`` comes
    to wait for the write lock; then all go on. Their outcomes (answer or error), and how many
    transactions committed meanwhile."""
    commits: list[int] = []
    count = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(sync.engine, "commit", count)
    outcomes: dict[str, Any] = {}

    def run(name: str, work: Callable[[], Any]) -> None:
        try:
            outcomes[name] = work()
        except Exception as e:
            outcomes[name] = e

    threads = [threading.Thread(target=run, args=("hold", first), name="hold")]
    threads[0].start()
    try:
        assert held.inside.wait(20)
        assert sync.group is not None
        for n, (name, work) in enumerate(queued.items(), 1):  # one after another, in order
            threads.append(threading.Thread(target=run, args=(name, work), name=name))
            threads[-1].start()
            deadline = time.monotonic() + 20
            while sync.group.waiting() < n:
                assert time.monotonic() < deadline, f"{name} never came to wait"
                time.sleep(0.002)
    finally:
        held.release.set()
        for t in threads:
            t.join(30)
        event.remove(sync.engine, "commit", count)
    return outcomes, len(commits)


def stored_sessions(engine: Any) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT id FROM session"))}


def last_seq(engine: Any, device: str) -> int:
    with engine.connect() as conn:
        query = text("SELECT last_seq FROM device WHERE device_id = :d")
        return int(conn.execute(query, {"d": device}).scalar_one())


def test_waiting_pushes_share_one_commit_and_each_sees_the_ones_before_it(
    engine: Any, server_config: ServerConfig
) -> None:
    sync, held, dev = setup(engine, server_config)
    laptop, phone, pc = dev["laptop"], dev["phone"], dev["pc"]
    task, his_task = laptop.task(), pc.task()
    phone_task = phone.task()
    first = laptop.start(task.entity_id, 3)  # her laptop's timer, running
    second = phone.start(phone_task.entity_id, 2)  # a newer start on her phone
    his = pc.start(his_task.entity_id, 2.5)
    outcomes, commits = together(
        sync,
        held,
        lambda: pc.push(his_task),
        {
            "laptop": lambda: laptop.push(task, first),
            "phone": lambda: phone.push(phone_task, second),
            "pc": lambda: pc.push(his),
        },
    )
    # The held push committed alone; the three that waited, in one transaction together.
    assert commits == 2
    assert {n: [r.status for r in o] for n, o in outcomes.items()} == {
        "hold": ["applied"],
        "laptop": ["applied", "applied"],
        "phone": ["applied", "applied"],
        "pc": ["applied"],
    }
    # The phone's push saw the laptop's timer, written in the same transaction before it, and
    # stopped it at its own start: one running timer a person, whichever push came first.
    got = laptop.records()
    assert state(got[first.entity_id])[0] is not None
    assert state(got[first.entity_id])[2] is not None  # stopped, and the reason said
    assert state(got[second.entity_id])[0] is None
    assert pc.records()[his.entity_id].record["end_at"] is None  # Budi's is his own
    assert stored_sessions(engine) == {first.entity_id, second.entity_id, his.entity_id}


def test_a_refused_or_failing_push_in_a_group_loses_only_its_own_writes(
    engine: Any, server_config: ServerConfig
) -> None:
    sync, held, dev = setup(engine, server_config)
    laptop, phone, pc = dev["laptop"], dev["phone"], dev["pc"]
    held.fail = {2}  # the phone's, second of the three
    task, his_task, phone_task = laptop.task(), pc.task(), phone.task()
    kept = laptop.start(task.entity_id, 3)
    lost = phone.start(phone_task.entity_id, 2)
    gap = pc.start(his_task.entity_id, 2.5)
    gap_push: list[Mutation] = [gap.model_copy(update={"seq": 7})]
    outcomes, commits = together(
        sync,
        held,
        lambda: pc.push(his_task),
        {
            "laptop": lambda: laptop.push(task, kept),
            "phone": lambda: phone.push(phone_task, lost),  # fails after writing
            "gap": lambda: pc.push(*gap_push),  # refused: mutations 2 to 6 never came
        },
    )
    assert commits == 2
    assert [r.status for r in outcomes["laptop"]] == ["applied", "applied"]
    assert isinstance(outcomes["phone"], RuntimeError)
    refused = outcomes["gap"]
    assert isinstance(refused, SyncError) and refused.code == "seq_gap"
    # Only the laptop's writes were kept: the phone's session and task and its device's
    # high-water mark were undone; the refused push wrote nothing.
    assert stored_sessions(engine) == {kept.entity_id}
    assert last_seq(engine, "phone") == 0
    assert last_seq(engine, "pc") == 1
    assert laptop.records()[kept.entity_id].record["end_at"] is None
    assert phone_task.entity_id not in phone.records()
    # The phone pushes again and is applied: nothing of its failed attempt stands in the way.
    held.fail = set()
    assert [r.status for r in phone.push(phone_task, lost)] == ["applied", "applied"]
