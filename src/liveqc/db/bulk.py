"""Many rows in one statement with one JSON parameter, for hot paths that write in bulk.

An executemany, or SQLAlchemy's multi-row VALUES, costs per row on the client: each row's
parameters are bound one by one, and a multi-row VALUES statement has different text for every
row count, so neither SQLAlchemy nor the driver can reuse its parsed form, and PostgreSQL
parses it anew every time. Here the rows travel as one JSON array of arrays (serialised in C)
and the statement text never changes: SQLite reads the rows with ``json_each``, PostgreSQL with
``json_array_elements``; both are prepared once and reused.

Values are first converted as the column's type would bind them (enums to their value, UTC
datetimes to what each backend stores), so the rows read back exactly as rows written through
the ORM.

:class:`Batch` sends several statements at once: on PostgreSQL in one round trip (psycopg's
pipeline mode), which matters when the database shares the machine with a busy writer and every
round trip waits to be scheduled twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, String, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

Converter = Callable[[Any], Any] | None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} in a bulk statement")


def _dumps(rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _cast_type(column_type: TypeEngine[Any], dialect: Dialect) -> str:
    """What PostgreSQL casts a JSON value to: text for strings, so that a value too long for
    its column is refused on INSERT (a cast to VARCHAR(n) would cut it silently)."""
    base = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    return "text" if isinstance(base, String) else column_type.compile(dialect)


class _Compiled:
    """The statement text and the column converters of one statement for one dialect."""

    def __init__(self, sql: str, converters: list[Converter]) -> None:
        self.sql = sql
        self.converters = converters

    def parameters(self, rows: Sequence[Sequence[Any]]) -> dict[str, str]:
        converters = self.converters
        if any(converters):
            rows = [
                [
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)
                ]
                for row in rows
            ]
        return {"rows": _dumps(rows)}


class _JsonRows:
    """Shared by the statements: how a dialect reads column ``n`` of each JSON row."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        unknown = [name for name in columns if name not in table.c]
        if unknown:
            raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
        self.table = table
        self.columns = list(columns)
        self._compiled: dict[str, _Compiled] = {}

    def _quote(self, dialect: Dialect, name: str) -> str:
        return dialect.identifier_preparer.quote(name)

    def _source(self, dialect: Dialect) -> tuple[str, list[str]]:
        """The FROM clause over the JSON rows and the expression for each column."""
        if dialect.name == "postgresql":
            source = "json_array_elements(CAST(%(rows)s AS json)) AS bulk_row"
            values = [
                f"CAST(bulk_row->>{n} AS {_cast_type(self.table.c[name].type, dialect)})"
                for n, name in enumerate(self.columns)
            ]
        elif dialect.name == "sqlite":
            source = "json_each(:rows) AS bulk_row"  # sqlite3 takes named parameters too
            values = [f"json_extract(bulk_row.value, '$[{n}]')" for n in range(len(self.columns))]
        else:
            raise NotImplementedError(f"bulk statements are not written for {dialect.name}")
        return source, values

    def _build(self, dialect: Dialect) -> str:
        raise NotImplementedError

    def _converters(self, dialect: Dialect) -> list[Converter]:
        return [
            self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.columns
        ]

    def statement(self, dialect: Dialect, rows: Sequence[Sequence[Any]]) -> tuple[str, Any]:
        """The SQL and the driver parameters that write ``rows``, for :class:`Batch`."""
        compiled = self.compiled(dialect)
        return compiled.sql, compiled.parameters(rows)

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = _Compiled(self._build(dialect), self._converters(dialect))
            self._compiled[dialect.name] = found
        return found


class BulkInsert(_JsonRows):
    """``INSERT INTO table (columns) SELECT … FROM <the JSON rows> [RETURNING …]``.

    RETURNING rows come back in no promised order: match them to the input by what they say.
    """

    def __init__(self, table: Table, columns: Sequence[str], returning: Sequence[str] = ()) -> None:
        super().__init__(table, columns)
        unknown = [name for name in returning if name not in table.c]
        if unknown:
            raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
        self.returning = list(returning)

    def _build(self, dialect: Dialect) -> str:
        source, values = self._source(dialect)
        quote = self._quote
        sql = (
            f"INSERT INTO {quote(dialect, self.table.name)} "
            f"({', '.join(quote(dialect, name) for name in self.columns)}) "
            f"SELECT {', '.join(values)} FROM {source}"
        )
        if self.returning:
            sql += f" RETURNING {', '.join(quote(dialect, name) for name in self.returning)}"
        return sql

    def execute(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Insert ``rows`` (values in column order); the RETURNING rows, if any."""
        if not rows:
            return []
        compiled = self.compiled(connection.dialect)
        result = connection.exec_driver_sql(compiled.sql, compiled.parameters(rows))
        return list(result) if self.returning else []


class BulkUpdate(_JsonRows):
    """``UPDATE table SET columns … FROM <the JSON rows> WHERE key matches``: each row is the
    key's value followed by the new values, in column order."""

    def __init__(self, table: Table, key: str, columns: Sequence[str]) -> None:
        super().__init__(table, [key, *columns])

    def _build(self, dialect: Dialect) -> str:
        source, values = self._source(dialect)
        quote = self._quote
        name = quote(dialect, self.table.name)
        key, *columns = self.columns
        assignments = ", ".join(
            f"{quote(dialect, column)} = {value}"
            for column, value in zip(columns, values[1:], strict=True)
        )
        return (
            f"UPDATE {name} SET {assignments} FROM {source} "
            f"WHERE {name}.{quote(dialect, key)} = {values[0]}"
        )

    def execute(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
        """Update one table row per input row; returns how many rows were updated."""
        if not rows:
            return 0
        compiled = self.compiled(connection.dialect)
        return connection.exec_driver_sql(compiled.sql, compiled.parameters(rows)).rowcount


class Batch:
    """Statements sent together and answered together: on PostgreSQL in one round trip
    (psycopg's pipeline mode; the server still runs them in order, in the transaction), on
    SQLite one after another, as there is no round trip to save (and so on a PostgreSQL driver
    without pipeline mode).

    Statements are SQL for the connection's driver (``%(name)s`` for psycopg, ``:name`` for
    sqlite3) and run on its DB-API connection, so SQLAlchemy neither processes their rows (they
    come back as the driver gives them) nor sees them in its events. An error in any statement
    fails the batch and leaves the transaction for the caller to roll back.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._statements: list[tuple[str, Any]] = []

    def add(self, sql: str, parameters: Any = None) -> int:
        """Queue a statement; returns its index in :meth:`run`'s answer."""
        self._statements.append((sql, parameters))
        return len(self._statements) - 1

    def run(self) -> list[list[tuple[Any, ...]]]:
        """Run the queued statements; the rows of each (empty for those that return none)."""
        if not self._statements:
            return []
        driver = self.connection.connection.driver_connection
        if driver is None:
            raise RuntimeError("the connection is closed")
        statements, self._statements = self._statements, []
        if self.connection.dialect.name != "postgresql" or not _has_pipelines(driver):
            return [
                self._rows(driver.execute(sql, parameters or ())) for sql, parameters in statements
            ]
        cursors = []
        try:
            with driver.pipeline():
                for sql, parameters in statements:
                    cursor = driver.cursor()
                    cursors.append(cursor)
                    cursor.execute(sql, parameters)
            return [self._rows(cursor) for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()

    @staticmethod
    def _rows(cursor: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def _has_pipelines(driver: Any) -> bool:
    """psycopg's pipeline mode is there (it needs libpq 14 or later; psycopg[binary] bundles
    a newer one); without it the statements run one after another."""
    try:
        from psycopg import Pipeline
    except ImportError:
        return False
    return hasattr(driver, "pipeline") and bool(Pipeline.is_supported())


def result_converters(table: Table, columns: Sequence[str], dialect: Dialect) -> list[Converter]:
    """What turns each column's driver value into the value SQLAlchemy would return (for rows
    read by a :class:`Batch`): enums from their value, UTC datetimes from SQLite's text."""
    return [
        table.c[name].type.dialect_impl(dialect).result_processor(dialect, None) for name in columns
    ]
