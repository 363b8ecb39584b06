"""What every service needs — engine, settings, clock, calendar, alert channels — built
once per process by the composition root (``caseflow.bootstrap``).

Adapters get their ``App`` from ``caseflow.bootstrap`` (tests may build one bare) and
pass it to service functions; nothing below reaches for globals, the wall clock or
the environment, and nothing here imports an adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from caseflow.clock import Clock, SystemClock
from caseflow.config import Settings, load_settings
from caseflow.domain.calendar import WorkCalendar, parse_overrides
from caseflow.persistence.db import make_engine
from caseflow.persistence.uow import UnitOfWork

if TYPE_CHECKING:
    from caseflow.persistence.workflow_files import WorkflowCatalog
    from caseflow.services.ports import Channel


@dataclass
class App:
    engine: Engine
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    # set by the composition root (``caseflow.bootstrap``): builds the alert channels
    channel_factory: Callable[[App], list[Channel]] | None = None

    def channels(self) -> list[Channel]:
        """The alert channels the composition root wired (none for a bare App: a test
        hands its channels to the dispatcher itself)."""
        return self.channel_factory(self) if self.channel_factory is not None else []

    @cached_property
    def workflows(self) -> WorkflowCatalog:
        from caseflow.persistence.workflow_files import WorkflowCatalog

        return WorkflowCatalog(self.settings.workflow_dirs)

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        """The unit of work of one use case (its ORM session is opened on first use)."""
        return UnitOfWork(self.engine, readonly=readonly)

    def transaction(self, *, readonly: bool = False) -> UnitOfWork:
        """The same unit of work, for the use cases a person waits on many times a day:
        they use only its Core connection (``.conn``) and never load the ORM."""
        return UnitOfWork(self.engine, readonly=readonly)

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
