"""Teams and users, and who is acting."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, select

from caseflow.errors import InvalidInput, NotFound, Refused
from caseflow.persistence.models import ROLES, Team, User
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.permissions import Actor, require_role
from caseflow.services.views import TeamView, UserView

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def resolve_actor(app: App, login: str) -> Actor:
    """The acting user; an unknown or inactive login is refused."""
    with app.uow(readonly=True) as uow:
        return actor_in(uow.session, login)


def actor_in(session: Session, login: str) -> Actor:
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None or not user.active:
        raise NotFound(f"{login!r} is not a caseflow user",
                       hint="pass --user LOGIN or set CASEFLOW_USER; an admin adds users")
    return Actor.of(user)


def team_by_code(session: Session, code: str) -> Team:
    team = session.exec(select(Team).where(Team.code == code)).first()
    if team is None:
        raise NotFound(f"no team with code {code!r}", hint="see `caseflow team list`")
    return team


def user_by_login(session: Session, login: str) -> User:
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(f"no user {login!r}", hint="see `caseflow user list`")
    return user


def add_team(app: App, actor: Actor, code: str, name: str) -> TeamView:
    require_role(actor, "admin", doing="add teams")
    if not _CODE.match(code):
        raise InvalidInput(f"team code {code!r} must be letters, digits, _ . - (at most 40)")
    if not name.strip():
        raise InvalidInput("a team needs a name")
    with app.uow() as uow:
        if uow.session.exec(select(Team).where(Team.code == code)).first():
            raise Refused(f"team {code!r} already exists")
        now = app.clock.now()
        team = Team(code=code, name=name.strip(), created_at=now)
        uow.session.add(team)
        uow.session.flush()
        audit.record(uow.session, at=now, actor=actor.login, action="team.add",
                     after={"code": code, "name": team.name})
        uow.commit()
    return TeamView(code=code, name=team.name)


def list_teams(app: App) -> list[TeamView]:
    with app.uow(readonly=True) as uow:
        rows = uow.session.exec(
            select(Team, sa.func.count(User.id))
            .join(User, User.team_id == Team.id, isouter=True)
            .group_by(Team.id).order_by(Team.code)
        ).all()
        return [TeamView(code=t.code, name=t.name, members=n) for t, n in rows]


def _check_user_fields(login: str, name: str, role: str, email: str | None) -> None:
    if not _CODE.match(login):
        raise InvalidInput(f"login {login!r} must be letters, digits, _ . - (at most 40)")
    if not name.strip():
        raise InvalidInput("a user needs a name")
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} must be one of {', '.join(ROLES)}")
    if email is not None and not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an e-mail address")


def add_user(
    app: App, actor: Actor | None, login: str, name: str, role: str,
    team: str | None = None, email: str | None = None,
) -> UserView:
    """Add a user; ``actor`` None is allowed only for the first admin of an empty database."""
    _check_user_fields(login, name, role, email)
    with app.uow() as uow:
        session = uow.session
        if actor is None:
            if session.exec(select(sa.func.count(User.id))).one():
                raise Refused("users exist already; an admin must add new ones")
            if role != "admin":
                raise Refused("the first user must be an admin")
        else:
            require_role(actor, "admin", doing="add users")
        if session.exec(select(User).where(User.login == login)).first():
            raise Refused(f"user {login!r} already exists")
        team_row = team_by_code(session, team) if team else None
        if role in ("member", "lead") and team_row is None:
            raise InvalidInput(f"a {role} belongs to a team: pass --team CODE")
        now = app.clock.now()
        user = User(login=login, name=name.strip(), role=role,
                    team_id=team_row.id if team_row else None, email=email, created_at=now)
        session.add(user)
        session.flush()
        audit.record(session, at=now, actor=actor.login if actor else login, action="user.add",
                     after={"login": login, "name": user.name, "role": role, "team": team,
                            "email": email})
        uow.commit()
    return UserView(login=login, name=user.name, role=role, team=team, email=email)


def list_users(app: App) -> list[UserView]:
    with app.uow(readonly=True) as uow:
        rows = uow.session.exec(
            select(User, Team.code).join(Team, Team.id == User.team_id, isouter=True)
            .order_by(User.login)
        ).all()
        return [UserView(login=u.login, name=u.name, role=u.role, team=code, email=u.email,
                         active=u.active) for u, code in rows]
