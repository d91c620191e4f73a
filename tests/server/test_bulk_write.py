"""A push's writes on the driver's cursor (``bulk.Bulk``) store exactly what SQLAlchemy's own
insert stores, on SQLite and on PostgreSQL (where many rows go in by ``COPY``): every row and
value, text with tabs, newlines, backslashes and quotes, NULLs, JSON (a JSON ``null`` apart
from SQL's NULL), and a driver's error comes out as SQLAlchemy's with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError

import wfh_server.bulk as bulk_module
from wfh_server.bulk import Bulk

meta = MetaData()
scratch = Table(
    "bulk_scratch",
    meta,
    Column("org_id", String(36), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("n", BigInteger, nullable=False),
    Column("note", String(200)),
    Column("done", Boolean),
    Column("clock", JSON),
)
NOTES = [None, "rapat\tpagi\nlanjut", "C:\\data\\laporan", '‘kutip’ "dua" 100% \\N', "", "\\."]


def rows(n: int, org: str) -> list[dict[str, Any]]:
    return [
        {
            "org_id": org,
            "id": f"s{i:05d}",
            "n": i * 1_000_000_007 - 5,  # beyond 32 bits, and one below zero
            "note": NOTES[i % len(NOTES)],
            "done": [True, False, None][i % 3],
            "clock": [None, {"note": f"{i}@dev", "l": [i, None, True, "a\tb"]}, [], "x"][i % 4],
        }
        for i in range(n)
    ]


def stored(conn: Any, org: str) -> list[tuple[Any, ...]]:
    """The rows as stored, the JSON column as its text and whether it is SQL's NULL."""
    t = scratch.c
    found = conn.execute(
        select(t.id, t.n, t.note, t.done, t.clock, t.clock.is_(None), sql_cast(t.clock, String))
        .where(t.org_id == org)
        .order_by(t.id)
    )
    return [tuple(r) for r in found]


@pytest.fixture
def table(engine: Any) -> Any:
    meta.create_all(engine)
    return engine


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The COPY statements the driver's cursor is given."""
    seen: list[str] = []
    kept = bulk_module._cursor

    class Watched:
        def __init__(self, cursor: Any) -> None:
            self.cursor = cursor

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cursor, name)

        def copy(self, sql: str) -> Any:
            seen.append(sql)
            return self.cursor.copy(sql)

    monkeypatch.setattr(bulk_module, "_cursor", lambda conn: Watched(kept(conn)))
    return seen


@pytest.mark.parametrize("n", [1, Bulk.COPY_FROM - 1, Bulk.COPY_FROM, 250])
@pytest.mark.parametrize("keys", ["in the table's order", "reversed"])
def test_rows_are_stored_as_sqlalchemys_insert_stores_them(
    table: Any, copies: list[str], n: int, keys: str
) -> None:
    bulk = Bulk(insert(scratch))
    mine = rows(n, "bulk")
    if keys == "reversed":  # the statement's columns in another order than the table's
        mine = [{k: r[k] for k in reversed(r)} for r in mine]
    with table.begin() as conn:
        bulk.run(conn, mine)
        conn.execute(insert(scratch), rows(n, "sqlalchemy"))
        got, want = stored(conn, "bulk"), stored(conn, "sqlalchemy")
    assert len(got) == n and got == want
    by_copy = table.dialect.name == "postgresql" and n >= Bulk.COPY_FROM
    assert [c.split(" (")[0] for c in copies] == (["COPY bulk_scratch"] if by_copy else [])


def test_a_rejected_insert_writes_nothing_and_raises_sqlalchemys_error(table: Any) -> None:
    bulk = Bulk(insert(scratch))
    with table.begin() as conn:
        bulk.run(conn, rows(5, "o1"))
    for n in (3, 40):  # one by one, and by COPY
        with (
            pytest.raises(IntegrityError, match=r"bulk_scratch_pkey|UNIQUE"),
            table.begin() as conn,
        ):
            bulk.run(conn, rows(30, "o2"))
            bulk.run(conn, rows(n, "o1"))  # the first five taken
        with table.connect() as conn:
            assert len(stored(conn, "o1")) == 5 and stored(conn, "o2") == []


@pytest.fixture
def pipelines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pipelines ``bulk.write`` sends on libpq (PostgreSQL), each by how many statements
    it carried."""
    seen: list[int] = []
    run = bulk_module._Raw.run

    def counted(self: Any, sends: list[Any], **options: Any) -> Any:
        seen.append(len(sends))
        return run(self, sends, **options)

    monkeypatch.setattr(bulk_module._Raw, "run", counted)
    return seen


@pytest.mark.parametrize("n", [2, Bulk.COPY_FROM - 1])
def test_rows_written_together_are_stored_as_sqlalchemys_insert_stores_them(
    table: Any, pipelines: list[int], n: int
) -> None:
    """Every value as SQLAlchemy stores it when the rows go with other statements: on
    PostgreSQL, prepared and sent as text on libpq's pipeline."""
    bulk = Bulk(insert(scratch))
    mine = rows(n, "bulk")
    with table.begin() as conn:
        bulk_module.write(conn, [(bulk, mine[:1]), (bulk, mine[1:])])
        conn.execute(insert(scratch), rows(n, "sqlalchemy"))
        got, want = stored(conn, "bulk"), stored(conn, "sqlalchemy")
    assert len(got) == n and got == want
    assert pipelines == ([2] if table.dialect.name == "postgresql" else [])


def test_several_statements_are_written_in_their_order(
    table: Any, copies: list[str], pipelines: list[int]
) -> None:
    """Each statement sees what the ones before it wrote, as one at a time: an update of rows
    just inserted, by executemany and by COPY, with the statements between COPYs together."""
    add, note = (
        Bulk(insert(scratch)),
        Bulk(
            scratch.update()
            .where(scratch.c.org_id == bindparam("k_org"), scratch.c.id == bindparam("k_id"))
            .values(note=bindparam("note"))
        ),
    )
    steps = [
        (add, rows(3, "a")),
        (note, [{"k_org": "a", "k_id": "s00001", "note": "satu"}]),
        (add, []),  # nothing to write: left out
        (add, rows(Bulk.COPY_FROM + 5, "b")),
        (note, [{"k_org": "b", "k_id": f"s{i:05d}", "note": f"b{i}"} for i in (0, 24)]),
        (add, rows(2, "c")),
        (note, [{"k_org": "c", "k_id": "s00000", "note": "tiga"}]),
    ]
    with table.begin() as conn:
        bulk_module.write(conn, steps)
        notes = dict(
            conn.execute(
                select(scratch.c.org_id + "/" + scratch.c.id, scratch.c.note).where(
                    scratch.c.note.in_(["satu", "b0", "b24", "tiga"])
                )
            ).all()
        )
        counts = dict(
            conn.execute(select(scratch.c.org_id, func.count()).group_by(scratch.c.org_id)).all()
        )
    assert notes == {"a/s00001": "satu", "b/s00000": "b0", "b/s00024": "b24", "c/s00000": "tiga"}
    assert counts == {"a": 3, "b": Bulk.COPY_FROM + 5, "c": 2}
    on_pg = table.dialect.name == "postgresql"
    assert len(copies) == (1 if on_pg else 0)
    assert pipelines == ([2, 3] if on_pg else [])


def test_a_refusal_among_statements_written_together_writes_nothing(
    table: Any, pipelines: list[int]
) -> None:
    """A duplicate key in the middle of a pipeline: SQLAlchemy's error with the database's own
    code (the push's deadlock retry reads it), nothing of the transaction kept, and the same
    pooled connection writing again after it."""
    add = Bulk(insert(scratch))
    with table.begin() as conn:
        add.run(conn, rows(2, "old"))
    with pytest.raises(IntegrityError) as refused, table.begin() as conn:
        bulk_module.write(conn, [(add, rows(3, "new")), (add, rows(1, "old")), (add, rows(2, "x"))])
    if table.dialect.name == "postgresql":
        assert refused.value.orig.sqlstate == "23505" and pipelines == [3]
    with table.begin() as conn:
        assert stored(conn, "new") == [] and stored(conn, "x") == []
        bulk_module.write(conn, [(add, rows(3, "new")), (add, rows(2, "x"))])
    with table.connect() as conn:
        assert len(stored(conn, "new")) == 3 and len(stored(conn, "x")) == 2


def test_the_commit_goes_with_the_writes_when_asked(table: Any, pipelines: list[int]) -> None:
    """On PostgreSQL the transaction commits in the writes' own pipeline: the rows are there
    for everyone once ``write`` returns, and the caller's commit has nothing left to do.
    SQLite leaves the commit to the caller."""
    add = Bulk(insert(scratch))
    postgres = table.dialect.name == "postgresql"
    with table.connect() as conn, table.connect().execution_options(read_only=True) as other:
        with conn.begin():
            committed = bulk_module.write(conn, [(add, rows(3, "early"))], commit=True)
            assert committed == postgres
            assert len(stored(other, "early")) == (3 if postgres else 0)
            other.rollback()
        assert len(stored(other, "early")) == 3
    assert pipelines == ([1] if postgres else [])


def test_a_refusal_at_the_commit_with_the_writes_keeps_nothing(table: Any) -> None:
    """A constraint checked only at the commit (deferred) refuses it in the pipeline: as
    SQLAlchemy's error with the database's code, nothing kept, the connection usable."""
    if table.dialect.name != "postgresql":
        pytest.skip("SQLite defers nothing to the commit here")
    with table.begin() as conn:
        conn.execute(
            text(
                "ALTER TABLE bulk_scratch ADD CONSTRAINT one_n UNIQUE (n) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        )
    add = Bulk(insert(scratch))
    twice = [*rows(2, "late"), rows(1, "again")[0]]  # the same n as the first row
    with table.connect() as conn:
        with pytest.raises(IntegrityError) as refused, conn.begin():
            bulk_module.write(conn, [(add, twice[:2]), (add, twice[2:])], commit=True)
        assert refused.value.orig.sqlstate == "23505"
        with conn.begin():
            assert stored(conn, "late") == [] and stored(conn, "again") == []
            assert bulk_module.write(conn, [(add, twice[:2])], commit=True)
        assert len(stored(conn, "late")) == 2
