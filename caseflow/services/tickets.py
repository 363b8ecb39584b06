"""Work orders (工单): open, start, close, reopen, assign, extend, comment, list.

Concurrency: every update goes through the row's version (optimistic locking), so of
two people closing the same order at the same moment exactly one succeeds and the
other is told somebody was first (``Conflict``) or that it is already closed.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from caseflow.domain.calendar import end_of_day
from caseflow.domain.durations import Duration
from caseflow.errors import InvalidInput, NotFound, PermissionDenied, Refused
from caseflow.persistence.models import AuditEvent, Case, CaseFact, ClearListEntry, Ticket, User
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.directory import team_by_code, user_by_login
from caseflow.services.permissions import (
    Actor,
    can_work_on,
    require_can_open_on,
    require_lead_of,
    require_work_on,
)
from caseflow.services.queries import events, ticket_is_open, ticket_rows, ticket_view
from caseflow.services.views import TicketView

_CJK = re.compile(r"[\u3400-\u9fff]")
SCOPES = ("mine", "team", "all")


def _required_text(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise InvalidInput(f"{what} is required", hint="say what was done or why")
    return text.strip()


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no work order #{ticket_id}", hint="see `caseflow ticket list`")
    return ticket


def _view(session: Session, ticket: Ticket) -> TicketView:
    return ticket_rows(session, Ticket.id == ticket.id)[0]


def _snapshot(ticket: Ticket) -> dict[str, object]:
    return {"status": ticket.status, "assignee_id": ticket.assignee_id,
            "due_at": ticket.due_at.isoformat(), "version": ticket.version}


def add_ticket(
    app: App, actor: Actor, case_id: int, title: str, *, due_on: date | None = None,
    within: Duration | None = None, assignee: str | None = None, note: str | None = None,
) -> TicketView:
    """Open an ad-hoc work order on a case, due on a date or within a duration."""
    title = _required_text(title, "a title")
    if len(title) > 300:
        raise InvalidInput("a title has at most 300 characters")
    if (due_on is None) == (within is None):
        raise InvalidInput("give exactly one of --due DATE or --in 5wd|10d")
    with app.uow() as uow:
        session = uow.session
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case #{case_id}", hint="see `caseflow case list`")
        require_can_open_on(actor, case)
        if case.status in ("withdrawn", "done"):
            raise Refused(f"case #{case_id} is {case.status}; it takes no new work orders")
        now = app.clock.now()
        if within is not None:
            due_at = app.calendar.deadline(now, within.amount, within.working)
        else:
            assert due_on is not None
            due_at = end_of_day(due_on)
            if due_at <= now:
                raise InvalidInput(f"due date {due_on} is already past")
        assignee_row = _assignable(session, actor, assignee, case.team_id) if assignee else None
        team_id = (assignee_row.team_id if assignee_row and assignee_row.team_id else None) \
            or (actor.team_id if actor.role in ("member", "lead") else None) or case.team_id
        ticket = Ticket(
            case_id=case_id, stage=case.stage, title=title,
            title_zh=title if _CJK.search(title) else None, required=False,
            team_id=team_id, assignee_id=assignee_row.id if assignee_row else None,
            status="open", due_rule=str(within) if within else None, due_at=due_at,
            opened_at=now,
        )
        session.add(ticket)
        session.flush()
        audit.record(session, at=now, actor=actor.login, action="ticket.open", ticket=ticket,
                     project_id=case.project_id,
                     after={"title": title, "status": "open", "due_at": due_at.isoformat(),
                            "assignee": assignee}, note=note)
        uow.commit()
        return _view(session, ticket)


def _assignable(session: Session, actor: Actor, login: str, team_id: int | None) -> User:
    user = user_by_login(session, login)
    if not user.active:
        raise Refused(f"{login} is no longer active")
    if user.role not in ("member", "lead"):
        raise Refused(f"{login} is a {user.role}; work orders go to members and leads")
    if actor.role == "lead" and user.team_id != actor.team_id:
        raise PermissionDenied(f"{actor.login} may assign only to their own team")
    return user


def list_tickets(
    app: App, actor: Actor, *, scope: str = "mine", team: str | None = None,
    overdue: bool = False, as_of: datetime | None = None, status: str = "open",
    case_id: int | None = None, limit: int | None = None,
) -> list[TicketView]:
    """Work orders, soonest due first. ``status`` is open (incl. in progress), closed or any."""
    if scope not in SCOPES:
        raise InvalidInput(f"scope {scope!r} must be one of {', '.join(SCOPES)}")
    with app.uow(readonly=True) as uow:
        session = uow.session
        where: list[object] = []
        if team:
            where.append(Ticket.team_id == team_by_code(session, team).id)
        elif scope == "mine":
            where.append(Ticket.assignee_id == actor.id)
        elif scope == "team":
            if actor.team_id is None:
                raise InvalidInput(f"{actor.login} belongs to no team: pass --team CODE")
            where.append(Ticket.team_id == actor.team_id)
        if case_id is not None:
            where.append(Ticket.case_id == case_id)
        if status == "open" or overdue:
            where.append(ticket_is_open())
        elif status in ("closed", "cancelled"):
            where.append(Ticket.status == status)
        elif status != "any":
            raise InvalidInput(f"status {status!r} must be open, closed, cancelled or any")
        if overdue:
            where.append(Ticket.due_at < (as_of or app.clock.now()))
        return ticket_rows(session, *where, limit=limit)


def show_ticket(app: App, ticket_id: int) -> TicketView:
    with app.uow(readonly=True) as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        view = _view(session, ticket)
        history = events(session, AuditEvent.ticket_id == ticket_id)
        return ticket_view(ticket, view.case_name, view.team, view.assignee, history)


def start(app: App, actor: Actor, ticket_id: int) -> TicketView:
    """Mark an order in progress; starting an unassigned order takes it."""
    with app.uow() as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        require_work_on(actor, ticket, "start")
        if ticket.status != "open":
            raise Refused(f"work order #{ticket_id} is {ticket.status.replace('_', ' ')}; "
                          "only an open order can be started")
        before = _snapshot(ticket)
        now = app.clock.now()
        ticket.status, ticket.started_at = "in_progress", now
        if ticket.assignee_id is None and actor.id is not None:
            ticket.assignee_id = actor.id
        session.add(ticket)
        session.flush()
        audit.record(session, at=now, actor=actor.login, action="ticket.start", ticket=ticket,
                     before=before, after=_snapshot(ticket))
        uow.commit()
        return _view(session, ticket)


def close(app: App, actor: Actor, ticket_id: int, note: str) -> TicketView:
    """Close an order with a note of what was done; records its fact on the case and
    moves its clear-list entry to awaiting sign-off."""
    note = _required_text(note, "--note")
    with app.uow() as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        if ticket.status == "closed":
            when = ticket.closed_at.isoformat(timespec="minutes") if ticket.closed_at else "?"
            raise Refused(f"work order #{ticket_id} is already closed "
                          f"(by {ticket.closed_by} at {when} UTC)")
        if ticket.status == "cancelled":
            raise Refused(f"work order #{ticket_id} was cancelled; there is nothing to close")
        require_work_on(actor, ticket, "close")
        before = _snapshot(ticket)
        now = app.clock.now()
        ticket.status, ticket.closed_at, ticket.closed_by = "closed", now, actor.login
        ticket.close_note = note
        if ticket.assignee_id is None and actor.id is not None:
            ticket.assignee_id = actor.id
        session.add(ticket)
        session.flush()  # the version check happens here: a concurrent close loses
        audit.record(session, at=now, actor=actor.login, action="ticket.close", ticket=ticket,
                     before=before,
                     after=_snapshot(ticket) | {"on_time": now <= ticket.due_at}, note=note)
        if ticket.records:
            _record_fact(session, ticket, actor, now)
        _entry_follows(session, ticket, actor, now, "open", "awaiting_signoff", note)
        uow.commit()
        return _view(session, ticket)


def _record_fact(session: Session, ticket: Ticket, actor: Actor, now: datetime) -> None:
    assert ticket.records is not None
    fact = session.exec(select(CaseFact).where(
        CaseFact.case_id == ticket.case_id, CaseFact.fact == ticket.records)).first()
    if fact is None:
        session.add(CaseFact(case_id=ticket.case_id, fact=ticket.records, ticket_id=ticket.id,
                             recorded_at=now, recorded_by=actor.login))
    elif fact.retracted_at is not None:
        fact.retracted_at, fact.ticket_id = None, ticket.id
        fact.recorded_at, fact.recorded_by = now, actor.login
        session.add(fact)
    else:
        return
    case = session.get(Case, ticket.case_id)
    audit.record(session, at=now, actor=actor.login, action="case.fact", case=case,
                 after={"fact": ticket.records, "ticket_id": ticket.id})


def _entry_follows(session: Session, ticket: Ticket, actor: Actor, now: datetime,
                   from_status: str, to_status: str, note: str | None) -> None:
    """Keep the ticket's clear-list entry in step: closed → awaiting sign-off, reopened → open."""
    entry = session.exec(select(ClearListEntry).where(
        ClearListEntry.ticket_id == ticket.id)).first()
    if entry is None or entry.status != from_status:
        return
    entry.status = to_status
    entry.awaiting_since = now if to_status == "awaiting_signoff" else None
    session.add(entry)
    session.flush()
    audit.record(session, at=now, actor=actor.login, action=f"entry.{to_status}", ticket=ticket,
                 entry_id=entry.id, before={"status": from_status}, after={"status": to_status},
                 note=note)


def reopen(app: App, actor: Actor, ticket_id: int, reason: str) -> TicketView:
    reason = _required_text(reason, "--reason")
    with app.uow() as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        if actor.role != "supervisor":
            require_work_on(actor, ticket, "reopen")
        if ticket.status != "closed":
            raise Refused(f"work order #{ticket_id} is {ticket.status.replace('_', ' ')}; "
                          "only a closed order can be reopened")
        case = session.get(Case, ticket.case_id)
        if case is not None and case.status in ("withdrawn", "done"):
            raise Refused(f"case #{case.id} is {case.status}; its orders cannot be reopened")
        before = _snapshot(ticket)
        now = app.clock.now()
        ticket.status, ticket.closed_at, ticket.closed_by = "open", None, None
        session.add(ticket)
        session.flush()
        audit.record(session, at=now, actor=actor.login, action="ticket.reopen", ticket=ticket,
                     before=before, after=_snapshot(ticket), note=reason)
        if ticket.records and case is not None and case.stage == ticket.stage:
            fact = session.exec(select(CaseFact).where(
                CaseFact.case_id == ticket.case_id, CaseFact.fact == ticket.records,
                CaseFact.retracted_at.is_(None))).first()  # type: ignore[union-attr]
            if fact is not None:
                fact.retracted_at = now
                session.add(fact)
                audit.record(session, at=now, actor=actor.login, action="case.fact_retracted",
                             case=case, before={"fact": ticket.records}, note=reason)
        _entry_follows(session, ticket, actor, now, "awaiting_signoff", "open", reason)
        uow.commit()
        return _view(session, ticket)


def assign(app: App, actor: Actor, ticket_id: int, login: str) -> TicketView:
    """A lead (re)assigns within their team; a member may take an unassigned team order."""
    with app.uow() as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        taking = login == actor.login and ticket.assignee_id is None and can_work_on(actor, ticket)
        if not taking:
            require_lead_of(actor, ticket, "assign")
        if ticket.status in ("closed", "cancelled"):
            raise Refused(f"work order #{ticket_id} is {ticket.status}; reopen it first")
        user = _assignable(session, actor, login, ticket.team_id)
        if user.id == ticket.assignee_id:
            raise Refused(f"work order #{ticket_id} is already assigned to {login}")
        before = _snapshot(ticket)
        now = app.clock.now()
        ticket.assignee_id = user.id
        session.add(ticket)
        session.flush()
        audit.record(session, at=now, actor=actor.login, action="ticket.assign", ticket=ticket,
                     before=before, after=_snapshot(ticket) | {"assignee": login})
        uow.commit()
        return _view(session, ticket)


def extend(app: App, actor: Actor, ticket_id: int, to: date, reason: str) -> TicketView:
    reason = _required_text(reason, "--reason")
    with app.uow() as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        require_lead_of(actor, ticket, "extend")
        if ticket.status in ("closed", "cancelled"):
            raise Refused(f"work order #{ticket_id} is {ticket.status}; nothing to extend")
        new_due = end_of_day(to)
        if new_due <= ticket.due_at:
            raise InvalidInput(f"{to} is not later than the current deadline; an extension "
                               "moves the deadline later")
        before = _snapshot(ticket)
        now = app.clock.now()
        ticket.due_at = new_due
        session.add(ticket)
        session.flush()
        audit.record(session, at=now, actor=actor.login, action="ticket.extend", ticket=ticket,
                     before=before, after=_snapshot(ticket), note=reason)
        uow.commit()
        return _view(session, ticket)


def comment(app: App, actor: Actor, ticket_id: int, text: str) -> TicketView:
    text = _required_text(text, "a comment")
    with app.uow() as uow:
        session = uow.session
        ticket = get_ticket(session, ticket_id)
        lead_of = actor.role == "lead" and ticket.team_id == actor.team_id
        if not (can_work_on(actor, ticket) or lead_of or actor.role == "supervisor"):
            raise PermissionDenied(f"{actor.login} may not comment on work order #{ticket_id}")
        audit.record(session, at=app.clock.now(), actor=actor.login, action="ticket.comment",
                     ticket=ticket, note=text)
        uow.commit()
        return _view(session, ticket)


def count_open(app: App) -> int:
    with app.uow(readonly=True) as uow:
        return uow.session.exec(select(sa.func.count(Ticket.id)).where(
            ticket_is_open())).one()
