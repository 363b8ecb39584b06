"""Unit of work: one use case, one transaction.

Services open a ``UnitOfWork``, do their reads and writes (including the audit
event) through ``uow.session`` and call ``commit()``; leaving the block without
committing rolls everything back, so a refused request leaves the database as it was.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from caseflow.persistence.db import is_sqlite
from caseflow.persistence.transaction import stale


class UnitOfWork:
    def __init__(self, engine: Engine, *, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False, autoflush=False)
        if self.readonly and is_sqlite(self.engine):
            self.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, StaleDataError):
            raise stale() from None

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise stale() from None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"
