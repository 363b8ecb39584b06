"""Work orders (工单): open, start, close, reopen, assign, extend, comment, list.

Task-force members run these many times a day from a terminal, so they use
SQLAlchemy Core (``app.transaction()``) rather than the ORM, whose import alone
would cost a quarter of a second on every command.

Concurrency: every update goes through the row's version (``update_versioned``), so
of two people closing the same order at the same moment exactly one succeeds and the
other is told somebody was first (``Conflict``) or that it is already closed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from caseflow.domain import values, work_order
from caseflow.domain.calendar import end_of_day
from caseflow.domain.durations import Duration
from caseflow.errors import InvalidInput, NotFound, PermissionDenied, Refused
from caseflow.persistence import tables as t
from caseflow.services import audit, work_orders
from caseflow.services.app import App
from caseflow.services.directory import team_by_code, user_by_login
from caseflow.services.permissions import (
    Actor,
    can_work_on,
    require_can_open_on,
)
from caseflow.services.queries import events, ticket_is_open, ticket_rows, ticket_view
from caseflow.services.views import TicketView

if TYPE_CHECKING:
    from caseflow.services.evidence import Upload

_CJK = re.compile(r"[\u3400-\u9fff]")
SCOPES = ("mine", "team", "all")
T = t.ticket


def _required_text(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise InvalidInput(f"{what} is required", hint="say what was done or why")
    label = {"--note": "note", "--reason": "reason", "a comment": "comment",
             "a title": "title"}.get(what, what)
    checked = values.text(text, label, limit="note", multiline=True)
    assert checked is not None
    return checked


def get_ticket(conn: Connection, ticket_id: int) -> Any:
    ticket = conn.execute(sa.select(T).where(T.c.id == ticket_id)).first()
    if ticket is None:
        raise NotFound("no work order #{id}", hint="see `caseflow ticket list`", id=ticket_id)
    return ticket


def _view(conn: Connection, ticket_id: int) -> TicketView:
    return ticket_rows(conn, T.c.id == ticket_id)[0]


def add_ticket(
    app: App, actor: Actor, case_id: int, title: str, *, due_on: date | None = None,
    within: Duration | None = None, assignee: str | None = None, note: str | None = None,
) -> TicketView:
    """Open an ad-hoc work order on a case, due on a date or within a duration."""
    title = _required_text(title, "a title")
    title = values.text(title, "title", limit="title") or title
    if (due_on is None) == (within is None):
        raise InvalidInput("give exactly one of --due DATE or --in 5wd|10d")
    if within is not None:
        values.working_span(within.amount)
    if due_on is not None:
        values.day(due_on, "deadline")
    with app.transaction() as tx:
        conn = tx.conn
        case = conn.execute(sa.select(t.enterprise_case)
                            .where(t.enterprise_case.c.id == case_id)).first()
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
        assignee_row = _assignable(conn, actor, assignee) if assignee else None
        team_id = (assignee_row.team_id if assignee_row and assignee_row.team_id else None) \
            or (actor.team_id if actor.role in ("member", "lead") else None) or case.team_id
        ticket_id: int = conn.execute(T.insert().values(
            case_id=case_id, stage=case.stage, title=title,
            title_zh=title if _CJK.search(title) else None, required=False,
            team_id=team_id, assignee_id=assignee_row.id if assignee_row else None,
            status="open", due_rule=str(within) if within else None, due_at=due_at,
            opened_at=now, level=0, version=1,
        ).returning(T.c.id)).scalar_one()
        work_orders.record(conn, work_order.opened(
            ticket_id=ticket_id, case_id=case_id, team_id=team_id,
            assignee_id=assignee_row.id if assignee_row else None, due_at=due_at,
            actor=actor.login, at=now, note=note,
            extra={"title": title, "assignee": assignee}), case.project_id)
        tx.commit()
        return _view(conn, ticket_id)


def _assignable(conn: Connection, actor: Actor, login: str) -> Any:
    user = user_by_login(conn, login)
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
    after: tuple[datetime, int] | None = None,
) -> list[TicketView]:
    """Work orders, soonest due first. ``status`` is open (incl. in progress), closed or any.

    ``after`` (a due time and an id) pages by keyset: the orders that come after that
    one in this order, so the next page costs the same as the first."""
    with app.transaction(readonly=True) as tx:
        where = _list_filter(tx.conn, app, actor, scope=scope, team=team, overdue=overdue,
                             as_of=as_of, status=status, case_id=case_id)
        if after is not None:
            due, last_id = after
            where.append(sa.or_(T.c.due_at > due, sa.and_(T.c.due_at == due, T.c.id > last_id)))
        return ticket_rows(tx.conn, *where, limit=limit)


def page_tickets(
    app: App, actor: Actor, *, scope: str = "mine", team: str | None = None,
    overdue: bool = False, status: str = "open", offset: int = 0, limit: int = 50,
) -> tuple[list[TicketView], int]:
    """One page of work orders, soonest due first, and how many there are in all
    (a team's queue in a city runs to thousands: a page is read, never the lot)."""
    with app.transaction(readonly=True) as tx:
        where = _list_filter(tx.conn, app, actor, scope=scope, team=team, overdue=overdue,
                             as_of=None, status=status, case_id=None)
        total = tx.conn.execute(sa.select(sa.func.count()).select_from(T).where(*where)
                                ).scalar_one()
        return ticket_rows(tx.conn, *where, limit=limit, offset=max(offset, 0)), int(total)


def _list_filter(conn: Connection, app: App, actor: Actor, *, scope: str, team: str | None,
                 overdue: bool, as_of: datetime | None, status: str,
                 case_id: int | None) -> list[Any]:
    if scope not in SCOPES:
        raise InvalidInput(f"scope {scope!r} must be one of {', '.join(SCOPES)}")
    where: list[Any] = []
    if team:
        where.append(T.c.team_id == team_by_code(conn, team).id)
    elif scope == "mine":
        where.append(T.c.assignee_id == actor.id)
    elif scope == "team":
        if actor.team_id is None:
            raise InvalidInput(f"{actor.login} belongs to no team: pass --team CODE")
        where.append(T.c.team_id == actor.team_id)
    if case_id is not None:
        where.append(T.c.case_id == case_id)
    if status == "open" or overdue:
        where.append(ticket_is_open())
    elif status in ("closed", "cancelled"):
        where.append(T.c.status == status)
    elif status != "any":
        raise InvalidInput(f"status {status!r} must be open, closed, cancelled or any")
    if overdue:
        where.append(T.c.due_at < (as_of or app.clock.now()))
    return where


def show_ticket(app: App, ticket_id: int) -> TicketView:
    with app.transaction(readonly=True) as tx:
        conn = tx.conn
        ticket = get_ticket(conn, ticket_id)
        view = _view(conn, ticket_id)
        history = events(conn, t.audit_event.c.ticket_id == ticket_id)
        shown = ticket_view(ticket, view.case_name, view.team, view.assignee, history)
        from caseflow.services.evidence import for_tickets

        return replace(shown, evidence=for_tickets(conn, [ticket_id])[ticket_id])


def may_work_on(app: App, actor: Actor, ticket_id: int) -> bool:
    """Whether ``actor`` may start or close the order (pages offer the button only then;
    ``close`` checks again)."""
    with app.transaction(readonly=True) as tx:
        return can_work_on(actor, get_ticket(tx.conn, ticket_id))


def start(app: App, actor: Actor, ticket_id: int) -> TicketView:
    """Mark an order in progress; starting an unassigned order takes it."""
    with app.transaction() as tx:
        loaded = work_orders.load(app, tx.conn, ticket_id)
        work_orders.change(app, tx.conn, actor, loaded, "start")
        tx.commit()
        return _view(tx.conn, ticket_id)


def close(app: App, actor: Actor, ticket_id: int, note: str,
          evidence: Sequence[Upload] = ()) -> TicketView:
    """Close an order with a note of what was done (and the photos or files that show
    it, attached in the same transaction); records its fact on the case and moves its
    clear-list entry to awaiting sign-off."""
    from caseflow.services import evidence as evidence_service

    note = _required_text(note, "--note")
    with app.transaction() as tx:
        conn = tx.conn
        loaded = work_orders.load(app, conn, ticket_id)
        if evidence:
            evidence_service.add(conn, app, actor, loaded.row, evidence)
        now = app.clock.now()
        # the version check happens here: of two simultaneous closes one finds no row
        work_orders.change(app, conn, actor, loaded, "close", note=note,
                           extra={"on_time": now <= loaded.row.due_at})
        # after the machine: a closed or cancelled order is told so, not asked for photos
        evidence_service.require(conn, app, loaded.row, "close")
        if loaded.row.records:
            _record_fact(conn, loaded.row, actor, now)
        tx.commit()
        return _view(conn, ticket_id)


def _record_fact(conn: Connection, ticket: Any, actor: Actor, now: datetime) -> None:
    f = t.case_fact
    fact = conn.execute(sa.select(f).where(f.c.case_id == ticket.case_id,
                                           f.c.fact == ticket.records)).first()
    if fact is None:
        conn.execute(f.insert().values(case_id=ticket.case_id, fact=ticket.records,
                                       ticket_id=ticket.id, recorded_at=now,
                                       recorded_by=actor.login))
    elif fact.retracted_at is not None:
        conn.execute(f.update().where(f.c.id == fact.id).values(
            retracted_at=None, ticket_id=ticket.id, recorded_at=now, recorded_by=actor.login))
    else:
        return
    case = conn.execute(sa.select(t.enterprise_case)
                        .where(t.enterprise_case.c.id == ticket.case_id)).one()
    audit.record(conn, at=now, actor=actor.login, action="case.fact", case=case,
                 after={"fact": ticket.records, "ticket_id": ticket.id})


def retract_fact(conn: Any, ticket: Any, actor: Actor, now: datetime, reason: str) -> None:
    """A reopened order no longer vouches for the fact it recorded, while its case is
    still in the order's stage (a case that moved on keeps its history)."""
    if not ticket.records:
        return
    case = conn.execute(sa.select(t.enterprise_case)
                        .where(t.enterprise_case.c.id == ticket.case_id)).first()
    if case is None or case.stage != ticket.stage:
        return
    f = t.case_fact
    retracted = conn.execute(f.update().where(
        f.c.case_id == ticket.case_id, f.c.fact == ticket.records, f.c.retracted_at.is_(None),
    ).values(retracted_at=now))
    if retracted.rowcount:
        audit.record(conn, at=now, actor=actor.login, action="case.fact_retracted", case=case,
                     before={"fact": ticket.records}, note=reason)


def reopen(app: App, actor: Actor, ticket_id: int, reason: str) -> TicketView:
    """Reopen a closed order: its entry awaiting sign-off is open again, and an overdue
    order whose entry was signed off goes back on the clear-to-zero list."""
    reason = _required_text(reason, "--reason")
    with app.transaction() as tx:
        conn = tx.conn
        loaded = work_orders.load(app, conn, ticket_id)
        work_orders.change(app, conn, actor, loaded, "reopen", note=reason)
        retract_fact(conn, loaded.row, actor, app.clock.now(), reason)
        tx.commit()
        return _view(conn, ticket_id)


def assign(app: App, actor: Actor, ticket_id: int, login: str) -> TicketView:
    """A lead (re)assigns within their team; a member may take an unassigned team order."""
    with app.transaction() as tx:
        conn = tx.conn
        loaded = work_orders.load(app, conn, ticket_id)
        user = _assignable(conn, actor, login)
        work_orders.change(app, conn, actor, loaded, "assign", extra={"assignee": login},
                           assignee_id=user.id, login=login)
        tx.commit()
        return _view(conn, ticket_id)


def extend(app: App, actor: Actor, ticket_id: int, to: date, reason: str) -> TicketView:
    reason = _required_text(reason, "--reason")
    with app.transaction() as tx:
        conn = tx.conn
        loaded = work_orders.load(app, conn, ticket_id)
        work_orders.change(app, conn, actor, loaded, "extend", note=reason,
                           due_at=end_of_day(values.day(to, "deadline")), day=to)
        tx.commit()
        return _view(conn, ticket_id)


def comment(app: App, actor: Actor, ticket_id: int, text: str) -> TicketView:
    text = _required_text(text, "a comment")
    with app.transaction() as tx:
        conn = tx.conn
        ticket = get_ticket(conn, ticket_id)
        lead_of = actor.role == "lead" and ticket.team_id == actor.team_id
        if not (can_work_on(actor, ticket) or lead_of or actor.role == "supervisor"):
            raise PermissionDenied(f"{actor.login} may not comment on work order #{ticket_id}")
        audit.record(conn, at=app.clock.now(), actor=actor.login, action="ticket.comment",
                     ticket=ticket, note=text)
        tx.commit()
        return _view(conn, ticket_id)


def count_open(app: App) -> int:
    with app.transaction(readonly=True) as tx:
        return tx.conn.execute(sa.select(sa.func.count(T.c.id)).where(ticket_is_open())
                               ).scalar_one()
