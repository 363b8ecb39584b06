"""What the screen reads and does, behind one interface.

The screens never touch the database: they ask a ``Source``. ``LocalSource`` calls the
services in this process (the embedded SQLite default, or a database the config names);
a source that talks to the town server can stand in for it without the screens
changing. Every call returns plain views (``TicketView``, ``EntryView``, ``CaseView``)
and raises ``CaseflowError`` for a refusal, which the screen shows in its status line.

Lists come a page at a time (keyset: after the last row shown), so a supervisor's
board of ten thousand items opens as fast as a member's queue of ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from caseflow.domain.workflow import WorkflowDefinition
    from caseflow.services.app import App
    from caseflow.services.clearlist import EntryView
    from caseflow.services.permissions import Actor
    from caseflow.services.views import CaseView, TicketView, UserView

PAGE = 200  # rows fetched at a time; the table asks for the next page near its end

# The queue's views, in the order ``v`` cycles through them.
VIEWS = ("mine", "team", "overdue", "all")


@dataclass(frozen=True)
class Board:
    """One page of the clear-to-zero list, with the counts the header shows."""

    entries: list[EntryView]
    left: int
    per_team: dict[str, int]
    more: bool


class Source(Protocol):
    """The screen's view of caseflow."""

    login: str
    role: str
    team_id: int | None

    def now(self) -> datetime: ...

    def working_days_between(self, start: date, end: date) -> int: ...

    def queue(self, view: str, *, after: TicketView | None = None,
              limit: int = PAGE) -> list[TicketView]: ...

    def ticket(self, ticket_id: int) -> TicketView: ...

    def start(self, ticket_id: int) -> TicketView: ...

    def close(self, ticket_id: int, note: str) -> TicketView: ...

    def extend(self, ticket_id: int, to: date, reason: str) -> TicketView: ...

    def assign(self, ticket_id: int, login: str) -> TicketView: ...

    def assignable(self) -> list[UserView]: ...

    def board(self, *, offset: int = 0, limit: int = PAGE) -> Board: ...

    def signoff(self, entry_id: int, note: str) -> EntryView: ...

    def reject(self, entry_id: int, reason: str) -> EntryView: ...

    def case(self, case_id: int) -> tuple[CaseView, WorkflowDefinition]: ...


def home_of(role: str) -> str:
    """Where the screen opens: supervisors on the board, everybody else on a queue."""
    return "board" if role == "supervisor" else "queue"


def first_view(role: str) -> str:
    """A lead starts on their team's queue; members (and admins) on their own."""
    return "team" if role == "lead" else "mine"


class LocalSource:
    """The services of this process, acting as ``actor``."""

    def __init__(self, app: App, actor: Actor) -> None:
        self.app = app
        self.actor = actor
        self.login = actor.login
        self.role = actor.role
        self.team_id = actor.team_id

    def now(self) -> datetime:
        return self.app.clock.now()

    def working_days_between(self, start: date, end: date) -> int:
        return self.app.calendar.working_days_between(start, end)

    def queue(self, view: str, *, after: TicketView | None = None,
              limit: int = PAGE) -> list[TicketView]:
        from caseflow.services import tickets

        scope, overdue = _scope_of(view, self.role, self.team_id)
        return tickets.list_tickets(
            self.app, self.actor, scope=scope, overdue=overdue, limit=limit,
            after=(after.due_at, after.id) if after is not None else None)

    def ticket(self, ticket_id: int) -> TicketView:
        from caseflow.services import tickets

        return tickets.show_ticket(self.app, ticket_id)

    def start(self, ticket_id: int) -> TicketView:
        from caseflow.services import tickets

        return tickets.start(self.app, self.actor, ticket_id)

    def close(self, ticket_id: int, note: str) -> TicketView:
        from caseflow.services import tickets

        return tickets.close(self.app, self.actor, ticket_id, note)

    def extend(self, ticket_id: int, to: date, reason: str) -> TicketView:
        from caseflow.services import tickets

        return tickets.extend(self.app, self.actor, ticket_id, to, reason)

    def assign(self, ticket_id: int, login: str) -> TicketView:
        from caseflow.services import tickets

        return tickets.assign(self.app, self.actor, ticket_id, login)

    def assignable(self) -> list[UserView]:
        """Who a work order may go to: active members and leads (a lead's own team)."""
        from caseflow.services import directory

        users = [u for u in directory.list_users(self.app)
                 if u.active and u.role in ("member", "lead")]
        if self.role == "lead":
            own = next((u.team for u in users if u.login == self.login), None)
            users = [u for u in users if u.team == own]
        return users

    def board(self, *, offset: int = 0, limit: int = PAGE) -> Board:
        from caseflow.services import clearlist

        listing = clearlist.list_entries(self.app, offset=offset, limit=limit)
        return Board(entries=listing.entries, left=listing.left, per_team=listing.per_team,
                     more=offset + len(listing.entries) < listing.left)

    def signoff(self, entry_id: int, note: str) -> EntryView:
        from caseflow.services import clearlist

        return clearlist.signoff(self.app, self.actor, entry_id, note)

    def reject(self, entry_id: int, reason: str) -> EntryView:
        from caseflow.services import clearlist

        return clearlist.reject(self.app, self.actor, entry_id, reason)

    def case(self, case_id: int) -> tuple[CaseView, WorkflowDefinition]:
        from caseflow.services import cases

        return cases.show_case(self.app, case_id), cases.workflow_of(self.app, case_id)


def _scope_of(view: str, role: str, team_id: int | None) -> tuple[str, bool]:
    """The ticket service's scope for one of the queue's views, and whether only
    overdue orders are asked for. "all" is everything the role may see: a member's or
    a lead's team, every order for a supervisor or an admin."""
    wide = "all" if role in ("supervisor", "admin") else ("team" if team_id else "mine")
    if view == "mine":
        return "mine", False
    if view == "team":
        return ("team" if team_id else "mine"), False
    if view == "overdue":
        return wide if role != "member" else "mine", True
    return wide, False
