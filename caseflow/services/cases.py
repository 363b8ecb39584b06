"""Enterprise cases and their lifecycle.

Creating a case opens its first stage's work orders; every transition opens the
next stage's, in the same transaction as the move and its audit events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from caseflow.domain import values, work_order
from caseflow.domain.credit_code import normalize_credit_code
from caseflow.domain.lifecycle import CaseState, Lifecycle, Move, OpenOrder
from caseflow.domain.workflow import Stage, WorkflowDefinition
from caseflow.errors import InvalidInput, NotFound, OrdersLeftOpen, Refused
from caseflow.persistence import tables
from caseflow.persistence.bulk import allocate_ids, bulk_insert
from caseflow.persistence.models import AuditEvent, Case, Project, Team, Ticket
from caseflow.persistence.transaction import stale
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.case_reads import case_view as _case_view
from caseflow.services.case_reads import code_of as _code_of
from caseflow.services.case_reads import page_cases, show_case
from caseflow.services.permissions import Actor, require_case_manager, require_role
from caseflow.services.projects import project_by_code
from caseflow.services.queries import (
    definition_for,
    live_facts,
    register_workflow,
    team_ids,
    ticket_is_open,
    ticket_view,
)
from caseflow.services.views import CaseView, TicketView

BATCH = 500  # rows per IN (...) probe; well under SQLite's variable limit


@dataclass(frozen=True)
class NewCase:
    name: str
    credit_code: str | None = None
    area_mu: float | None = None
    team: str | None = None
    owner: str | None = None
    address: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Advanced:
    """What a transition did: the case after it, orders opened and orders cancelled."""

    case: CaseView
    trigger: str
    source: str
    opened: list[TicketView] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)


def _clean(new: NewCase) -> NewCase:
    name = new.name.strip() if new.name else ""
    if not name:
        raise InvalidInput("a case needs the enterprise name")
    name = values.text(name, "enterprise name", limit="name") or name
    code = normalize_credit_code(new.credit_code) if new.credit_code else None
    return NewCase(name=name, credit_code=code, area_mu=values.area_mu(new.area_mu),
                   team=new.team or None,
                   owner=values.optional_text(new.owner, "owner", limit="owner"),
                   address=values.optional_text(new.address, "address", limit="address"),
                   contact=values.optional_text(new.contact, "contact", limit="contact"))


def add_case(app: App, actor: Actor, project: str, new: NewCase) -> CaseView:
    ids = add_cases(app, actor, project, [new])
    return show_case(app, ids[0], with_history=False)


def add_cases(app: App, actor: Actor, project: str, rows: Sequence[NewCase],
              note: str | None = None) -> list[int]:
    """Create cases with their first-stage work orders in one transaction.

    Bulk inserts keep this at thousands of cases per second, which a city-wide
    import needs; either every row is stored or none is.
    """
    require_role(actor, "lead", doing="add cases")
    cleaned = [_clean(row) for row in rows]
    with app.uow() as uow:
        session = uow.session
        proj = project_by_code(session, project)
        codes = [r.credit_code for r in cleaned if r.credit_code]
        _refuse_duplicate_codes(session, proj, codes)
        teams = team_ids(session, [r.team for r in cleaned])
        unknown = sorted({r.team for r in cleaned if r.team and r.team not in teams})
        if unknown:
            raise NotFound(f"no team with code {unknown[0]!r}", hint="see `caseflow team list`")
        if actor.role == "lead" and any(r.team and teams[r.team] != actor.team_id for r in cleaned):
            raise Refused(f"{actor.login} may add cases only for their own team")
        version_id, definition = register_workflow(app, session, proj.workflow)
        stage = definition.stage(definition.initial)
        now = app.clock.now()
        default_team = actor.team_id if actor.role == "lead" else None
        case_table = Case.__table__  # type: ignore[attr-defined]
        case_ids = allocate_ids(session, case_table, len(cleaned))
        bulk_insert(
            session, case_table,
            [{
                "id": cid, "project_id": proj.id, "workflow_version_id": version_id, "name": r.name,
                "credit_code": r.credit_code, "area_mu": r.area_mu,
                "team_id": teams[r.team] if r.team else default_team,
                "owner": r.owner, "address": r.address, "contact": r.contact,
                "stage": stage.name, "status": "active", "held_from": None,
                "stage_entered_at": now, "created_at": now, "updated_at": now, "version": 1,
            } for cid, r in zip(case_ids, cleaned, strict=True)],
        )
        case_events = [{
            "at": now, "actor": actor.login, "action": "case.open", "entity": "case",
            "case_id": cid, "team_id": teams[r.team] if r.team else default_team,
            "project_id": proj.id, "after": {"name": r.name, "credit_code": r.credit_code,
                                             "area_mu": r.area_mu, "stage": stage.name},
            "note": note,
        } for cid, r in zip(case_ids, cleaned, strict=True)]
        bulk_insert(session, AuditEvent.__table__, case_events)  # type: ignore[attr-defined]
        case_teams = [e["team_id"] for e in case_events]
        _open_stage_orders_bulk(app, session, actor, stage, proj.id or 0,
                                list(zip(case_ids, case_teams, strict=True)), now)
        uow.commit()
    return case_ids


@dataclass(frozen=True)
class ImportContext:
    """What checking an import file needs to know about the target project."""

    project: str
    existing_codes: frozenset[str]
    team_codes: frozenset[str]


def import_context(app: App, actor: Actor, project: str) -> ImportContext:
    """Refuse early (before a file is read) who may not add cases; return the
    project's credit codes and the known team codes for checking every row."""
    require_role(actor, "lead", doing="add cases")
    with app.uow(readonly=True) as uow:
        session = uow.session
        proj = project_by_code(session, project)
        codes = session.exec(select(Case.credit_code).where(
            Case.project_id == proj.id, Case.credit_code.is_not(None))).all()  # type: ignore[union-attr]
        teams = session.exec(select(Team.code)).all()
        return ImportContext(project=proj.code, existing_codes=frozenset(c for c in codes if c),
                             team_codes=frozenset(teams))


def _refuse_duplicate_codes(session: Session, project: Project, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise Refused(f"credit code {code} appears twice in this request")
        seen.add(code)
    for start in range(0, len(codes), BATCH):
        chunk = codes[start:start + BATCH]
        clash = session.exec(select(Case.credit_code, Case.id).where(
            Case.project_id == project.id, Case.credit_code.in_(chunk))).first()  # type: ignore[union-attr]
        if clash:
            raise Refused(f"credit code {clash[0]} already belongs to case #{clash[1]} "
                          f"in project {project.code}")


def _open_stage_orders_bulk(
    app: App, session: Session, actor: Actor, stage: Stage, project_id: int,
    cases: list[tuple[int, int | None]], now: datetime,
) -> list[dict[str, Any]]:
    """Open ``stage``'s templates for each (case id, case team) with their deadlines;
    returns the inserted rows (with ids)."""
    if not stage.templates or not cases:
        return []
    template_teams = team_ids(session, [t.team for t in stage.templates])
    due = {t.key: app.calendar.deadline(now, t.due.amount, t.due.working) for t in stage.templates}
    rows = []
    for case_id, case_team in cases:
        for t in stage.templates:
            rows.append({
                "case_id": case_id, "stage": stage.name, "template_key": t.key,
                "title": t.title_en, "title_zh": t.title_zh, "required": t.required,
                "records": t.records, "team_id": template_teams.get(t.team or "", case_team),
                "assignee_id": None, "status": "open", "due_rule": str(t.due),
                "due_at": due[t.key], "opened_at": now, "level": 0, "version": 1,
            })
    ticket_table = Ticket.__table__  # type: ignore[attr-defined]
    ticket_ids = allocate_ids(session, ticket_table, len(rows))
    for tid, row in zip(ticket_ids, rows, strict=True):
        row["id"] = tid
    bulk_insert(session, ticket_table, rows)
    bulk_insert(session, AuditEvent.__table__, [  # type: ignore[attr-defined]
        work_order.opened(
            ticket_id=tid, case_id=row["case_id"], team_id=row["team_id"], assignee_id=None,
            due_at=row["due_at"], actor=actor.login, at=now,
            extra={"title": row["title"], "template": row["template_key"],
                   "required": row["required"]},
        ).audit_row(project_id) for tid, row in zip(ticket_ids, rows, strict=True)])
    return rows


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    case = session.exec(query).first()
    if case is None:
        raise NotFound(f"no case #{case_id}", hint="see `caseflow case list`")
    return case


def list_cases(app: App, project: str | None = None, stage: str | None = None,
               status: str | None = None, limit: int | None = None) -> list[CaseView]:
    return page_cases(app, project, stage, status, limit=limit or None).cases


def _state_of(session: Session, case: Case) -> CaseState:
    assert case.id is not None
    open_required = session.exec(
        select(Ticket.id, Ticket.title, Ticket.records, Ticket.title_zh).where(
            Ticket.case_id == case.id, Ticket.stage == case.stage, Ticket.required,
            ticket_is_open(Ticket.status),
        ).order_by(Ticket.id)
    ).all()
    return CaseState(
        state=case.stage, held_from=case.held_from, facts=live_facts(session, case.id),
        open_required=[OpenOrder(id=i or 0, title=t, records=r, title_zh=zh)
                       for i, t, r, zh in open_required],
    )


def _apply(app: App, actor: Actor, case_id: int, note: str | None,
           choose: Callable[[Lifecycle, Case], str], open_orders: str = "cancel") -> Advanced:
    with app.uow() as uow:
        session = uow.session
        case = get_case(session, case_id, lock=uow.is_postgres)
        definition = definition_for(app, session, case.workflow_version_id)
        lifecycle = app.workflows.lifecycle(definition)
        trigger = choose(lifecycle, case)
        require_case_manager(actor, case, trigger)
        state = _state_of(session, case)
        move = lifecycle.fire(state, trigger)
        now = app.clock.now()
        before = {"stage": case.stage, "status": case.status, "held_from": case.held_from}
        case.stage, case.held_from = move.dest, state.held_from
        case.status = lifecycle.status_of(move.dest)
        case.stage_entered_at = case.updated_at = now
        session.add(case)
        session.flush()
        audit.record(session, at=now, actor=actor.login, action=f"case.{trigger}", case=case,
                     before=before,
                     after={"stage": case.stage, "status": case.status,
                            "held_from": case.held_from}, note=note)
        cancelled = _cancel_left_behind(session, actor, case, move, lifecycle, now, note,
                                        open_orders)
        opened: list[dict[str, Any]] = []
        if lifecycle.opens_orders(move):
            opened = _open_stage_orders_bulk(app, session, actor, definition.stage(move.dest),
                                             case.project_id, [(case.id or 0, case.team_id)], now)
        uow.commit()
        view = _case_view(app, session, case, with_history=False, facts=state.facts)
        codes = {row["team_id"]: _code_of(app, session, tables.team, row["team_id"])
                 for row in opened if row["team_id"] is not None}
        # views straight from the inserted rows (an ORM Ticket per row costs ~0.25 ms)
        fresh = {"started_at": None, "closed_at": None, "close_note": None}
        opened_views = [ticket_view(SimpleNamespace(**fresh, **row), case.name,
                                    codes.get(row["team_id"]), None) for row in opened]
    return Advanced(case=view, trigger=trigger, source=move.source, opened=opened_views,
                    cancelled=cancelled)


OPEN_ORDERS = ("refuse", "cancel", "keep")


def _cancel_left_behind(session: Session, actor: Actor, case: Case, move: Move,
                        lifecycle: Lifecycle, now: datetime, note: str | None,
                        open_orders: str) -> list[int]:
    """Every open order of a withdrawn case is cancelled (kept, never deleted) so it does
    not go overdue. Optional orders still open in a stage the case leaves forward are
    refused by default, naming them; ``open_orders`` says what to do instead: ``cancel``
    them (the note recorded on each) or ``keep`` them open under the old stage.

    Each order goes through the work-order machine (``cancel``); then one version-checked
    UPDATE for all of them and one batch of events: the case row is locked by this
    transaction, so the set read is the set changed."""
    ticket = tables.ticket
    if lifecycle.status_of(move.dest) == "withdrawn":
        where = [ticket.c.case_id == case.id]
    elif lifecycle.needs_orders_closed(move.transition, move.source):
        where = [ticket.c.case_id == case.id, ticket.c.stage == move.source]
    else:
        return []
    found = session.execute(sa.select(ticket).where(*where, ticket_is_open())
                            .order_by(ticket.c.id)).all()
    if not found:
        return []
    ids = [row.id for row in found]
    if lifecycle.status_of(move.dest) != "withdrawn":
        if open_orders == "keep":
            return []
        if open_orders != "cancel":
            raise OrdersLeftOpen(
                "case #{case} still has open work orders in stage {stage}: {orders}",
                hint="pass --cancel-open to cancel them, the --note recorded on each, "
                     "or --keep-open to leave them open under that stage",
                case_id=case.id or 0, stage=move.source, ids=ids)
    entries = dict(session.execute(
        sa.select(tables.clear_list_entry.c.ticket_id, tables.clear_list_entry.c.status)
        .where(tables.clear_list_entry.c.ticket_id.in_(ids),
               tables.clear_list_entry.c.status != "signed_off")).all())
    why = note or f"case {move.trigger}"
    events = [work_order.fire(work_order.WorkOrder.of(row, entries.get(row.id)), "cancel",
                              doer=actor, at=now, note=why) for row in found]
    changed = session.execute(
        ticket.update().where(ticket.c.id.in_(ids), ticket_is_open())
        .values(status="cancelled", closed_at=now, closed_by=actor.login,
                version=ticket.c.version + 1)
    ).rowcount
    if changed != len(ids):
        raise stale()
    bulk_insert(session, tables.audit_event, [e.audit_row(case.project_id) for e in events])
    return ids


def advance(app: App, actor: Actor, case_id: int, trigger: str | None = None,
            note: str | None = None, open_orders: str = "refuse") -> Advanced:
    """Fire ``trigger`` (or the single forward transition) on a case.

    Optional orders still open in the stage left behind refuse the move, naming them,
    unless ``open_orders`` is ``cancel`` (each cancelled with ``note``) or ``keep``."""
    if open_orders not in OPEN_ORDERS:
        raise InvalidInput("open orders “{value}” must be one of {choices}",
                           value=open_orders, choices=list(OPEN_ORDERS))
    if open_orders == "cancel" and (not note or not note.strip()):
        raise InvalidInput("--cancel-open needs --note saying why the open orders are cancelled")
    return _apply(app, actor, case_id, note,
                  lambda lc, case: trigger or lc.forward_trigger(case.stage), open_orders)


def hold(app: App, actor: Actor, case_id: int, reason: str) -> Advanced:
    _need(reason, "--reason")
    return _apply(app, actor, case_id, reason, lambda lc, case: lc.side_trigger(case.stage, "hold"))


def resume(app: App, actor: Actor, case_id: int, note: str | None = None) -> Advanced:
    return _apply(app, actor, case_id, note,
                  lambda lc, case: lc.side_trigger(case.stage, "resume"))


def withdraw(app: App, actor: Actor, case_id: int, reason: str) -> Advanced:
    _need(reason, "--reason")
    return _apply(app, actor, case_id, reason,
                  lambda lc, case: lc.side_trigger(case.stage, "withdraw"))


def _need(text: str | None, option: str) -> None:
    if not text or not text.strip():
        raise InvalidInput(f"{option} is required and must say why")


def workflow_of(app: App, case_id: int) -> WorkflowDefinition:
    """The definition (and so the labels) a case runs under."""
    with app.uow(readonly=True) as uow:
        case = get_case(uow.session, case_id)
        return definition_for(app, uow.session, case.workflow_version_id)
