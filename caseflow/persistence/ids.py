"""Allocating primary keys ahead of a bulk insert.

Multi-row ``INSERT ... RETURNING`` cannot promise row order on SQLite, so SQLAlchemy
falls back to one statement per row when the ids must match the rows. Allocating the
ids first keeps bulk inserts to a handful of statements: on PostgreSQL from the
table's sequence, on SQLite from MAX(id) while our write transaction holds the lock.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    if count <= 0:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        rows = session.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        ).scalars()
        return sorted(int(r) for r in rows)
    # SQLite: BEGIN IMMEDIATE (see persistence.db) means no other writer can interleave.
    top = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))
