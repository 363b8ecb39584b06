"""Audit events: who, when, what, why, in the transaction of the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from caseflow.persistence.models import AuditEvent, Case, Ticket


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    case: Case | None = None,
    ticket: Ticket | None = None,
    entry_id: int | None = None,
    project_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add one event; the caller's commit makes it durable together with the change."""
    entity = "entry" if entry_id else "ticket" if ticket else "case" if case else "other"
    event = AuditEvent(
        at=at, actor=actor, action=action, entity=entity,
        case_id=case.id if case else (ticket.case_id if ticket else None),
        ticket_id=ticket.id if ticket else None,
        entry_id=entry_id,
        team_id=ticket.team_id if ticket else (case.team_id if case else None),
        project_id=project_id if project_id is not None else (case.project_id if case else None),
        before=before, after=after, note=note,
    )
    session.add(event)
    return event
