"""A push's reads sent together (``bulk.read``): the rows each read gives alone, in order, on
SQLite and on PostgreSQL; on PostgreSQL in one pipeline on libpq, which begins the
transaction (its locks held to the end), prepares each statement once a connection, prepares
it again after psycopg's rollback has deallocated it, and gives a refusal as SQLAlchemy's."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import wfh_server.sync as s
from tests.server.test_bulk_query import typed
from tests.server.test_push_rows import NOW, H, devices
from wfh_server import bulk
from wfh_server.bulk import Query
from wfh_server.config import ServerConfig


def prepared(conn: Any) -> dict[str, Any]:
    """This connection's statements prepared by ``bulk.read``, with when each was (read in
    the connection's transaction, or in one of its own)."""
    began = not conn.in_transaction()
    found = conn.execute(
        text("SELECT name, prepare_time FROM pg_prepared_statements WHERE name LIKE 'wfh_%'")
    )
    out = {name: at for name, at in found}
    if began:
        conn.commit()
    return out


def names(conn: Any, reads: list[bulk.Read]) -> set[str]:
    """The names ``bulk.read`` prepares these reads by."""
    return {cast(Any, query._read(conn, params)).raw()[0].decode() for query, params in reads}


def reads_of(engine: Any, server_config: ServerConfig) -> list[bulk.Read]:
    siti, budi = devices(engine, server_config)
    task = siti.task()
    done = siti.start(task.entity_id, 5, 4)
    running = siti.start(task.entity_id, 3)
    siti.push(task, done, running)
    org, me = siti.caller.org_id, siti.caller.user_id
    sessions = [done.entity_id, running.entity_id]
    return [
        (Query(s._DEVICE), {"org": org, "device": "laptop", "user": me}),
        (Query(s._PEOPLE_OF_BOTH), {"org": org, "ids": [task.entity_id], "sessions": sessions}),
        (Query(s._LOCK_COUNTERS), {"org": org, "users": sorted({me, budi.caller.user_id})}),
        (Query(s._ROWS["session"]), {"org": org, "ids": sessions}),
        (Query(s._BY_IDS["task"]), {"org": org, "ids": [task.entity_id, "none"]}),
        (Query(s._RUNNING), {"org": org, "user": me}),
        (Query(s._LOGS), {"org": org, "device": "laptop", "seqs": [1, 2, 3]}),
        (Query(s._ENDED_NEAR), {"org": org, "user": me, "lo": NOW - 6 * H, "hi": NOW}),
    ]


def test_reads_together_give_what_each_gives_alone(
    engine: Any, server_config: ServerConfig
) -> None:
    reads = reads_of(engine, server_config)
    with engine.begin() as conn:
        alone = [query._run(conn, params) for query, params in reads]
    assert all(values for _, values in alone)  # every read finds rows: a real comparison
    with engine.begin() as conn:
        together = bulk.read(conn, reads)
        for (columns, values), (want_columns, want) in zip(together, alone, strict=True):
            assert columns == want_columns
            assert typed(bulk.dicts((columns, values))) == typed(bulk.dicts((columns, want)))
        assert len(together) == len(reads)
        if engine.dialect.name == "postgresql":  # on libpq's pipeline: each one prepared
            assert names(conn, reads) <= prepared(conn).keys()
    with engine.begin() as conn:  # a list left empty goes to SQLAlchemy: each one alone
        empty = (Query(s._ROWS["session"]), {"org": "o", "ids": []})
        assert bulk.read(conn, [reads[0], empty])[1][1] == []


def pg_only(engine: Any) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pipeline; SQLite reads one statement after another")


def test_the_reads_begin_the_transaction_and_their_locks_last_to_its_end(
    engine: Any, server_config: ServerConfig
) -> None:
    pg_only(engine)
    reads = reads_of(engine, server_config)
    params = reads[0][1]
    nowait = text(
        "SELECT device_id FROM device WHERE org_id = :org AND device_id = :device FOR UPDATE NOWAIT"
    )
    with engine.connect() as conn, engine.connect() as other:
        conn.begin()
        bulk.read(conn, reads[:2])  # the device, locked, first: it begins the transaction
        with pytest.raises(DBAPIError) as refused, other.begin():
            other.execute(nowait, params)
        assert getattr(refused.value.orig, "sqlstate", None) == "55P03"  # lock not available
        level = conn.execute(text("SHOW transaction_isolation")).scalar()
        assert level == "read committed"  # as psycopg's own BEGIN would set it
        conn.commit()
        with other.begin():
            assert other.execute(nowait, params).scalar() == "laptop"


def test_a_refusal_comes_out_as_sqlalchemys_and_the_connection_reads_again(
    engine: Any, server_config: ServerConfig
) -> None:
    pg_only(engine)
    reads = reads_of(engine, server_config)
    query, params = reads[-1]
    wrong = (query, params | {"lo": "kemarin"})  # not a number: refused by PostgreSQL
    with engine.connect() as conn:
        for _ in range(2):
            with pytest.raises(DBAPIError) as refused, conn.begin():
                bulk.read(conn, [reads[0], wrong, reads[1]])
            assert getattr(refused.value.orig, "sqlstate", None) == "22P02"
            with conn.begin():
                assert [len(v) for _, v in bulk.read(conn, reads[:2])] == [1, 3]


def test_statements_are_prepared_once_a_connection_and_again_after_a_rollback(
    engine: Any, server_config: ServerConfig
) -> None:
    pg_only(engine)
    reads = reads_of(engine, server_config)[:3]
    engine.dispose()  # one connection, taken again and again
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with conn.begin():
            bulk.read(conn, reads)
        first = prepared(conn)
        assert names(conn, reads) <= first.keys()
        with conn.begin():
            bulk.read(conn, reads)
        assert prepared(conn) == first  # committed: the same ones, not prepared again
    with engine.connect() as again:  # back in the pool and out again: still the same
        assert again.connection.dbapi_connection is raw
        with again.begin():
            bulk.read(again, reads)
        assert prepared(again) == first
    with engine.connect() as conn:
        # A rollback with nothing of psycopg's own prepared: these stay, and are not known
        # any more (closed then prepared again).
        with conn.begin() as tx:
            bulk.read(conn, reads)
            tx.rollback()
        with conn.begin():
            assert [len(v) for _, v in bulk.read(conn, reads)] == [1, 3, 2]
        # psycopg prepares a statement run often, and its rollback deallocates them all.
        for _ in range(6):
            conn.execute(text("SELECT 1 WHERE 1 = :one"), {"one": 1})
        conn.rollback()
        assert prepared(conn) == {}
        with conn.begin():
            assert [len(v) for _, v in bulk.read(conn, reads)] == [1, 3, 2]
        assert names(conn, reads) <= prepared(conn).keys()
        # Deallocated some way not seen: this transaction fails, the next one reads.
        conn.execute(text("DEALLOCATE ALL"))
        conn.commit()
        with pytest.raises(DBAPIError) as gone, conn.begin():
            bulk.read(conn, reads)
        assert getattr(gone.value.orig, "sqlstate", None) == bulk.GONE
        assert bulk.GONE in s.RETRY_STATES  # a push tries again
        with conn.begin():
            assert [len(v) for _, v in bulk.read(conn, reads)] == [1, 3, 2]


def test_past_so_many_prepared_statements_the_rest_are_sent_unprepared(
    engine: Any, server_config: ServerConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_only(engine)
    reads = reads_of(engine, server_config)
    engine.dispose()
    monkeypatch.setattr(bulk, "PREPARED_MAX", 2)
    with engine.connect() as conn:
        with conn.begin():
            alone = [query._run(conn, params) for query, params in reads]
        for _ in range(2):
            with conn.begin():
                assert bulk.read(conn, reads) == alone
        assert len(prepared(conn)) == 2  # the first two; the others parsed each time


def test_the_transaction_begins_as_sqlalchemy_would_begin_it(
    engine: Any, server_config: ServerConfig
) -> None:
    pg_only(engine)
    reads = reads_of(engine, server_config)[:2]
    with engine.connect().execution_options(isolation_level="SERIALIZABLE") as conn:
        with conn.begin():
            bulk.read(conn, reads)
            level = conn.execute(text("SHOW transaction_isolation")).scalar()
        assert level == "serializable"


def test_a_connection_lost_mid_read_is_dropped_and_the_next_one_reads(
    engine: Any, server_config: ServerConfig
) -> None:
    pg_only(engine)
    reads = reads_of(engine, server_config)[:2]
    engine.dispose()  # a connection of its own, no cursor made on it yet
    with engine.connect() as conn, engine.connect() as other:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        conn.commit()
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
        conn.begin()
        with pytest.raises(DBAPIError) as lost:  # as SQLAlchemy's, itself (not the rollback's)
            bulk.read(conn, reads)
        assert lost.value.connection_invalidated  # SQLAlchemy drops it, and its pool
    with engine.begin() as conn:
        assert [len(v) for _, v in bulk.read(conn, reads)] == [1, 3]
