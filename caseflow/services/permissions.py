"""Who may do what. Checked in the services, so every interface gets the same rules.

- member: acts on work orders assigned to them, or unassigned orders of their team;
  opens work orders on their team's cases.
- lead: any work order of their team; assigns and extends; manages their team's cases.
- supervisor: reads everything, comments, signs clear-list items off.
- admin: everything, including users, teams, projects and workflows.
- system: the unattended scheduler (sweeps and alerts only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from caseflow.domain.work_order import leads, may_work_on
from caseflow.errors import PermissionDenied


# Rows are Core rows or ORM objects alike: only these attributes are read here.
class User(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def login(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def team_id(self) -> int | None: ...


class Ticket(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def team_id(self) -> int | None: ...
    @property
    def assignee_id(self) -> int | None: ...


class Case(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def team_id(self) -> int | None: ...

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who is acting, and how they came: through the server, the token they signed
    in with and their address (recorded in every audit event); locally, neither."""

    id: int | None
    login: str
    name: str
    role: str
    team_id: int | None
    lang: str | None = None
    token_id: int | None = None
    address: str | None = None

    @classmethod
    def of(cls, user: User, *, token_id: int | None = None,
           address: str | None = None) -> Actor:
        return cls(user.id, user.login, user.name, user.role, user.team_id,
                   getattr(user, "lang", None), token_id=token_id, address=address)

    @property
    def came(self) -> dict[str, object]:
        """The audit columns that say how the actor came."""
        return {"token_id": self.token_id, "address": self.address}

    @classmethod
    def system(cls, name: str = "scheduler") -> Actor:
        return cls(None, name, name, SYSTEM, None)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def require_role(actor: Actor, *roles: str, doing: str) -> None:
    if actor.role not in roles and not actor.is_admin:
        allowed = " or ".join(roles + ("admin",))
        raise PermissionDenied(f"{actor.login} ({actor.role}) may not {doing}: needs {allowed}")


def can_work_on(actor: Actor, ticket: Ticket) -> bool:
    """The work-order machine's rule (``domain.work_order.may_work_on``)."""
    return may_work_on(actor, ticket.team_id, ticket.assignee_id)


def require_work_on(actor: Actor, ticket: Ticket, doing: str) -> None:
    if not can_work_on(actor, ticket):
        if actor.role == "supervisor":
            reason = "supervisors review and sign off; they do not work orders"
        elif actor.role == "member":
            reason = "members act on orders assigned to them or unassigned orders of their team"
        else:
            reason = "leads act on their own team's orders"
        raise PermissionDenied(f"{actor.login} may not {doing} work order #{ticket.id}: {reason}")


def require_lead_of(actor: Actor, ticket: Ticket, doing: str) -> None:
    """Assigning and extending: the team's lead or an admin."""
    if leads(actor, ticket.team_id):
        return
    raise PermissionDenied(
        f"{actor.login} may not {doing} work order #{ticket.id}: only its team's lead or an admin"
    )


def require_case_manager(actor: Actor, case: Case, doing: str) -> None:
    """Moving a case through its lifecycle: the lead of its team (or of an unteamed
    case) or an admin."""
    if actor.is_admin:
        return
    if actor.role == "lead" and (case.team_id is None or case.team_id == actor.team_id):
        return
    raise PermissionDenied(
        f"{actor.login} may not {doing} case #{case.id}: only the lead of its team or an admin"
    )


def require_can_open_on(actor: Actor, case: Case) -> None:
    """Opening an ad-hoc work order: anyone on the case's team, supervisors, admins."""
    if actor.is_admin or actor.role == "supervisor":
        return
    if actor.role in ("member", "lead") and (case.team_id is None or case.team_id == actor.team_id):
        return
    raise PermissionDenied(
        f"{actor.login} may not open work orders on case #{case.id}: it belongs to another team"
    )
