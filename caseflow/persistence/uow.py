"""The unit of work: one use case, one transaction.

A service opens one (``app.uow()``, or ``app.transaction()`` for the hot paths — the
same class), reads and writes through it — a Core connection (``uow.conn``) or an
ORM session (``uow.session``) — writes its audit events in it and calls
``commit()``; leaving the block without committing rolls everything back, so a
refused request leaves the database as it was.

Nothing is opened until it is used: the use cases a person waits on many times a day
touch only ``conn`` and never import the ORM (a quarter of a second), the others get a
session that owns the transaction. Read-only units on SQLite begin DEFERRED, so they
never take the write lock; row versions are checked in the UPDATE itself
(``update_versioned``) or by the ORM's version column, and a lost race is ``Conflict``.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from caseflow.errors import Conflict

if TYPE_CHECKING:
    from sqlmodel import Session


def stale() -> Conflict:
    return Conflict("somebody else changed this record at the same moment; nothing was saved",
                    hint="look at it again and retry")


def _is_stale(exc: BaseException | None) -> bool:
    return exc is not None and type(exc).__name__ == "StaleDataError"


class UnitOfWork:
    def __init__(self, engine: Engine, *, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        self._conn: Connection | None = None
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        return self

    @property
    def _sqlite_deferred(self) -> bool:
        return self.readonly and self.engine.dialect.name == "sqlite"

    @property
    def conn(self) -> Connection:
        """The transaction's connection (the session's, when a session was opened first)."""
        if self._session is not None:
            return self._session.connection()
        if self._conn is None:
            self._conn = self.engine.connect()
            if self._sqlite_deferred:
                self._conn.execution_options(sqlite_begin="DEFERRED")
            self._conn.begin()
        return self._conn

    @property
    def session(self) -> Session:
        """An ORM session in this transaction (imports the ORM on first use)."""
        if self._session is None:
            from sqlmodel import Session

            if self._conn is not None:  # Core first: the session joins that transaction
                self._session = Session(bind=self._conn, expire_on_commit=False,
                                        autoflush=False, join_transaction_mode="rollback_only")
            else:
                self._session = Session(self.engine, expire_on_commit=False, autoflush=False)
                if self._sqlite_deferred:
                    self._session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        return self._session

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._session is not None:
                try:
                    self._session.rollback()
                finally:
                    self._session.close()
            if self._conn is not None:
                try:
                    if self._conn.in_transaction():
                        self._conn.rollback()
                finally:
                    self._conn.close()
        finally:
            self._session = None
            self._conn = None
        if _is_stale(exc):
            raise stale() from None

    def commit(self) -> None:
        try:
            if self._session is not None:
                if self._conn is None:
                    self._session.commit()
                    return
                self._session.flush()
            if self._conn is not None:
                self._conn.commit()
        except Exception as exc:
            if not _is_stale(exc):
                raise
            if self._session is not None:
                self._session.rollback()
            raise stale() from None

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
