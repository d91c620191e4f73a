"""Many rows through one statement on the database driver's own cursor (``executemany``).

A push writes every row it made or changed with one statement a table. SQLAlchemy's
``executemany`` turns each row into the driver's parameters generically (it looks up every
bound parameter, every type and every extracted value again), which cost a fifth of a
100-mutation push on the server (``docs/benchmarks.md``). Here the statement is compiled once
for the database, with the columns the rows carry; each row becomes the driver's parameters
through its columns' own conversions (the types' bind processors), nothing more. A driver's
error comes out as SQLAlchemy's (``DBAPIError``), as from ``Connection.execute``: a push's
deadlock retry sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Convert = Callable[[Any], Any] | None


class Bulk:
    """One statement, compiled per database and per shape of row (its keys, in order)."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str, tuple[str, ...]], _Compiled] = {}

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """The statement once for each row (all of one shape, as an insert of many rows must
        be), on ``conn``'s transaction."""
        if not rows:
            return
        keys = tuple(rows[0])
        dialect = conn.dialect
        key = (dialect.name, dialect.driver, keys)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(self.statement, conn, keys)
        params = found.params(rows)
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(found.sql, params)
        except dialect.loaded_dbapi.Error as e:
            raise DBAPIError.instance(
                found.sql, params[:1], e, dialect.loaded_dbapi.Error, dialect=dialect
            ) from e
        finally:
            cursor.close()


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
        self.names = names
        # A row's values in the statement's order by one C call; the few columns with a
        # conversion (JSON, a decimal) converted after. Most columns have none.
        self.get: Callable[[Mapping[str, Any]], Any] = (
            itemgetter(*names) if len(names) > 1 else lambda r: (r[names[0]],)
        )
        self.converts = [(i, c) for i, name in enumerate(names) if (c := converts.get(name))]

    def params(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        get, converts = self.get, self.converts
        values: list[Any] = [get(r) for r in rows]
        if converts:
            for n, v in enumerate(values):
                v = values[n] = list(v)
                for i, c in converts:
                    v[i] = c(v[i])
        if self.order is not None:
            return values
        names = self.names
        return [dict(zip(names, v, strict=True)) for v in values]
