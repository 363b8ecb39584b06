"""A Core transaction for the hot paths, and optimistic updates on it.

``UnitOfWork`` (uow.py) wraps an ORM session; this is its lightweight twin for the
services that must answer a person in well under half a second and so cannot load
the ORM: the same BEGIN IMMEDIATE / DEFERRED rules, the same one-transaction-per-use-
case contract, and row versions checked in the UPDATE itself.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from caseflow.errors import Conflict


def stale() -> Conflict:
    return Conflict("somebody else changed this record at the same moment; nothing was saved",
                    hint="look at it again and retry")


class Transaction:
    def __init__(self, engine: Engine, *, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        self.conn: Connection

    def __enter__(self) -> Transaction:
        self.conn = self.engine.connect()
        if self.readonly and self.engine.dialect.name == "sqlite":
            self.conn.execution_options(sqlite_begin="DEFERRED")
        self.conn.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()

    def commit(self) -> None:
        self.conn.commit()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


def update_versioned(conn: Connection | Any, table: sa.Table, row: Any, **values: Any) -> int:
    """UPDATE one row only if it still has the version we read; return the new version.

    Of two people changing the same row at the same moment, the second finds no row
    with the version it read and gets ``Conflict`` instead of overwriting the first.
    """
    version = row.version + 1
    result = conn.execute(
        table.update()
        .where(table.c.id == row.id, table.c.version == row.version)
        .values(**values, version=version)
    )
    if result.rowcount != 1:
        raise stale()
    return version
