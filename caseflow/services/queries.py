"""Read-side helpers shared by the case and work-order services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from caseflow.domain.workflow import WorkflowDefinition
from caseflow.persistence.models import (
    AuditEvent,
    Case,
    CaseFact,
    Team,
    Ticket,
    User,
    WorkflowVersion,
)
from caseflow.services.app import App
from caseflow.services.views import EventView, TicketView

OPEN_STATUSES = ("open", "in_progress")


def ticket_is_open() -> Any:
    """``ticket.status IN ('open', 'in_progress')`` with the values written into the SQL.

    The partial indexes on open work orders carry exactly this condition; SQLite
    uses such an index only when the query's condition is literally the same, so a
    bound parameter would turn "my 50 open orders" into a scan of every order
    (26 ms at 100,000 orders, growing with the table).
    """
    return Ticket.status.in_(  # type: ignore[attr-defined]
        sa.bindparam("open_statuses", list(OPEN_STATUSES), expanding=True,
                     literal_execute=True))


def ticket_rows(session: Session, *where: Any, order: Sequence[Any] = (), limit: int | None = None,
                ) -> list[TicketView]:
    """Work orders with their case name, team code and assignee login, as views."""
    assignee = aliased(User)
    query = (
        select(Ticket, Case.name, Team.code, assignee.login)
        .join(Case, Case.id == Ticket.case_id)
        .join(Team, Team.id == Ticket.team_id, isouter=True)
        .join(assignee, assignee.id == Ticket.assignee_id, isouter=True)
        .where(*where)
        .order_by(*(order or (Ticket.due_at, Ticket.id)))
    )
    if limit:
        query = query.limit(limit)
    return [ticket_view(t, case_name, team, login)
            for t, case_name, team, login in session.exec(query).all()]


def ticket_view(ticket: Ticket, case_name: str, team: str | None, assignee: str | None,
                history: list[EventView] | None = None) -> TicketView:
    assert ticket.id is not None
    return TicketView(
        id=ticket.id, case_id=ticket.case_id, case_name=case_name, title=ticket.title,
        title_zh=ticket.title_zh, status=ticket.status, assignee=assignee, team=team,
        due_at=ticket.due_at, opened_at=ticket.opened_at, started_at=ticket.started_at,
        closed_at=ticket.closed_at, level=ticket.level, required=ticket.required,
        stage=ticket.stage, template_key=ticket.template_key, due_rule=ticket.due_rule,
        close_note=ticket.close_note, version=ticket.version, history=history or [],
    )


def events(session: Session, *where: Any) -> list[EventView]:
    rows = session.exec(select(AuditEvent).where(*where).order_by(AuditEvent.at, AuditEvent.id))
    return [EventView(id=e.id or 0, at=e.at, actor=e.actor, action=e.action, note=e.note,
                      before=e.before, after=e.after, ticket_id=e.ticket_id) for e in rows]


def live_facts(session: Session, case_id: int) -> frozenset[str]:
    rows = session.exec(select(CaseFact.fact).where(
        CaseFact.case_id == case_id, CaseFact.retracted_at.is_(None)))  # type: ignore[union-attr]
    return frozenset(rows)


def team_ids(session: Session, codes: Iterable[str | None]) -> dict[str, int]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = session.exec(select(Team.code, Team.id).where(Team.code.in_(wanted)))  # type: ignore[attr-defined]
    return {code: tid for code, tid in rows if tid is not None}


def definition_for(app: App, session: Session, workflow_version_id: int) -> WorkflowDefinition:
    """The definition a case started with, parsed once per process."""
    cache: dict[int, WorkflowDefinition] = app.__dict__.setdefault("_definitions_by_id", {})
    definition = cache.get(workflow_version_id)
    if definition is None:
        row = session.get(WorkflowVersion, workflow_version_id)
        assert row is not None, "case references a missing workflow version"
        definition = cache[workflow_version_id] = app.workflows.from_source(row.source, row.name)
    return definition


def register_workflow(app: App, session: Session, name: str) -> tuple[int, WorkflowDefinition]:
    """The stored version of the current definition of ``name``, registering it if new."""
    definition = app.workflows.get(name)
    found = session.exec(select(WorkflowVersion.id).where(
        WorkflowVersion.name == name, WorkflowVersion.digest == definition.digest)).first()
    if found is not None:
        return found, definition
    row = WorkflowVersion(name=name, version=definition.version, digest=definition.digest,
                          source=definition.source, registered_at=app.clock.now())
    try:
        with session.begin_nested():
            session.add(row)
    except sa.exc.IntegrityError:  # registered by a concurrent process a moment ago
        found = session.exec(select(WorkflowVersion.id).where(
            WorkflowVersion.name == name, WorkflowVersion.digest == definition.digest)).one()
        return found, definition
    assert row.id is not None
    return row.id, definition
