"""Many rows through one statement on the database driver's own cursor (``executemany``).

A push writes every row it made or changed with one statement a table. SQLAlchemy's
``executemany`` turns each row into the driver's parameters generically (it looks up every
bound parameter, every type and every extracted value again), which cost a fifth of a
100-mutation push on the server (``docs/benchmarks.md``). Here the statement is compiled once
for the database, with the columns the rows carry; each row becomes the driver's parameters
through its columns' own conversions (the types' bind processors), nothing more. A driver's
error comes out as SQLAlchemy's (``DBAPIError``), as from ``Connection.execute``: a push's
deadlock retry sees it. On PostgreSQL a push's reads (:func:`read`) and writes (:func:`write`)
go on libpq's own pipeline (:class:`_Raw`): a few round trips a push instead of one a
statement.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import select
import weakref
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, NoReturn, cast

from sqlalchemy import Connection, event
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Convert = Callable[[Any], Any] | None


_KEPT = "wfh_server.bulk.cursor"  # the key of the kept cursor in the pooled connection's info


def _cursor(conn: Connection) -> Any:
    """The driver's cursor of ``conn``'s connection, one kept with it for these statements:
    making one (and SQLAlchemy's wrapper of it) for each statement cost about a fifteenth of
    a push's CPU on PostgreSQL. A cursor of a connection since replaced is not used."""
    fairy = conn.connection
    raw = fairy.dbapi_connection
    kept = fairy.info.get(_KEPT)
    if kept is not None and kept[0] is raw:
        return kept[1]
    cursor = fairy.cursor()
    fairy.info[_KEPT] = (raw, cursor)
    return cursor


def _kept_cursor(conn: Connection) -> Any:
    """The cursor kept with ``conn``'s connection, or None: for an error's handling, which
    must not make one (the connection may be lost)."""
    kept = conn.connection.info.get(_KEPT)
    return kept[1] if kept is not None else None


def _failed(conn: Connection, e: Exception, sql: str, params: Any, cursor: Any) -> NoReturn:
    """A driver's error, handled as SQLAlchemy handles one of its own statements: raised as
    SQLAlchemy's (``DBAPIError``, which PostgreSQL's deadlock retry reads), and a lost
    connection invalidated with its whole pool (a database restart fails one request, not one
    per pooled connection). SQLAlchemy closes the cursor: the next statement makes another."""
    conn.connection.info.pop(_KEPT, None)
    conn._handle_dbapi_exception(e, sql, params, cursor, None)


class Bulk:
    """One statement, compiled per database and per shape of row (its keys, in order).

    On PostgreSQL a plain insert of many rows goes in by ``COPY … FROM STDIN``: the driver's
    ``executemany`` (one pipelined execution a row) cost about 17 µs of the server's CPU a row
    in its own Python code, over a quarter of a backlog push's (``docs/benchmarks.md``);
    ``COPY`` writes the rows in the driver's C code and PostgreSQL takes them in one command.
    A few rows, or an upsert (``ON CONFLICT``, which ``COPY`` cannot do), run one by one."""

    # Below this many rows COPY's extra round trip costs more than it saves (measured).
    COPY_FROM = 20

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str, tuple[str, ...]], _Compiled] = {}

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """The statement for every row (all of one shape, as an insert of many rows must be),
        on ``conn``'s transaction."""
        if not rows:
            return
        found = self._compiled_for(conn, rows)
        copy = found.copy if len(rows) >= self.COPY_FROM else None
        sql, cursor = found.sql if copy is None else copy, _cursor(conn)
        params: list[Any] = []
        try:
            if copy is None:
                params = found.params(rows)
                cursor.executemany(sql, params)
            else:
                params = found.values(rows)
                with cursor.copy(copy) as out:
                    for row in params:
                        out.write_row(row)
        except conn.dialect.loaded_dbapi.Error as e:
            _failed(conn, e, sql, params[:1], cursor)

    def copies(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> bool:
        """Whether these rows go in by ``COPY``."""
        return len(rows) >= self.COPY_FROM and self._compiled_for(conn, rows).copy is not None

    def _compiled_for(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> _Compiled:
        keys = tuple(rows[0])
        dialect = conn.dialect
        key = (dialect.name, dialect.driver, keys)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(self.statement, conn, keys)
        return found


Step = tuple[Bulk, Sequence[Mapping[str, Any]]]


def write(conn: Connection, steps: Sequence[Step], commit: bool = False) -> bool:
    """Several statements' rows, in their order, on ``conn``'s transaction. On PostgreSQL the
    statements between two ``COPY``s go together in one pipeline: sent one after another and
    answered at one sync, a round trip for them all instead of one each. A push's five writes
    cost the server about a seventh of its CPU on their round trips (``docs/benchmarks.md``).
    ``COPY`` cannot run in a pipeline: it goes on its own. The pipeline is libpq's own
    (:class:`_Raw`), or psycopg's with a libpq older than 17. Elsewhere (SQLite), one
    statement after another.

    ``commit``: the transaction may be committed with the last statements, a round trip
    fewer; whether it was (on libpq's own pipeline only; otherwise it is left to the caller,
    whose commit then finds nothing left to do if it was)."""
    together: list[Step] = []
    for statement, rows in ((statement, rows) for statement, rows in steps if rows):
        if statement.copies(conn, rows):
            _pipelined(conn, together)
            together = []
            statement.run(conn, rows)
        else:
            together.append((statement, rows))
    return _pipelined(conn, together, commit)


def _pipelined(conn: Connection, steps: list[Step], commit: bool = False) -> bool:
    raw_pipeline = bool(steps) and (len(steps) > 1 or commit) and _raw_pipelines(conn)
    if not raw_pipeline and (len(steps) < 2 or not _pipelines(conn)):
        for statement, rows in steps:  # one executemany makes its own pipeline
            statement.run(conn, rows)
        return False
    try:
        if raw_pipeline:
            forms = [statement._compiled_for(conn, rows) for statement, rows in steps]
            sends = [
                (f.raw(), f.raw_values(rows)) for f, (_, rows) in zip(forms, steps, strict=True)
            ]
            _Raw.of(conn).run(sends, commit=commit)
            return commit
        raw = cast(Any, conn.connection.dbapi_connection)
        with raw.pipeline():
            for statement, rows in steps:
                statement.run(conn, rows)
    except conn.dialect.loaded_dbapi.Error as e:  # a refusal known only at the sync
        sql = "; ".join(statement._compiled_for(conn, rows).sql for statement, rows in steps)
        _failed(conn, e, sql, None, _kept_cursor(conn))
    return False


def _pipelines(conn: Connection) -> bool:
    """Whether the driver's connection has pipelines: psycopg's, with libpq 14 or later (the
    binary wheel brings its own); psycopg's ``executemany`` does without them otherwise."""
    if conn.dialect.driver != "psycopg":
        return False
    import psycopg

    return psycopg.Pipeline.is_supported()


class _Compiled:
    def __init__(self, statement: ClauseElement, conn: Connection, keys: tuple[str, ...]) -> None:
        dialect = conn.dialect
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(keys)))
        self.sql = compiled.string
        unknown = compiled.binds.keys() - set(keys)
        if unknown:  # a column the rows leave out, which SQLAlchemy would fill by its default
            raise ValueError(f"rows without {sorted(unknown)} for {self.sql[:60]!r}")
        converts: dict[str, Convert] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        # A named parameter of a positional driver ("?") or of a named one (%(name)s).
        self.order: list[str] | None = list(compiled.positiontup or ()) or None
        names = self.order or list(converts)
        # PostgreSQL: the same insert by COPY, its columns in the order the insert names them.
        self.copy: str | None = None
        if dialect.name == "postgresql" and self.order is None:
            found = _copy(self.sql, set(converts))
            if found is not None:
                self.copy, names = found
        self.names = names
        # A row's values in the statement's order by one C call; the few columns with a
        # conversion (JSON, a decimal) converted after. Most columns have none.
        self.get: Callable[[Mapping[str, Any]], Any] = (
            itemgetter(*names) if len(names) > 1 else lambda r: (r[names[0]],)
        )
        self.converts = [(i, c) for i, name in enumerate(names) if (c := converts.get(name))]
        self._raw: _RawForm | None = None
        self._raw_order: list[int] | None = None  # [] when the same as ``names``

    def raw(self) -> _RawForm:
        """The statement as libpq takes it (:func:`_raw_form`)."""
        if self._raw is None:
            self._raw = _raw_form(self.sql)
        return self._raw

    def values(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Each row's values in :attr:`names`' order, converted for the driver."""
        get, converts = self.get, self.converts
        values: list[Any] = [get(r) for r in rows]
        if converts:
            for n, v in enumerate(values):
                v = values[n] = list(v)
                for i, c in converts:
                    v[i] = c(v[i])
        return values

    def raw_values(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Each row's values in the order of :meth:`raw`'s parameters."""
        values = self.values(rows)
        if self._raw_order is None:
            order = self.raw()[2]
            self._raw_order = [] if order == self.names else [self.names.index(n) for n in order]
        at = self._raw_order
        return [[v[i] for i in at] for v in values] if at else values

    def params(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The driver's parameters for each row: by position, or by name."""
        values = self.values(rows)
        if self.order is not None:
            return values
        names = self.names
        return [dict(zip(names, v, strict=True)) for v in values]


# A named parameter (%(name)s, as the named drivers take them) with its optional cast:
# %(start_at)s::BIGINT, %(note)s::VARCHAR(200). findall gives the names.
_PLACE = re.compile(r"%\((\w+)\)s(?:::\w+(?: \w+)*(?:\(\d+(?:, ?\d+)?\))?)?")


def _copy(sql: str, binds: set[str]) -> tuple[str, list[str]] | None:
    """A PostgreSQL insert of one row, ``INSERT INTO t (a, b) VALUES (%(a)s::VARCHAR, %(b)s)``,
    as ``COPY t (a, b) FROM STDIN`` and its parameters' names in the columns' order; None for
    anything else (an upsert, a value worked out in SQL, a parameter bound twice)."""
    found = re.fullmatch(r"INSERT INTO (.+ \(.+\)) VALUES (\((?:[^()]|\([^()]*\))*\))", sql)
    if found is None or "%" in found[1]:  # a name with "%" is written "%%" for the driver
        return None
    places = _PLACE.findall(found[2])
    others = _PLACE.sub("", found[2]).strip("(), ")  # anything but parameters: SQL's own
    if others or len(set(places)) != len(places) or set(places) != binds:
        return None
    return f"COPY {found[1]} FROM STDIN", places


class Query:
    """A statement with named parameters (lists for ``IN``), run on the driver's own cursor,
    its rows as dicts or tuples: a push's dozen reads went through SQLAlchemy's ``execute``,
    which cost about a sixth of a push's CPU under load (``docs/benchmarks.md``), most of it
    with SQLite's one write lock held. Compiled once per database and per length of each
    list; each column's value converted as SQLAlchemy would (its type's result processor:
    JSON text read back on SQLite). Statements whose parameters need a conversion, and lists
    that are empty, go through ``Connection.execute`` instead."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[Any, ...], _Read | None] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return dicts(self._run(conn, params))

    def tuples(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return self._run(conn, params)[1]

    def _read(self, conn: Connection, params: Mapping[str, Any]) -> _Read | None:
        """The statement compiled for these parameters; None: SQLAlchemy's own path."""
        dialect = conn.dialect
        lengths = tuple(len(v) if isinstance(v, list | tuple) else -1 for v in params.values())
        key = (dialect.name, dialect.driver, tuple(params), lengths)
        if key not in self._compiled:
            self._compiled[key] = None if 0 in lengths else _Read.of(self.statement, conn, params)
        return self._compiled[key]

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> Rows:
        found = self._read(conn, params)
        if found is None:
            result = conn.execute(cast(Any, self.statement), dict(params))
            return list(result.keys()), [tuple(row) for row in result]
        flat = found.constants | _flat(params)  # constants: the statement's own ("x + 0")
        args: Any = [flat[name] for name in found.order] if found.order is not None else flat
        sql, cursor = found.sql, _cursor(conn)
        try:
            hooks = conn.dispatch.before_cursor_execute
            if hooks:  # a listener (a test looking at the statements' plans) sees it too
                for hook in hooks:
                    sql, args = hook(conn, cursor, sql, args, None, False)
            cursor.execute(sql, args)
            values = cast(list[tuple[Any, ...]], cursor.fetchall())  # a SELECT: it has rows
            converts = found.converts
            if converts is None:  # the driver's description is built anew at each call
                converts = found.conversions(conn.dialect, cursor.description)
        except conn.dialect.loaded_dbapi.Error as e:
            _failed(conn, e, sql, args, cursor)
        return found.names, _converted(values, converts)


Rows = tuple[list[str], list[tuple[Any, ...]]]  # the columns' names, and the rows' values
Read = tuple[Query, Mapping[str, Any]]


def dicts(rows: Rows) -> list[dict[str, Any]]:
    names, values = rows
    return [dict(zip(names, row, strict=True)) for row in values]


def _converted(values: list[tuple[Any, ...]], converts: list[tuple[int, Any]]) -> list[Any]:
    if not converts or not values:
        return values
    out = []
    for row in values:
        changed = list(row)
        for i, convert in converts:
            changed[i] = convert(changed[i])
        out.append(tuple(changed))
    return out


def read(conn: Connection, reads: Sequence[Read]) -> list[Rows]:
    """Several reads on ``conn``'s transaction, in their order, each one's rows as
    :meth:`Query.tuples` gives them with their columns' names. On PostgreSQL they go together
    in one pipeline, with the transaction's ``BEGIN`` when it has not begun: one round trip
    for them all. A round trip cost a push about 60 µs of the server's CPU and as much of
    PostgreSQL's, in waking each side (``docs/decisions.md``). Elsewhere, and for a read
    SQLAlchemy runs itself, one after another."""
    found = [query._read(conn, params) for query, params in reads]
    compiled = [f for f in found if f is not None]
    if len(reads) < 2 or len(compiled) < len(found) or not _raw_pipelines(conn):
        return [query._run(conn, params) for query, params in reads]
    items = [
        (f, f.constants | _flat(params)) for f, (_, params) in zip(compiled, reads, strict=True)
    ]
    try:
        results = _Raw.of(conn).read(items, conn.dialect)
    except conn.dialect.loaded_dbapi.Error as e:
        _failed(conn, e, "; ".join(f.sql for f in compiled), None, _kept_cursor(conn))
    return results


def _raw_pipelines(conn: Connection) -> bool:
    """Whether statements may go on libpq's own pipeline: psycopg's connection with libpq 17
    or later (the binary wheel brings its own), in SQLAlchemy's transaction (not autocommit),
    its text in UTF-8 (the parameters are sent so), with no listener to tell."""
    if not _pipelines(conn) or conn.dispatch.before_cursor_execute:
        return False
    from psycopg import pq

    if pq.version() < 170000:  # no Close of a prepared statement (PQsendClosePrepared)
        return False
    raw = cast(Any, conn.connection.dbapi_connection)
    return conn.in_transaction() and not raw.autocommit and raw.info.encoding == "utf-8"


def _begin(raw: Any) -> bytes:
    """The ``BEGIN`` psycopg would send on this connection (SQLAlchemy sets its isolation
    level: ``BEGIN ISOLATION LEVEL READ COMMITTED``)."""
    from psycopg import IsolationLevel

    parts = ["BEGIN"]
    if raw.isolation_level is not None:
        parts.append(
            f"ISOLATION LEVEL {IsolationLevel(raw.isolation_level).name.replace('_', ' ')}"
        )
    if raw.read_only is not None:
        parts.append("READ ONLY" if raw.read_only else "READ WRITE")
    if raw.deferrable is not None:
        parts.append("DEFERRABLE" if raw.deferrable else "NOT DEFERRABLE")
    return " ".join(parts).encode()


# A prepared statement not there (deallocated some way not seen, ``DEALLOCATE ALL``): the
# transaction fails, its rollback forgets the connection's statements, and the next one
# prepares them again. A push tries once more.
GONE = "26000"
# The statements prepared on one connection at most: one for each length of a list of ids
# (a push's sessions, its users) could otherwise fill PostgreSQL's memory, a plan each.
PREPARED_MAX = 200
_RAW = "wfh_server.bulk.raw"  # the pooled connection's _Raw: its prepared statements
_NAMES = itertools.count(1)
# This process's own prefix: a statement of another worker's of the same name (PgBouncer
# without max_prepared_statements hands connections around) is then not there, not run.
_PREFIX = b"wfh_%s_" % os.urandom(4).hex().encode()


class _Raw:
    """Statements sent on libpq's pipeline (``psycopg.pq``), below psycopg's cursors: each
    prepared once a connection, its parameters sent as text (the SQL casts each), a read's
    rows loaded by the connection's own loaders (psycopg's ``Transformer``), as a cursor
    would load them. psycopg's own pipeline and ``executemany`` cost a push's writes about
    0.3 ms more of the server's CPU, in Python (``docs/decisions.md``)."""

    def __init__(self, raw: Any) -> None:
        from psycopg.adapt import Transformer

        self.raw, self.pgconn = raw, raw.pgconn
        self.prepared: set[bytes] = set()  # known to be there
        self.made: set[bytes] = set()  # ever prepared: there unless deallocated since
        self.loader = Transformer(raw)

    def forget(self) -> None:
        """The prepared statements may have been deallocated: each is prepared again."""
        self.prepared.clear()

    @classmethod
    def of(cls, conn: Connection) -> _Raw:
        fairy = conn.connection
        raw = fairy.dbapi_connection
        kept = fairy.info.get(_RAW)
        if kept is None or kept.raw is not raw:  # a connection since replaced starts afresh
            _forget_on_rollback(conn.engine)
            kept = fairy.info[_RAW] = cls(raw)
        return cast(_Raw, kept)

    def read(self, items: list[tuple[_Read, dict[str, Any]]], dialect: Any) -> list[Rows]:
        sends = []
        for read_, args in items:
            form = read_.raw()
            sends.append((form, [[args[n] for n in form[2]]]))
        results = self.run(sends)
        return [
            self._rows(read_, found[0], dialect)
            for (read_, _), found in zip(items, results, strict=True)
        ]

    def run(
        self, sends: Sequence[tuple[_RawForm, Sequence[Sequence[Any]]]], commit: bool = False
    ) -> list[list[Any]]:
        """Each statement for each of its parameters (in its order of $1, $2...), in order,
        on one pipeline (with the transaction's ``BEGIN`` if it has not begun, and its
        ``COMMIT`` after them if ``commit``); each one's results. The parameters are dumped
        as text by the connection's own dumpers, in C, as psycopg dumps them (NUL refused,
        JSON as its text)."""
        from psycopg import pq

        pgconn = self.pgconn
        expected: list[Any] = []  # what each result answers: None, a name prepared, or a send
        dump = self.loader.dump_sequence
        texts = [[dump(values, _formats(len(values))) for values in many] for _, many in sends]
        made = self.made
        pgconn.enter_pipeline_mode()
        try:
            if pgconn.transaction_status == pq.TransactionStatus.IDLE:
                pgconn.send_query_params(_begin(self.raw), None)
                expected.append(None)
            for i, (((name, sql, _), _rows), params) in enumerate(zip(sends, texts, strict=True)):
                if name in made or len(made) < PREPARED_MAX:
                    if name not in self.prepared:  # one of that name may be left: closed first
                        pgconn.send_close_prepared(name)  # (closing none is no error)
                        pgconn.send_prepare(name, sql)
                        expected += [None, name]
                        made.add(name)
                    for values in params:
                        pgconn.send_query_prepared(name, values)
                        expected.append(i)
                else:  # enough kept on this connection: parsed each time
                    for values in params:
                        pgconn.send_query_params(sql, values)
                        expected.append(i)
            if commit:
                pgconn.send_query_params(b"COMMIT", None)
                expected.append(None)
            pgconn.pipeline_sync()
            results = _answers(pgconn)
            pgconn.exit_pipeline_mode()
        except BaseException:
            # Lost, or its results not all read: the connection is closed, and SQLAlchemy
            # drops it (and its pool) as it does a lost one.
            with contextlib.suppress(Exception):
                self.raw.close()
            raise
        out: list[list[Any]] = [[] for _ in sends]
        for what, result in zip(expected, results, strict=True):
            if result.status == pq.ExecStatus.FATAL_ERROR:
                raise _error(result, self.raw)
            if isinstance(what, bytes):
                self.prepared.add(what)
            elif what is not None:
                out[what].append(result)
        return out

    def _rows(self, read_: _Read, result: Any, dialect: Any) -> Rows:
        loader = self.loader
        loader.set_pgresult(result)
        values = loader.load_rows(0, result.ntuples, tuple)
        converts = read_.converts
        if converts is None:
            types = [(None, result.ftype(i)) for i in range(result.nfields)]
            converts = read_.conversions(dialect, types)
        return read_.names, _converted(values, converts)


_RawForm = tuple[bytes, bytes, list[str]]
_FORMATS: dict[int, list[Any]] = {}


def _formats(n: int) -> list[Any]:
    """n parameters, each in text (the SQL casts each one)."""
    found = _FORMATS.get(n)
    if found is None:
        from psycopg.adapt import PyFormat

        found = _FORMATS[n] = [PyFormat.TEXT] * n
    return found


def _raw_form(sql: str) -> _RawForm:
    """A statement with named parameters (psycopg's) as libpq takes it: a name to prepare it
    by, its SQL with $1, $2... and the parameters' names in that order."""
    order: list[str] = []

    def place(m: re.Match[str]) -> str:
        if m[0] == "%%":  # a literal "%", as the driver takes it
            return "%"
        if m[1] not in order:
            order.append(m[1])
        return f"${order.index(m[1]) + 1}"

    text = re.sub(r"%%|%\((\w+)\)s", place, sql)
    return _PREFIX + b"%d" % next(_NAMES), text.encode(), order


_WATCHED: weakref.WeakSet[Any] = weakref.WeakSet()


def _forget_on_rollback(engine: Any) -> None:
    """psycopg's rollback deallocates every prepared statement of the connection (``DEALLOCATE
    ALL``, when it has prepared some of its own: the rollback may have undone what they refer
    to), these ones too: a connection's rollback, or its reset when back in the pool, forgets
    them, to be prepared again (closing first one that may be left). They still count towards
    :data:`PREPARED_MAX`, as they may still be there."""
    if engine in _WATCHED:
        return
    from psycopg.pq import TransactionStatus

    IDLE = TransactionStatus.IDLE

    def forget(conn: Connection) -> None:
        with contextlib.suppress(Exception):  # an invalidated connection: replaced anyway
            forget_reset(conn.connection.dbapi_connection, conn.connection, None)

    def forget_reset(raw: Any, record: Any, _state: Any) -> None:
        # SQLAlchemy resets every connection back in the pool: psycopg's rollback does
        # nothing to one whose transaction has ended (committed).
        kept = record.info.get(_RAW)
        if kept is not None and raw.info.transaction_status != IDLE:
            kept.forget()

    def forget_savepoint(conn: Connection, _name: Any, _context: Any) -> None:
        forget(conn)  # psycopg reads "ROLLBACK" (TO SAVEPOINT) as a rollback too

    event.listen(engine, "rollback", forget)
    event.listen(engine, "rollback_savepoint", forget_savepoint)
    event.listen(engine.pool, "reset", forget_reset)
    _WATCHED.add(engine)


def _answers(pgconn: Any) -> list[Any]:
    """Every result up to the pipeline's sync, in order (one a statement sent): sent in full,
    then read as they come, the GIL let go while waiting."""
    from psycopg import OperationalError, pq

    sock = pgconn.socket
    while pgconn.flush():  # not all sent: wait until the socket takes more, or answers
        _wait(sock, write=True)
        pgconn.consume_input()
    results: list[Any] = []
    ended = False  # the last result was the end of a statement's
    while True:
        while pgconn.is_busy():
            _wait(sock, write=False)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:  # the end of one statement's results
            if ended:  # twice: nothing more will come (libpq lost the connection)
                raise OperationalError("the connection to PostgreSQL was lost mid-pipeline")
            ended = True
            continue
        ended = False
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)


def _wait(sock: int, write: bool) -> None:
    """Until the socket can be read (or written, or read: a server answering before taking
    everything); the GIL let go meanwhile."""
    if hasattr(select, "poll"):
        poll = select.poll()
        poll.register(sock, select.POLLIN | (select.POLLOUT if write else 0))
        poll.poll()
    else:  # Windows
        select.select([sock], [sock] if write else [], [])


def _error(result: Any, raw: Any) -> Exception:
    """The database's refusal as psycopg raises it (its class by SQLSTATE: a deadlock's
    retry reads it)."""
    from psycopg import errors, pq

    state = (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
    try:
        cls = errors.lookup(state)
    except KeyError:
        cls = errors.DatabaseError
    message = result.error_message.decode(errors="replace").strip()
    return cast(Exception, cls(message, info=result, encoding=raw.info.encoding))


def _flat(params: Mapping[str, Any]) -> dict[str, Any]:
    """The values by the names the compiled SQL binds them: a list's items as name_1, name_2..."""
    flat: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, list | tuple):
            flat.update((f"{name}_{n}", v) for n, v in enumerate(value, 1))
        else:
            flat[name] = value
    return flat


class _Read:
    def __init__(
        self,
        sql: str,
        order: list[str] | None,
        constants: dict[str, Any],
        names: list[str],
        types: list[Any],
    ) -> None:
        self.sql, self.order, self.constants = sql, order, constants
        self.names, self.types = names, types
        # Each column's conversion, known once the driver has said what type it sends.
        self.converts: list[tuple[int, Callable[[Any], Any]]] | None = None
        self._raw: _RawForm | None = None

    def raw(self) -> _RawForm:
        if self._raw is None:
            assert self.order is None, "positional parameters: not a psycopg statement"
            self._raw = _raw_form(self.sql)
        return self._raw

    def conversions(self, dialect: Any, description: Any) -> list[tuple[int, Callable[[Any], Any]]]:
        if self.converts is None:
            self.converts = [
                (i, process)
                for i, (impl, column) in enumerate(zip(self.types, description, strict=True))
                if (process := impl.result_processor(dialect, column[1]))
            ]
        return self.converts

    @classmethod
    def of(
        cls, statement: ClauseElement, conn: Connection, params: Mapping[str, Any]
    ) -> _Read | None:
        dialect = conn.dialect
        bound = cast(Any, statement).params(dict(params))
        compiled = cast(
            SQLCompiler,
            bound.compile(dialect=dialect, compile_kwargs={"render_postcompile": True}),
        )
        for bind in compiled.binds.values():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                return None  # a value to convert (JSON, a decimal): SQLAlchemy's own path
        flat = _flat(params)
        expanded = flat.keys() - params.keys()
        left = {name: bind for name, bind in compiled.binds.items() if name not in params}
        constants = {name: bind.effective_value for name, bind in left.items()}
        if constants.keys() & expanded or any(bind.required for bind in left.values()):
            return None  # a name taken twice, or a value missing: SQLAlchemy's own path
        columns = list(getattr(statement, "selected_columns", ()))
        if not columns:
            return None  # no columns known beforehand (text): SQLAlchemy's own path
        names = [str(c.key) for c in columns]
        order = list(compiled.positiontup) if compiled.positiontup is not None else None
        # Every name the SQL binds must be one this class gives a value: a list's items named
        # otherwise than name_1, name_2... (a clash renamed by the compiler, a list of tuples)
        # go through SQLAlchemy's own path.
        given = flat.keys() | constants.keys()
        bound = order if order is not None else _PLACE.findall(compiled.string)
        if not set(bound) <= given:
            return None
        types = [c.type.dialect_impl(dialect) for c in columns]
        return cls(compiled.string, order, constants, names, types)
