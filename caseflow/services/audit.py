"""Audit events: who, when, what, why, in the transaction of the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caseflow.persistence import tables as t
from caseflow.services.permissions import Actor


def record(
    executor: Any,
    *,
    at: datetime,
    actor: Actor | str,
    action: str,
    case: Any = None,
    ticket: Any = None,
    entry_id: int | None = None,
    project_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Insert one event through ``executor`` (an ORM session or a Core connection);
    the caller's commit makes it durable together with the change.

    ``case`` and ``ticket`` are rows or ORM objects already flushed (their ids known);
    the team and project are copied so past reports can be rebuilt from events alone.
    ``actor`` is the acting ``Actor`` (its login, token and address are recorded), or a
    bare name for the unattended processes.
    """
    came = actor.came if isinstance(actor, Actor) else {}
    login = actor.login if isinstance(actor, Actor) else actor
    entity = "entry" if entry_id else "ticket" if ticket is not None else \
        "case" if case is not None else "other"
    executor.execute(t.audit_event.insert().values(
        at=at, actor=login, action=action, entity=entity, **came,
        case_id=case.id if case is not None else (ticket.case_id if ticket is not None else None),
        ticket_id=ticket.id if ticket is not None else None,
        entry_id=entry_id,
        team_id=ticket.team_id if ticket is not None else (
            case.team_id if case is not None else None),
        project_id=project_id if project_id is not None else (
            case.project_id if case is not None else None),
        before=before, after=after, note=note,
    ))
