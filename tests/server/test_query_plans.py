"""Every statement a push, a pull and a snapshot run finds its rows through an index on SQLite:
none walks a whole table of records, whose size grows with the organisation's history. (An
index added for handoffs once made SQLite answer the push's "tasks of these sessions" with a
DISTINCT walk over every session of the organisation; a 100,000-session backlog slowed down
as it went up.) The plans are SQLite's own (``EXPLAIN QUERY PLAN``), without ``ANALYZE``, as
the server runs."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import event

from tests.server.served import BUDI, SITI, people
from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_desktop.timefmt import iso_utc
from wfh_server.auth import Auth
from wfh_server.protocol import Mutation, PushRequest
from wfh_server.sync import Sync
from wfh_server.tokens import load_key

# Tables that grow with the work recorded; the others hold one row per person or device.
GROWING = ("session", "task", "handoff", "user_feed", "mutation_log")
MINUTE = 60_000
# A whole table, every row of the organisation (an index searched on org_id alone), or every
# session of a person (an owner index searched on the owner alone: a whole history).
WALK = re.compile(
    rf"(SCAN ({'|'.join(GROWING)})\b|SEARCH ({'|'.join(GROWING)}) .*\(org_id=\?\)$"
    r"|SEARCH session .*\(org_id=\? AND owner_user_id=\?\)$)"
)


class Device:
    def __init__(self, sync: Sync, caller: Any, name: str) -> None:
        self.sync, self.caller, self.name, self.seq = sync, caller, name, 0

    def push(self, type_: str, entity: str, fields: dict[str, Any], base: int | None = 0) -> Any:
        [result] = self.push_many([(type_, entity, fields, base)])
        return result

    def push_many(self, changes: list[tuple[str, str, dict[str, Any], int | None]]) -> list[Any]:
        mutations = []
        for type_, entity, fields, base in changes:
            self.seq += 1
            mutations.append(
                Mutation(
                    seq=self.seq,
                    mutation_id=uuid7(),
                    type=type_,
                    entity_id=entity,
                    hlc=Hlc(int(time.time() * 1000), self.seq, self.name).encode(),
                    base_version=base,
                    fields=fields,
                )
            )
        results = self.sync.push(self.caller, PushRequest(mutations=mutations)).results
        assert all(r.status in ("applied", "merged") for r in results), results
        return results


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)
def test_no_statement_of_a_sync_walks_a_whole_table(engine, server_config):
    passwords = people(engine)
    auth = Auth(engine, server_config, load_key(server_config.home))
    sync = Sync(engine)

    def device(nip: str, name: str) -> Device:
        tokens = auth.login(nip, passwords[nip], name, None, 1)
        return Device(sync, auth.caller(f"Bearer {tokens.access_token}"), name)

    siti, budi = device(SITI, "laptop"), device(BUDI, "pc")
    start = int(time.time() * 1000) - 600 * MINUTE
    task = uuid7()
    siti.push("task.upsert", task, {"title": "Laporan", "target_minutes": 30})
    for i in range(3):  # some history first
        s = uuid7()
        at = start + i * 60 * MINUTE
        siti.push("session.upsert", s, {"task_id": task, "start_at": iso_utc(at)})
        siti.push("session.stop", s, {"end_at": iso_utc(at + 30 * MINUTE)})

    seen: dict[str, Any] = {}

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool):
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
            seen.setdefault(statement, parameters[0] if many else parameters)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        backlog = []  # a full push of sessions timed offline, as a long backlog sends them
        for i in range(100):
            at = start - (i + 1) * 60 * MINUTE
            span = {"start_at": iso_utc(at), "end_at": iso_utc(at + 30 * MINUTE)}
            backlog.append(("session.upsert", uuid7(), {"task_id": task, **span}, 0))
        siti.push_many(backlog)
        closed, running = uuid7(), uuid7()
        at = start + 300 * MINUTE
        siti.push(
            "session.upsert",
            closed,
            {"task_id": task, "start_at": iso_utc(at), "end_at": iso_utc(at + 20 * MINUTE)},
        )
        siti.push("session.upsert", running, {"task_id": task, "start_at": iso_utc(at + 10)})
        siti.push("session.edit", running, {"note": "rapat"}, base=1)
        siti.push("session.stop", running, {"end_at": iso_utc(at + 40 * MINUTE)}, base=2)
        version = siti.push("task.upsert", task, {"title": "Laporan bulanan"}, base=1).version
        handoff = uuid7()
        siti.push(
            "task.handoff", handoff, {"task_id": task, "to_nip": BUDI, "note": "Lanjutkan"}, version
        )
        budi.push("handoff.accept", handoff, {}, base=1)
        sync.pull(budi.caller, since=0)
        sync.pull(siti.caller, since=2)
        sync.snapshot(siti.caller, None)
    finally:
        event.remove(engine, "before_cursor_execute", keep)

    walks = []
    raw = engine.raw_connection()
    try:
        for statement, parameters in seen.items():
            plan = raw.cursor().execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            for row in plan:
                detail = str(row[-1])
                if WALK.match(detail):
                    walks.append((detail, " ".join(statement.split())[:300]))
    finally:
        raw.close()
    assert len(seen) > 20  # the statements were caught
    assert walks == []
