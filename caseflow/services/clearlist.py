"""The clear-to-zero list (清零清单): what is left, sign-off (销号) and rejection.

An entry is created by the sweep when a work order goes overdue and is never
deleted. Closing the order moves it to ``awaiting_signoff``; a supervisor (or an
admin) signs it off with a note, or rejects the closure with a reason, which reopens
the work order and puts the entry back to ``open`` (where the sweep keeps raising it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from caseflow.clock import ensure_utc
from caseflow.errors import InvalidInput, NotFound
from caseflow.persistence import tables as t
from caseflow.persistence.models import Case, ClearListEntry, Project, Team, Ticket, User
from caseflow.services import evidence, work_orders
from caseflow.services.app import App
from caseflow.services.directory import team_by_code
from caseflow.services.permissions import Actor, require_role
from caseflow.services.tickets import retract_fact

LEFT = ("open", "awaiting_signoff")
# The partial indexes' condition, written literally: SQLite uses a partial index only
# when the query's condition is the same text (see queries.ticket_is_open).
LEFT_NOW = sa.text("clear_list_entry.status != 'signed_off'")


@dataclass(frozen=True)
class EntryView:
    id: int
    ticket_id: int
    level: int
    status: str
    entered_at: datetime
    signed_off_at: datetime | None
    case_id: int
    case_name: str
    project: str
    town: str
    team: str | None
    title: str
    title_zh: str | None
    assignee: str | None
    ticket_status: str
    due_at: datetime
    level_raised_at: datetime | None
    next_level_at: datetime | None
    awaiting_since: datetime | None
    signed_off_by: str | None
    note: str | None
    close_note: str | None = None  # what the member wrote when closing the order

    def display_title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") and self.title_zh else self.title

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClearList:
    """One view of the list: the entries shown, how many are left, and per team."""

    as_of: datetime
    left: int
    entries: list[EntryView]
    per_team: dict[str, int] = field(default_factory=dict)


def _query(*where: Any) -> Any:
    assignee = aliased(User)
    return (
        select(ClearListEntry, Ticket, Case.name, Project.code, Project.town, Team.code,
               assignee.login)
        .join(Ticket, Ticket.id == ClearListEntry.ticket_id)
        .join(Case, Case.id == Ticket.case_id)
        .join(Project, Project.id == Case.project_id)
        .join(Team, Team.id == ClearListEntry.team_id, isouter=True)
        .join(assignee, assignee.id == Ticket.assignee_id, isouter=True)
        .where(*where)
    )


def _view(row: Any) -> EntryView:
    e, t, case_name, project, town, team, login = row
    return EntryView(
        id=e.id, ticket_id=e.ticket_id, level=e.level, status=e.status, entered_at=e.entered_at,
        signed_off_at=e.signed_off_at, case_id=t.case_id, case_name=case_name, project=project,
        town=town, team=team, title=t.title, title_zh=t.title_zh, assignee=login,
        ticket_status=t.status, due_at=t.due_at, level_raised_at=e.level_raised_at,
        next_level_at=e.next_level_at, awaiting_since=e.awaiting_since,
        signed_off_by=e.signed_off_by, note=e.note, close_note=t.close_note,
    )


def list_entries(
    app: App, *, include_signed_off: bool = False, team: str | None = None,
    town: str | None = None, level: int | None = None, as_of: datetime | None = None,
    offset: int = 0, limit: int | None = None,
) -> ClearList:
    """What is left to clear (open and awaiting sign-off), highest level first, then
    oldest; ``include_signed_off`` shows everything. ``as_of`` leaves out entries that
    entered later and those signed off by then (statuses are today's). ``offset`` and
    ``limit`` page the entries; ``left`` and ``per_team`` always count them all."""
    when = ensure_utc(as_of) if as_of is not None else app.clock.now()
    if level is not None and level < 1:
        raise InvalidInput("--level counts from 1")
    with app.uow(readonly=True) as uow:
        session = uow.session
        # as of now, the list is what the table holds (an entry never enters later
        # than the sweep that made it); the time bound only narrows a past as-of
        where: list[Any] = [] if as_of is None else [ClearListEntry.entered_at <= when]
        if team:
            where.append(ClearListEntry.team_id == team_by_code(session, team).id)
        if town:
            where.append(Project.town == town)
        if level is not None:
            where.append(ClearListEntry.level == level)
        if as_of is None:
            # now: nothing is signed off in the future, so "left" is the partial
            # indexes' own literal condition and a page reads twenty index entries
            # (ix_entry_left_order), not the whole list
            still_left: Any = LEFT_NOW
        else:
            still_left = sa.or_(
                ClearListEntry.status.in_(LEFT),  # type: ignore[attr-defined]
                ClearListEntry.signed_off_at > when,  # type: ignore[operator]
            )
        shown = where if include_signed_off else [*where, still_left]
        query = _query(*shown).order_by(
            ClearListEntry.level.desc(),  # type: ignore[attr-defined]
            ClearListEntry.entered_at, ClearListEntry.id)
        if limit is not None:
            query = query.offset(max(offset, 0)).limit(limit)
        rows = session.exec(query).all()
        entries = [_view(r) for r in rows]
        per_team = _per_team(session, [*where, still_left], by_place=town is not None)
    return ClearList(as_of=when, left=sum(per_team.values()), entries=entries, per_team=per_team)


def _per_team(session: Session, where: list[Any], *, by_place: bool) -> dict[str, int]:
    """Items left per team code; the order → case → project joins only when a town
    filter needs them (the counts then come from ix_entry_left_team alone)."""
    query = select(ClearListEntry.team_id, sa.func.count()).select_from(ClearListEntry)
    if by_place:
        query = (query.join(Ticket, Ticket.id == ClearListEntry.ticket_id)
                 .join(Case, Case.id == Ticket.case_id)
                 .join(Project, Project.id == Case.project_id))
    counts = session.exec(query.where(*where).group_by(ClearListEntry.team_id)).all()
    codes = dict(session.exec(select(Team.id, Team.code)).all())
    per_team: dict[str, int] = {}
    for team_id, n in counts:
        code = codes.get(team_id) or "-"
        per_team[code] = per_team.get(code, 0) + int(n)
    return dict(sorted(per_team.items()))


def show_entry(app: App, entry_id: int) -> EntryView:
    with app.uow(readonly=True) as uow:
        return _one(uow.session, entry_id)


def entry_for_ticket(app: App, ticket_id: int) -> EntryView | None:
    """A work order's clear-list entry, if it ever went on the list."""
    with app.uow(readonly=True) as uow:
        # its live entry if it is on the list now, else the last one (signed off)
        row = uow.session.exec(_query(ClearListEntry.ticket_id == ticket_id).order_by(
            (ClearListEntry.status == "signed_off").asc(),  # type: ignore[arg-type]
            ClearListEntry.id.desc())).first()  # type: ignore[union-attr]
        return _view(row) if row is not None else None


def _one(session: Session, entry_id: int) -> EntryView:
    row = session.exec(_query(ClearListEntry.id == entry_id)).first()
    if row is None:
        raise NotFound(f"no clear-list entry #{entry_id}", hint="see `caseflow clearlist --all`")
    return _view(row)


def _entry(session: Session, entry_id: int) -> ClearListEntry:
    entry = session.get(ClearListEntry, entry_id)
    if entry is None:
        raise NotFound(f"no clear-list entry #{entry_id}", hint="see `caseflow clearlist --all`")
    return entry


def _text(text: str | None, option: str) -> str:
    if text is None or not text.strip():
        raise InvalidInput(f"{option} is required", hint="say what was checked or what is wrong")
    return text.strip()


def signoff(app: App, actor: Actor, entry_id: int, note: str) -> EntryView:
    """销号: a supervisor confirms the closed work order really cleared the item."""
    note = _text(note, "--note")
    require_role(actor, "supervisor", doing="sign clear-list entries off")
    with app.uow() as uow:
        session = uow.session
        loaded = _loaded(app, session, entry_id)
        work_orders.change(app, session, actor, loaded, "sign_off", note=note)
        # after the machine: an entry not awaiting sign-off is told so first
        evidence.require(session, app, loaded.row, "signoff")
        uow.commit()
        return _one(session, entry_id)


def reject(app: App, actor: Actor, entry_id: int, reason: str) -> EntryView:
    """Refuse a closure: the work order is reopened and the entry is open again."""
    reason = _text(reason, "--reason")
    require_role(actor, "supervisor", doing="reject clear-list entries")
    with app.uow() as uow:
        session = uow.session
        loaded = _loaded(app, session, entry_id)
        work_orders.change(app, session, actor, loaded, "reject", note=reason,
                           action="ticket.reopen", entry_action="entry.rejected")
        retract_fact(session, loaded.row, actor, app.clock.now(), reason)
        uow.commit()
        return _one(session, entry_id)


def _loaded(app: App, session: Session, entry_id: int) -> work_orders.Loaded:
    """The entry's work order, with this entry (not another of the same order) as the one
    the sign-off or rejection moves."""
    entry = session.execute(sa.select(t.clear_list_entry)
                            .where(t.clear_list_entry.c.id == entry_id)).first()
    if entry is None:
        raise NotFound("no clear-list entry #{id}", hint="see `caseflow clearlist --all`",
                       id=entry_id)
    loaded = work_orders.load(app, session, entry.ticket_id)
    loaded.entry, loaded.order.entry_status, loaded.order.entry_id = entry, entry.status, entry.id
    return loaded
