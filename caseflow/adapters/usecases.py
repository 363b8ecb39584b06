"""Every use case the command and the town server share, in one table.

A use case has a name (``ticket.close``), an HTTP route under ``/api/v1`` and a
function ``(app, actor, **args)`` whose arguments are JSON values (the raw text the
person typed: dates, durations, logins) and whose result is what ``--json`` prints.
Parsing and checking happen inside that function, so they run on the server in
remote mode and in the command in local mode: the same code either way.

- The command calls ``CliState.call(name, **args)``: locally it runs the function;
  against a server it sends the arguments to the route and gets the same JSON back.
- The server (``caseflow.adapters.server``) turns every entry into an endpoint.

This module imports nothing heavy: remote mode reads the table without loading
SQLAlchemy. Services are imported inside the functions.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Run = Callable[..., Any]


@dataclass(frozen=True)
class UseCase:
    name: str
    method: str  # GET reads, POST changes
    path: str  # under /api/v1; {name} segments are arguments
    run: Run
    summary: str
    public: bool = False  # no token needed (signing in)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def params(self) -> dict[str, inspect.Parameter]:
        """The JSON arguments: the function's keyword parameters after app and actor."""
        return dict(list(inspect.signature(self.run).parameters.items())[2:])

    def url(self, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The path with its arguments filled in, and the arguments left over."""
        rest = dict(args)
        path = self.path
        for name in self.path_params:
            from urllib.parse import quote

            path = path.replace("{" + name + "}", quote(str(rest.pop(name)), safe=""))
        return path, rest


REGISTRY: dict[str, UseCase] = {}


def usecase(name: str, method: str, path: str, *, public: bool = False) -> Callable[[Run], Run]:
    def add(fn: Run) -> Run:
        doc = (fn.__doc__ or name).strip().splitlines()[0]
        REGISTRY[name] = UseCase(name, method, path, fn, doc, public)
        return fn

    return add


def get(name: str) -> UseCase:
    return REGISTRY[name]


# ---------------------------------------------------------------- who am I, accounts


@usecase("me", "GET", "/me")
def me(app: Any, actor: Any) -> dict[str, Any]:
    """Who the caller is: login, name, role, team."""
    from caseflow.services.directory import team_code

    return {"login": actor.login, "name": actor.name, "role": actor.role,
            "team": team_code(app, actor.team_id), "token_id": actor.token_id}


@usecase("user.password", "POST", "/users/{login}/password")
def user_password(app: Any, actor: Any, login: str, password: str) -> dict[str, Any]:
    """Set or reset a user's password (admin); their tokens are revoked."""
    from caseflow.services import accounts

    accounts.set_password(app, actor, login, password)
    return {"login": login, "password_set": True}


@usecase("user.revoke", "POST", "/users/{login}/revoke")
def user_revoke(app: Any, actor: Any, login: str) -> dict[str, Any]:
    """Sign a user out everywhere (admin)."""
    from caseflow.services import accounts

    return {"login": login, "tokens_revoked": accounts.revoke_all_for_user(app, actor, login)}


@usecase("passwd", "POST", "/me/password")
def passwd(app: Any, actor: Any, current: str, new: str) -> dict[str, Any]:
    """Change your own password; your other tokens are revoked."""
    from caseflow.services import accounts

    accounts.change_password(app, actor, current, new)
    return {"login": actor.login, "password_changed": True}


@usecase("logout", "POST", "/auth/logout")
def logout(app: Any, actor: Any) -> dict[str, Any]:
    """Revoke the token this request came with."""
    from caseflow.services import accounts

    accounts.revoke_token(app, actor)
    return {"login": actor.login, "token_id": actor.token_id, "revoked": True}


@usecase("token.list", "GET", "/me/tokens")
def token_list(app: Any, actor: Any, login: str | None = None) -> list[Any]:
    """Your tokens (an admin: anybody's), newest first; never the tokens themselves."""
    from caseflow.services import accounts

    return accounts.list_tokens(app, actor, login)
