"""A push's writes on the driver's cursor (``bulk.Bulk``) store exactly what SQLAlchemy's own
insert stores, on SQLite and on PostgreSQL (where many rows go in by ``COPY``): every row and
value, text with tabs, newlines, backslashes and quotes, NULLs, JSON (a JSON ``null`` apart
from SQL's NULL), and a driver's error comes out as SQLAlchemy's with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, Column, MetaData, String, Table, insert, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError

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


@pytest.mark.parametrize("n", [1, Bulk.COPY_FROM - 1, Bulk.COPY_FROM, 250])
def test_rows_are_stored_as_sqlalchemys_insert_stores_them(table: Any, n: int) -> None:
    bulk = Bulk(insert(scratch))
    with table.begin() as conn:
        bulk.run(conn, rows(n, "bulk"))
        conn.execute(insert(scratch), rows(n, "sqlalchemy"))
        mine, theirs = stored(conn, "bulk"), stored(conn, "sqlalchemy")
    assert len(mine) == n and mine == theirs
    (compiled,) = bulk._compiled.values()
    if table.dialect.name == "postgresql":  # many rows by COPY
        assert compiled.copy is not None and compiled.copy.startswith("COPY bulk_scratch (")


def test_a_rejected_insert_writes_nothing_and_raises_sqlalchemys_error(table: Any) -> None:
    bulk = Bulk(insert(scratch))
    with table.begin() as conn:
        bulk.run(conn, rows(5, "o1"))
    for n in (3, 40):  # one by one, and by COPY
        with pytest.raises(IntegrityError), table.begin() as conn:
            bulk.run(conn, rows(30, "o2"))
            bulk.run(conn, rows(n, "o1"))  # the first five taken
        with table.connect() as conn:
            assert len(stored(conn, "o1")) == 5 and stored(conn, "o2") == []
