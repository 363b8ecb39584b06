"""Read-side helpers shared by the services, on SQLAlchemy Core.

They take anything that executes statements (an ORM session or a Core connection),
so ORM use cases and the fast Core ones read work orders the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from caseflow.persistence import tables as t
from caseflow.services.views import EventView, TicketView

if TYPE_CHECKING:
    from caseflow.domain.workflow import WorkflowDefinition
    from caseflow.services.app import App

OPEN_STATUSES = ("open", "in_progress")
Executor = Any  # sqlmodel Session or sqlalchemy Connection: both have .execute()


def ticket_is_open(status: Any = None) -> Any:
    """``ticket.status IN ('open', 'in_progress')`` with the values written into the SQL.

    ``status`` is the column to test: the Core table's by default, or the ORM model's
    (``Ticket.status``) in a query over the model, so each query names one table.

    The partial indexes on open work orders carry exactly this condition; SQLite
    uses such an index only when the query's condition is literally the same, so a
    bound parameter would turn "my 50 open orders" into a scan of every order
    (26 ms at 100,000 orders, growing with the table).
    """
    column = t.ticket.c.status if status is None else status
    return column.in_(sa.bindparam("open_statuses", list(OPEN_STATUSES), expanding=True,
                                   literal_execute=True))


_ASSIGNEE = t.app_user.alias("assignee")
_TICKET_QUERY = (
    sa.select(t.ticket, t.enterprise_case.c.name.label("case_name"),
              t.team.c.code.label("team_code"), _ASSIGNEE.c.login.label("assignee_login"))
    .join(t.enterprise_case, t.enterprise_case.c.id == t.ticket.c.case_id)
    .join(t.team, t.team.c.id == t.ticket.c.team_id, isouter=True)
    .join(_ASSIGNEE, _ASSIGNEE.c.id == t.ticket.c.assignee_id, isouter=True)
)


def ticket_rows(executor: Executor, *where: Any, order: Sequence[Any] = (),
                limit: int | None = None, offset: int = 0) -> list[TicketView]:
    """Work orders with their case name, team code and assignee login, as views."""
    query = _TICKET_QUERY.where(*where).order_by(*(order or (t.ticket.c.due_at, t.ticket.c.id)))
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [ticket_view(row, row.case_name, row.team_code, row.assignee_login)
            for row in executor.execute(query)]


def ticket_view(ticket: Any, case_name: str, team: str | None, assignee: str | None,
                history: list[EventView] | None = None) -> TicketView:
    """A view of a ticket row (Core row, ORM object or anything with its attributes)."""
    return TicketView(
        id=ticket.id, case_id=ticket.case_id, case_name=case_name, title=ticket.title,
        title_zh=ticket.title_zh, status=ticket.status, assignee=assignee, team=team,
        due_at=ticket.due_at, opened_at=ticket.opened_at, started_at=ticket.started_at,
        closed_at=ticket.closed_at, level=ticket.level, required=ticket.required,
        stage=ticket.stage, template_key=ticket.template_key, due_rule=ticket.due_rule,
        close_note=ticket.close_note, version=ticket.version, history=history or [],
    )


def events(executor: Executor, *where: Any) -> list[EventView]:
    e = t.audit_event
    rows = executor.execute(sa.select(e).where(*where).order_by(e.c.at, e.c.id))
    return [EventView(id=r.id, at=r.at, actor=r.actor, action=r.action, note=r.note,
                      before=r.before, after=r.after, ticket_id=r.ticket_id) for r in rows]


def live_facts(executor: Executor, case_id: int) -> frozenset[str]:
    f = t.case_fact
    rows = executor.execute(sa.select(f.c.fact).where(f.c.case_id == case_id,
                                                      f.c.retracted_at.is_(None)))
    return frozenset(rows.scalars())


def team_ids(executor: Executor, codes: Iterable[str | None]) -> dict[str, int]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = executor.execute(sa.select(t.team.c.code, t.team.c.id)
                            .where(t.team.c.code.in_(wanted)))
    return {code: tid for code, tid in rows}


def definition_for(app: App, executor: Executor, workflow_version_id: int) -> WorkflowDefinition:
    """The definition a case started with, parsed once per process."""
    cache: dict[int, WorkflowDefinition] = app.__dict__.setdefault("_definitions_by_id", {})
    definition = cache.get(workflow_version_id)
    if definition is None:
        w = t.workflow_version
        row = executor.execute(sa.select(w.c.name, w.c.source)
                               .where(w.c.id == workflow_version_id)).first()
        assert row is not None, "case references a missing workflow version"
        definition = cache[workflow_version_id] = app.workflows.from_source(row.source, row.name)
    return definition


def register_workflow(app: App, executor: Executor, name: str) -> tuple[int, WorkflowDefinition]:
    """The stored version of the current definition of ``name``, registering it if new."""
    definition = app.workflows.get(name)
    w = t.workflow_version
    find = sa.select(w.c.id).where(w.c.name == name, w.c.digest == definition.digest)
    found = executor.execute(find).scalar()
    if found is not None:
        return found, definition
    try:
        with executor.begin_nested():
            new_id = executor.execute(w.insert().values(
                name=name, version=definition.version, digest=definition.digest,
                source=definition.source, registered_at=app.clock.now(),
            ).returning(w.c.id)).scalar_one()
    except sa.exc.IntegrityError:  # registered by a concurrent process a moment ago
        return executor.execute(find).scalar_one(), definition
    return new_id, definition
