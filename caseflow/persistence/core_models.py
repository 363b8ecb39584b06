"""Core tables that read like their ORM models, for read paths moved off the ORM.

``Case.stage`` is the ``enterprise_case.stage`` column and ``select_from(Case)`` /
``join(Case, ...)`` name the table (SQLAlchemy accepts any object with
``__clause_element__``), so a query written against the models runs unchanged on a
Core connection, without importing the ORM (a quarter of a second per command).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from caseflow.persistence import tables


class CoreModel:
    def __init__(self, table: sa.Table) -> None:
        self.__table__ = table

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__table__.c[name]
        except KeyError:
            raise AttributeError(f"{self.__table__.name} has no column {name!r}") from None

    def __clause_element__(self) -> sa.Table:
        return self.__table__


AuditEvent: Any = CoreModel(tables.audit_event)
Case: Any = CoreModel(tables.enterprise_case)
ClearListEntry: Any = CoreModel(tables.clear_list_entry)
Project: Any = CoreModel(tables.project)
Team: Any = CoreModel(tables.team)
Ticket: Any = CoreModel(tables.ticket)
User: Any = CoreModel(tables.app_user)
