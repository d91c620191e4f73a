"""Two participants of a handed-over task pushing at once, on PostgreSQL: each push sums the
task's shares again and tells both of them, so each needs the other's feed counter. The
counters are locked up front, in one order: no deadlock (PostgreSQL would break one after a
second and the push would run twice)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import wfh_server.sync as server_sync
from tests.server.served import BUDI, SITI, people
from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_desktop.timefmt import iso_utc
from wfh_server.auth import Auth
from wfh_server.protocol import Mutation, PushRequest
from wfh_server.sync import Sync
from wfh_server.tokens import load_key

H = 3_600_000


def mutation(
    seq: int, device: str, type_: str, entity: str, fields: dict[str, Any], **kw: Any
) -> Mutation:
    stamp = Hlc(int(time.time() * 1000), 0, device).encode()
    return Mutation(
        seq=seq, mutation_id=uuid7(), type=type_, entity_id=entity, hlc=stamp, fields=fields, **kw
    )


@pytest.mark.parametrize("server_config", ["postgresql"], indirect=True)
def test_two_participants_pushing_at_once_wait_for_each_other_without_deadlock(
    engine, server_config, monkeypatch
):
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))

    def caller(nip: str, device: str) -> Any:
        token = auth.login(nip, passwords[nip], device, None, 1).access_token
        return auth.caller(f"Bearer {token}")

    siti, budi = caller(SITI, "laptop-siti"), caller(BUDI, "laptop-budi")
    task = uuid7()
    plain = Sync(engine)
    made = mutation(1, "a", "task.upsert", task, {"title": "T", "target_minutes": 30})
    plain.push(siti, PushRequest(mutations=[made]))
    handed = plain.push(
        siti,
        PushRequest(
            mutations=[
                mutation(
                    2,
                    "a",
                    "task.handoff",
                    uuid7(),
                    {"task_id": task, "to_nip": BUDI},
                    base_version=1,
                )
            ]
        ),
    )
    assert handed.results[0].status == "applied"

    # Both pushes read and work out their changes, then wait for each other before writing.
    arrived = {name: threading.Event() for name in ("siti", "budi")}

    def hold(stage: str) -> None:
        name = threading.current_thread().name
        if stage == "applied" and name in arrived and not arrived[name].is_set():
            arrived[name].set()
            for event in arrived.values():
                event.wait(10)

    deadlocks: list[str] = []
    push = Sync._push

    def watched(self: Sync, me: Any, request: PushRequest) -> Any:
        try:
            return push(self, me, request)
        except Exception as e:
            deadlocks.append(type(e).__name__)
            raise

    monkeypatch.setattr(server_sync.Sync, "_push", watched)
    sync = Sync(engine, pause=hold)
    start = int(time.time() * 1000) // H * H - 10 * H
    results: dict[str, str] = {}

    def work(name: str, me: Any, seq: int, device: str, offset: int) -> None:
        fields = {
            "task_id": task,
            "start_at": iso_utc(start + offset),
            "end_at": iso_utc(start + offset + H),
        }
        worked = mutation(seq, device, "session.upsert", uuid7(), fields)
        reply = sync.push(me, PushRequest(mutations=[worked]))
        results[name] = reply.results[0].status

    threads = [
        threading.Thread(target=work, args=("siti", siti, 3, "a", 0), name="siti"),
        threading.Thread(target=work, args=("budi", budi, 1, "b", 2 * H), name="budi"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {"siti": "applied", "budi": "applied"}
    assert deadlocks == []
