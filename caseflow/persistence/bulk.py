"""Fast bulk inserts: primary keys allocated ahead, rows sent in one executemany.

Multi-row ``INSERT ... RETURNING`` cannot promise row order on SQLite, so SQLAlchemy
falls back to one statement per row when the ids must match the rows. Allocating the
ids first keeps bulk inserts to a handful of statements: on PostgreSQL from the
table's sequence, on SQLite from MAX(id) while our write transaction holds the lock.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    if count <= 0:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        rows: Any = session.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        ).scalars()
        return sorted(int(r) for r in rows)
    # SQLite: BEGIN IMMEDIATE (see persistence.db) means no other writer can interleave.
    top: Any = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))


_COMPILED: dict[tuple[str, tuple[str, ...], str], Any] = {}


def bulk_insert(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows with one driver-level executemany.

    SQLAlchemy's per-row parameter processing costs more than SQLite's own insert for
    batches of tens of thousands of rows; here each column's bind processor (UTC
    datetimes, JSON) is looked up once and applied directly. All rows must have the
    same keys.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    cache_key = (table.name, tuple(keys), dialect.name)
    compiled = _COMPILED.get(cache_key)
    if compiled is None:
        compiled = _COMPILED[cache_key] = table.insert().compile(dialect=dialect, column_keys=keys)
    processors = {
        key: _memoized(table.c[key].type._cached_bind_processor(dialect))  # noqa: SLF001
        for key in keys
    }
    if compiled.positional:
        order = compiled.positiontup or []
        steps = [(processors[name], name) for name in order]
        params: list[Any] = [
            tuple(proc(row[name]) if proc else row[name] for proc, name in steps)
            for row in rows
        ]
    else:
        params = [
            {key: (proc(row[key]) if (proc := processors[key]) else row[key]) for key in keys}
            for row in rows
        ]
    connection.exec_driver_sql(compiled.string, params)


def _memoized(proc: Any) -> Any:
    """Batches repeat the same timestamps (``now``, a few deadlines) thousands of times:
    convert each distinct hashable value once."""
    if proc is None:
        return None
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None or isinstance(value, dict | list):
            return proc(value)
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = proc(value)
            return result

    return convert
