"""Reading cases on SQLAlchemy Core: ``case show`` and ``case list``.

The ORM costs a quarter of a second to import, more than the whole query of a case
with its orders and history; a person looking a case up should not wait for it. The
write paths (``cases.py``) build their views here too, from their ORM objects (the
view reads only attributes), so a case looks the same whichever path showed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from caseflow.errors import InvalidInput, NotFound
from caseflow.persistence import tables
from caseflow.services.app import App
from caseflow.services.queries import definition_for, events, live_facts, ticket_rows
from caseflow.services.views import CaseView

CHUNK = 500  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class CasePage:
    """One page of a list of cases: the cases shown, how many match, where it starts."""

    cases: list[CaseView]
    total: int
    offset: int

    @property
    def more(self) -> int:
        return max(0, self.total - self.offset - len(self.cases))


def code_of(app: App, executor: Any, table: sa.Table, row_id: int) -> str:
    """The code of a team or project by id, remembered per process: codes never change
    (there is no rename), and an advance should not pay two queries to show them."""
    cache: dict[tuple[str, int], str] = app.__dict__.setdefault("_codes_by_id", {})
    key = (table.name, row_id)
    if key not in cache:
        cache[key] = executor.execute(sa.select(table.c.code).where(table.c.id == row_id)
                                      ).scalar_one()
    return cache[key]


def case_view(app: App, executor: Any, case: Any, *, with_history: bool,
              facts: frozenset[str] | None = None) -> CaseView:
    """A case (Core row or ORM object) as a view; with its orders and history when
    ``with_history``."""
    assert case.id is not None
    project_code = code_of(app, executor, tables.project, case.project_id)
    definition = definition_for(app, executor, case.workflow_version_id)
    lifecycle = app.workflows.lifecycle(definition)
    stage = definition.stage(case.stage)
    team = None
    if case.team_id is not None:
        team = code_of(app, executor, tables.team, case.team_id)
    return CaseView(
        id=case.id, project=project_code, name=case.name,
        credit_code=case.credit_code, area_mu=case.area_mu, stage=case.stage,
        stage_label_en=stage.label_en, stage_label_zh=stage.label_zh, status=case.status,
        team=team, workflow=definition.name, workflow_version=definition.version,
        held_from=case.held_from,
        facts=sorted(live_facts(executor, case.id) if facts is None else facts),
        created_at=case.created_at, stage_entered_at=case.stage_entered_at,
        owner=case.owner, address=case.address, contact=case.contact,
        allowed_triggers=lifecycle.allowed_triggers(case.stage),
        tickets=ticket_rows(executor, tables.ticket.c.case_id == case.id,
                            order=(tables.ticket.c.opened_at, tables.ticket.c.id))
        if with_history else [],
        history=events(executor, tables.audit_event.c.case_id == case.id)
        if with_history else [],
    )


def show_case(app: App, case_id: int, *, with_history: bool = True) -> CaseView:
    c = tables.enterprise_case
    with app.transaction(readonly=True) as tx:
        row = tx.conn.execute(sa.select(c).where(c.c.id == case_id)).first()
        if row is None:
            raise NotFound("no case #{id}", id=case_id, hint="see `caseflow case list`")
        return case_view(app, tx.conn, row, with_history=with_history)


def page_cases(app: App, project: str | None = None, stage: str | None = None,
               status: str | None = None, *, limit: int | None = None,
               offset: int = 0) -> CasePage:
    """Cases by id, ``limit`` of them from ``offset`` (counted and cut in SQL)."""
    if limit is not None and limit < 0 or offset < 0:
        raise InvalidInput("--limit and --offset count from 0")
    c = tables.enterprise_case
    with app.transaction(readonly=True) as tx:
        conn = tx.conn
        where: list[Any] = []
        if project:
            p = tables.project
            project_id = conn.execute(sa.select(p.c.id).where(p.c.code == project)).scalar()
            if project_id is None:
                raise NotFound("no project with code “{code}”", code=project,
                               hint="see `caseflow project list`")
            where.append(c.c.project_id == project_id)
        if stage:
            where.append(c.c.stage == stage)
        if status:
            where.append(c.c.status == status)
        total = int(conn.execute(sa.select(sa.func.count()).select_from(c).where(*where))
                    .scalar() or 0)
        query = sa.select(c).where(*where).order_by(c.c.id).offset(offset or None)
        if limit is not None:
            query = query.limit(limit)
        rows = conn.execute(query).all()
        facts = _facts_of(conn, [r.id for r in rows])
        views = [case_view(app, conn, r, with_history=False, facts=facts.get(r.id, frozenset()))
                 for r in rows]
    return CasePage(views, total, offset)


def _facts_of(conn: Any, case_ids: list[int]) -> dict[int, frozenset[str]]:
    """The live facts of a page of cases, 500 ids per query (a bounded parameter list
    however long the page)."""
    f = tables.case_fact
    found: dict[int, set[str]] = {}
    for start in range(0, len(case_ids), CHUNK):
        for case_id, fact in conn.execute(sa.select(f.c.case_id, f.c.fact).where(
                f.c.case_id.in_(case_ids[start:start + CHUNK]), f.c.retracted_at.is_(None))):
            found.setdefault(case_id, set()).add(fact)
    return {k: frozenset(v) for k, v in found.items()}
