"""A push's reads on the driver's cursor (``bulk.Query``) give what SQLAlchemy's ``execute``
gives: the same rows, the same values (JSON read back as objects, numbers as numbers), lists
of every length, an empty one, and a driver's error as SQLAlchemy's; on SQLite and on
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, select
from sqlalchemy.exc import DBAPIError

import wfh_server.auth as auth_module
import wfh_server.sync as server_sync
from tests.server.test_push_rows import NOW, H, devices
from wfh_server.bulk import Query
from wfh_server.config import ServerConfig


def typed(rows: list[dict[str, Any]]) -> list[list[tuple[str, type, Any]]]:
    return [[(k, type(v), v) for k, v in row.items()] for row in rows]


def sqlalchemy_rows(conn: Any, statement: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(statement, params).mappings()]


def test_the_push_reads_give_what_sqlalchemy_gives(
    engine: Any, server_config: ServerConfig
) -> None:
    siti, budi = devices(engine, server_config)
    task = siti.task()
    done = siti.start(task.entity_id, 5, 4)
    running = siti.start(task.entity_id, 3)
    overlapping = siti.start(task.entity_id, 4.5, 3.5)  # flagged: conflicts and needs_review
    siti.push(task, done, running, overlapping)
    siti.push(siti.m("session.edit", done.entity_id, {"note": "rapat"}))
    his = budi.task()
    budi.push(his)
    org, me = siti.caller.org_id, siti.caller.user_id
    sessions = [done.entity_id, running.entity_id, overlapping.entity_id]
    s = server_sync
    cases: list[tuple[Any, dict[str, Any]]] = [
        (s._DEVICE, {"org": org, "device": "laptop", "user": me}),
        (s._LOGS, {"org": org, "device": "laptop", "seqs": [1, 2, 3, 4, 5]}),
        (s._LOGS, {"org": org, "device": "laptop", "seqs": [2]}),
        (s._LOCK_COUNTERS, {"org": org, "users": sorted({me, budi.caller.user_id})}),
        (s._ROWS["session"], {"org": org, "ids": sessions}),
        (s._ROWS["task"], {"org": org, "ids": [task.entity_id, his.entity_id]}),
        (s._ROW[("session", True)], {"org": org, "id": done.entity_id}),
        (s._ROW[("task", False)], {"org": org, "id": his.entity_id}),
        (s._ROW[("handoff", False)], {"org": org, "id": "none"}),
        (s._RUNNING, {"org": org, "user": me}),
        (s._ENDED_NEAR, {"org": org, "user": me, "lo": NOW - 6 * H, "hi": NOW}),
        (s._PEOPLE_OF_SESSIONS, {"org": org, "sessions": sessions}),
        (s._PEOPLE_OF_TASKS, {"org": org, "ids": [task.entity_id, his.entity_id]}),
        (s._PEOPLE_OF_BOTH, {"org": org, "ids": [his.entity_id], "sessions": sessions}),
        (s._SHARED_TASKS, {"org": org, "ids": [task.entity_id]}),
        (s._ROWS["session"], {"org": org, "ids": []}),  # an empty list
    ]
    cases.append((auth_module._CALLER, {"org": org, "dev": "laptop", "sub": me}))
    with engine.begin() as conn:
        for statement, params in cases:
            want = sqlalchemy_rows(conn, statement, params)
            query = Query(statement)
            got = query.rows(conn, params)
            assert typed(got) == typed(want), str(statement)[:80]  # True is not 1
            assert [tuple(r.values()) for r in got] == query.tuples(conn, params)
            if params.get("ids") != []:  # an empty list goes to SQLAlchemy; the rest do not
                assert None not in query._compiled.values(), str(statement)[:80]
        # What the driver gives is converted: JSON columns come back as objects.
        stored = Query(s._ROWS["session"]).rows(conn, {"org": org, "ids": sessions})
        assert {r["id"]: r["start_at"] for r in stored}[done.entity_id] == NOW - 5 * H
        flagged = {r["id"]: r for r in stored}[overlapping.entity_id]
        assert isinstance(flagged["clock"], dict) and flagged["needs_review"] == "overlap"
        # One Query, lists of several lengths: each length its own statement.
        one = Query(s._ROWS["session"])
        for n in (1, 3, 2, 1):
            found = one.rows(conn, {"org": org, "ids": sessions[:n]})
            assert sorted(r["id"] for r in found) == sorted(sessions[:n])
        # ... and each went to the driver's cursor, not back to SQLAlchemy's execute.
        assert len(one._compiled) == 3 and None not in one._compiled.values()
        with pytest.raises(Exception, match="value is required"):  # as SQLAlchemy says it
            Query(s._ROWS["session"]).rows(conn, {"ids": sessions})


def test_a_driver_error_comes_out_as_sqlalchemys(engine: Any) -> None:
    nowhere = Table("no_such_table", MetaData(), Column("id", Integer))
    query = Query(select(nowhere).where(nowhere.c.id == bindparam("id")))
    with engine.begin() as conn, pytest.raises(DBAPIError):
        query.rows(conn, {"id": 1})
    assert None not in query._compiled.values()  # the driver's own error, from its cursor


def test_after_a_driver_error_the_same_connection_reads_again(engine: Any) -> None:
    nowhere = Table("no_such_table", MetaData(), Column("id", Integer))
    broken = Query(select(nowhere).where(nowhere.c.id == bindparam("id")))
    device = Query(server_sync._DEVICE)
    with engine.connect() as conn:
        for _ in range(2):
            with pytest.raises(DBAPIError), conn.begin():
                device.rows(conn, {"org": "o", "device": "d", "user": "u"})
                broken.rows(conn, {"id": 1})
            with conn.begin():  # the cursor kept with the connection was closed: a new one
                assert device.rows(conn, {"org": "o", "device": "d", "user": "u"}) == []
