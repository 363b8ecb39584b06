"""The composition root: what every service needs, built once per process.

Adapters (CLI, scheduler, demo, tests) build an ``App`` and pass it to service
functions; nothing below reaches for globals, the wall clock or the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from caseflow.clock import Clock, SystemClock
from caseflow.config import Settings, load_settings
from caseflow.domain.calendar import WorkCalendar, parse_overrides
from caseflow.persistence.db import make_engine
from caseflow.persistence.transaction import Transaction

if TYPE_CHECKING:
    from caseflow.persistence.uow import UnitOfWork
    from caseflow.persistence.workflow_files import WorkflowCatalog


@dataclass
class App:
    engine: Engine
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    @cached_property
    def workflows(self) -> WorkflowCatalog:
        from caseflow.persistence.workflow_files import WorkflowCatalog

        return WorkflowCatalog(self.settings.workflow_dirs)

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        """An ORM unit of work (SQLModel session): most use cases."""
        from caseflow.persistence.uow import UnitOfWork  # the ORM: ~0.25 s to import

        return UnitOfWork(self.engine, readonly=readonly)

    def transaction(self, *, readonly: bool = False) -> Transaction:
        """A Core transaction: the use cases a person waits on many times a day."""
        return Transaction(self.engine, readonly=readonly)

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, clock: Clock | None = None,
        database_url: str | None = None, create_database: bool = True,
    ) -> App:
        """``create_database=False``: a missing SQLite file is refused, not created."""
        settings = settings or load_settings()
        if database_url:
            settings.database_url = database_url
        overrides = {}
        if settings.holidays_file is not None and settings.holidays_file.is_file():
            overrides = parse_overrides(
                settings.holidays_file.read_text(encoding="utf-8"), str(settings.holidays_file)
            )
        return cls(
            engine=make_engine(settings.database_url, create=create_database,
                               **settings.database_timeouts()),
            settings=settings,
            clock=clock or SystemClock(),
            calendar=WorkCalendar(overrides=overrides),
        )
