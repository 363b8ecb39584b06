"""Teams and users, and who is acting (SQLAlchemy Core: every command resolves its
actor, so this stays off the ORM's import cost)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from caseflow.domain import values
from caseflow.errors import InvalidInput, NotFound, Refused
from caseflow.i18n import available, known
from caseflow.persistence import tables as t
from caseflow.persistence.types import ROLES
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.permissions import Actor, require_role
from caseflow.services.views import TeamView, UserView

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def resolve_actor(app: App, login: str) -> Actor:
    """The acting user; an unknown or inactive login is refused."""
    with app.transaction(readonly=True) as tx:
        return actor_in(tx.conn, login)


def actor_in(executor: Any, login: str) -> Actor:
    user = executor.execute(sa.select(t.app_user).where(t.app_user.c.login == login)).first()
    if user is None or not user.active:
        raise NotFound(f"{login!r} is not a caseflow user",
                       hint="pass --user LOGIN or set CASEFLOW_USER; an admin adds users")
    return Actor.of(user)


def team_by_code(executor: Any, code: str) -> Any:
    team = executor.execute(sa.select(t.team).where(t.team.c.code == code)).first()
    if team is None:
        raise NotFound(f"no team with code {code!r}", hint="see `caseflow team list`")
    return team


def user_by_login(executor: Any, login: str) -> Any:
    user = executor.execute(sa.select(t.app_user).where(t.app_user.c.login == login)).first()
    if user is None:
        raise NotFound(f"no user {login!r}", hint="see `caseflow user list`")
    return user


def add_team(app: App, actor: Actor, code: str, name: str) -> TeamView:
    require_role(actor, "admin", doing="add teams")
    if not _CODE.match(code):
        raise InvalidInput(f"team code {code!r} must be letters, digits, _ . - (at most 40)")
    if not name.strip():
        raise InvalidInput("a team needs a name")
    name = values.text(name, "team name", limit="name") or name
    with app.transaction() as tx:
        if tx.conn.execute(sa.select(t.team.c.id).where(t.team.c.code == code)).first():
            raise Refused(f"team {code!r} already exists")
        now = app.clock.now()
        tx.conn.execute(t.team.insert().values(code=code, name=name.strip(), created_at=now))
        audit.record(tx.conn, at=now, actor=actor.login, action="team.add",
                     after={"code": code, "name": name.strip()})
        tx.commit()
    return TeamView(code=code, name=name.strip())


def list_teams(app: App) -> list[TeamView]:
    with app.transaction(readonly=True) as tx:
        rows = tx.conn.execute(
            sa.select(t.team.c.code, t.team.c.name, sa.func.count(t.app_user.c.id))
            .join(t.app_user, t.app_user.c.team_id == t.team.c.id, isouter=True)
            .group_by(t.team.c.id, t.team.c.code, t.team.c.name).order_by(t.team.c.code)
        )
        return [TeamView(code=code, name=name, members=n) for code, name, n in rows]


def check_user_fields(login: str, name: str, role: str, email: str | None) -> None:
    if not _CODE.match(login):
        raise InvalidInput(f"login {login!r} must be letters, digits, _ . - (at most 40)")
    if not name.strip():
        raise InvalidInput("a user needs a name")
    values.text(name, "name", limit="name")
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} must be one of {', '.join(ROLES)}")
    if email is not None and not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an e-mail address")
    values.optional_text(email, "email", limit="email")


def check_lang(lang: str | None) -> str | None:
    """A user's language as stored: a language caseflow has a catalog for."""
    if lang is None:
        return None
    found = known(lang)
    if found is None:
        raise InvalidInput("no catalog for language “{lang}”; available: {available}",
                           lang=lang, available=list(available()))
    return found


def add_user(
    app: App, actor: Actor | None, login: str, name: str, role: str,
    team: str | None = None, email: str | None = None, lang: str | None = None,
) -> UserView:
    """Add a user; ``actor`` None is allowed only for the first admin of an empty database."""
    check_user_fields(login, name, role, email)
    lang = check_lang(lang)
    users = t.app_user
    with app.transaction() as tx:
        conn = tx.conn
        if actor is None:
            if conn.execute(sa.select(sa.func.count(users.c.id))).scalar_one():
                raise Refused("users exist already; an admin must add new ones")
            if role != "admin":
                raise Refused("the first user must be an admin")
        else:
            require_role(actor, "admin", doing="add users")
        if conn.execute(sa.select(users.c.id).where(users.c.login == login)).first():
            raise Refused(f"user {login!r} already exists")
        team_row = team_by_code(conn, team) if team else None
        if role in ("member", "lead") and team_row is None:
            raise InvalidInput(f"a {role} belongs to a team: pass --team CODE")
        now = app.clock.now()
        conn.execute(users.insert().values(
            login=login, name=name.strip(), role=role, email=email, active=True, lang=lang,
            team_id=team_row.id if team_row else None, created_at=now))
        audit.record(conn, at=now, actor=actor.login if actor else login, action="user.add",
                     after={"login": login, "name": name.strip(), "role": role, "team": team,
                            "email": email, "lang": lang})
        tx.commit()
    return UserView(login=login, name=name.strip(), role=role, team=team, email=email,
                    lang=lang)


def list_users(app: App) -> list[UserView]:
    u = t.app_user
    with app.transaction(readonly=True) as tx:
        rows = tx.conn.execute(
            sa.select(u, t.team.c.code.label("team_code"))
            .join(t.team, t.team.c.id == u.c.team_id, isouter=True).order_by(u.c.login)
        )
        return [UserView(login=r.login, name=r.name, role=r.role, team=r.team_code,
                         email=r.email, active=r.active, lang=r.lang) for r in rows]
