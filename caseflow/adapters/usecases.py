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


# ---------------------------------------------------------------- work orders (工单)


def _ticket(view: Any, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = view.as_dict()
    if not full:
        data.pop("history", None)
        data.pop("evidence", None)
    return data


@usecase("ticket.list", "GET", "/tickets")
def ticket_list(app: Any, actor: Any, mine: bool = False, team: str | None = None,
                all: bool = False, overdue: bool = False, as_of: str | None = None,
                status: str = "open", case_id: int | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:
    """Work orders, soonest due first (default: mine for members and leads, else all)."""
    from caseflow.domain.durations import parse_instant
    from caseflow.errors import InvalidInput
    from caseflow.services import tickets

    if sum((mine, team is not None, all)) > 1:
        raise InvalidInput("use only one of --mine, --team CODE, --all")
    if team is not None:
        scope = "team"
    elif all or (not mine and case_id is not None):
        scope = "all"
    elif mine or actor.role in ("member", "lead"):
        scope = "mine"
    else:
        scope = "all"
    views = tickets.list_tickets(app, actor, scope=scope, team=team, overdue=overdue,
                                 as_of=parse_instant(as_of) if as_of else None, status=status,
                                 case_id=case_id, limit=limit or None)
    return [_ticket(v) for v in views]


@usecase("ticket.show", "GET", "/tickets/{ticket_id}")
def ticket_show(app: Any, actor: Any, ticket_id: int) -> dict[str, Any]:
    """One work order with its history."""
    from caseflow.services import tickets

    return _ticket(tickets.show_ticket(app, ticket_id), full=True)


@usecase("ticket.add", "POST", "/tickets")
def ticket_add(app: Any, actor: Any, case_id: int, title: str, due: str | None = None,
               within: str | None = None, assignee: str | None = None) -> dict[str, Any]:
    """Open a work order on a case, due on a date or within 5wd / 10d."""
    from caseflow.domain.durations import parse_date, parse_duration
    from caseflow.errors import InvalidInput
    from caseflow.services import tickets

    if (due is None) == (within is None):
        raise InvalidInput("give exactly one of --due DATE or --in 5wd|10d")
    return _ticket(tickets.add_ticket(
        app, actor, case_id, title, due_on=parse_date(due) if due else None,
        within=parse_duration(within) if within else None, assignee=assignee))


@usecase("ticket.start", "POST", "/tickets/{ticket_id}/start")
def ticket_start(app: Any, actor: Any, ticket_id: int) -> dict[str, Any]:
    """Mark a work order in progress (taking it if unassigned)."""
    from caseflow.services import tickets

    return _ticket(tickets.start(app, actor, ticket_id))


@usecase("ticket.close", "POST", "/tickets/{ticket_id}/close")
def ticket_close(app: Any, actor: Any, ticket_id: int, note: str) -> dict[str, Any]:
    """Close a work order with a note of what was done."""
    from caseflow.services import tickets

    return _ticket(tickets.close(app, actor, ticket_id, note))


@usecase("ticket.reopen", "POST", "/tickets/{ticket_id}/reopen")
def ticket_reopen(app: Any, actor: Any, ticket_id: int, reason: str) -> dict[str, Any]:
    """Reopen a closed work order."""
    from caseflow.services import tickets

    return _ticket(tickets.reopen(app, actor, ticket_id, reason))


@usecase("ticket.assign", "POST", "/tickets/{ticket_id}/assign")
def ticket_assign(app: Any, actor: Any, ticket_id: int, login: str) -> dict[str, Any]:
    """Assign a work order (leads; members may take an unassigned one)."""
    from caseflow.services import tickets

    return _ticket(tickets.assign(app, actor, ticket_id, login))


@usecase("ticket.extend", "POST", "/tickets/{ticket_id}/extend")
def ticket_extend(app: Any, actor: Any, ticket_id: int, to: str, reason: str) -> dict[str, Any]:
    """Move a deadline later (the team's lead)."""
    from caseflow.domain.durations import parse_date
    from caseflow.services import tickets

    return _ticket(tickets.extend(app, actor, ticket_id, parse_date(to), reason))


@usecase("ticket.comment", "POST", "/tickets/{ticket_id}/comment")
def ticket_comment(app: Any, actor: Any, ticket_id: int, text: str) -> dict[str, Any]:
    """Add a comment to a work order's history."""
    from caseflow.services import tickets

    return _ticket(tickets.comment(app, actor, ticket_id, text))


# ---------------------------------------------------------------- cases


def _case(view: Any, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = view.as_dict()
    if not full:
        data.pop("tickets", None)
        data.pop("history", None)
    return data


def _moved(app: Any, moved: Any) -> dict[str, Any]:
    """What a transition did, with the stage labels a renderer needs."""
    from dataclasses import asdict

    from caseflow.services.cases import workflow_of

    stages = {s.name: s for s in workflow_of(app, moved.case.id).stages}
    source = stages.get(moved.source)
    data = asdict(moved)
    data["source_label_en"] = source.label("en") if source else moved.source
    data["source_label_zh"] = source.label("zh_CN") if source else moved.source
    return data


@usecase("case.list", "GET", "/cases")
def case_list(app: Any, actor: Any, project: str | None = None, stage: str | None = None,
              status: str | None = None, limit: int = 200, offset: int = 0) -> dict[str, Any]:
    """Cases by id, ``limit`` from ``offset`` (0: all); ``more``: how many follow."""
    from caseflow.services.case_reads import page_cases

    page = page_cases(app, project, stage, status, limit=limit or None, offset=offset)
    return {"cases": [_case(v) for v in page.cases], "more": page.more}


@usecase("case.show", "GET", "/cases/{case_id}")
def case_show(app: Any, actor: Any, case_id: int) -> dict[str, Any]:
    """One case with its work orders and history."""
    from caseflow.services.case_reads import show_case

    return _case(show_case(app, case_id), full=True)


@usecase("case.add", "POST", "/cases")
def case_add(app: Any, actor: Any, project: str, name: str, credit_code: str | None = None,
             area_mu: float | None = None, team: str | None = None) -> dict[str, Any]:
    """Open a case; its first stage's work orders open with it."""
    from caseflow.services.cases import NewCase, add_case

    return _case(add_case(app, actor, project, NewCase(name=name, credit_code=credit_code,
                                                       area_mu=area_mu, team=team)))


@usecase("case.import", "POST", "/cases/import")
def case_import(app: Any, actor: Any, project: str, filename: str, content_base64: str,
                skip_invalid: bool = False) -> dict[str, Any]:
    """Import cases from a .csv or .xlsx (base64); all rows are checked first."""
    import base64
    import binascii
    import tempfile
    from dataclasses import asdict
    from pathlib import Path, PurePath

    from caseflow.adapters.cli.case_import import run_import
    from caseflow.errors import InvalidInput

    name = PurePath(filename.replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput("{file}: only .csv and .xlsx files can be imported", file=name)
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("{file}: the file content is not base64", file=name) from None
    with tempfile.TemporaryDirectory(prefix="caseflow-import-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return asdict(run_import(app, actor, path, project, skip_invalid=skip_invalid))


@usecase("case.advance", "POST", "/cases/{case_id}/advance")
def case_advance(app: Any, actor: Any, case_id: int, trigger: str | None = None,
                 note: str | None = None, open_orders: str = "refuse") -> dict[str, Any]:
    """Move a case to its next stage (or fire a trigger); ``open_orders`` left behind:
    refuse, cancel or keep."""
    from caseflow.services import cases

    return _moved(app, cases.advance(app, actor, case_id, trigger, note,
                                     open_orders=open_orders))


@usecase("case.hold", "POST", "/cases/{case_id}/hold")
def case_hold(app: Any, actor: Any, case_id: int, reason: str) -> dict[str, Any]:
    """Put a case on hold."""
    from caseflow.services import cases

    return _moved(app, cases.hold(app, actor, case_id, reason))


@usecase("case.resume", "POST", "/cases/{case_id}/resume")
def case_resume(app: Any, actor: Any, case_id: int, note: str | None = None) -> dict[str, Any]:
    """Resume a held case in the stage it was held in."""
    from caseflow.services import cases

    return _moved(app, cases.resume(app, actor, case_id, note))


@usecase("case.withdraw", "POST", "/cases/{case_id}/withdraw")
def case_withdraw(app: Any, actor: Any, case_id: int, reason: str) -> dict[str, Any]:
    """Withdraw a case; its open work orders are cancelled."""
    from caseflow.services import cases

    return _moved(app, cases.withdraw(app, actor, case_id, reason))


# ---------------------------------------------------------------- clear-to-zero list


@usecase("clearlist.list", "GET", "/clearlist")
def clearlist_list(app: Any, actor: Any, all: bool = False, team: str | None = None,
                   town: str | None = None, level: int | None = None,
                   as_of: str | None = None, limit: int = 100,
                   offset: int = 0) -> dict[str, Any]:
    """What is left to clear (还剩 N 项), highest level first, then oldest; a page of
    ``limit`` entries (0: all) from ``offset``."""
    from caseflow.domain.durations import parse_instant
    from caseflow.services import clearlist

    with clearlist.reading(app, include_signed_off=all, team=team, town=town, level=level,
                           as_of=parse_instant(as_of) if as_of else None,
                           limit=limit or None, offset=offset) as (head, rows):
        return {"as_of": head.as_of, "left": head.left, "per_team": head.per_team,
                "total": head.total, "offset": head.offset, "entries": list(rows)}


@usecase("clearlist.signoff", "POST", "/clearlist/{entry_id}/signoff")
def clearlist_signoff(app: Any, actor: Any, entry_id: int, note: str) -> dict[str, Any]:
    """Sign an entry off (销号): supervisors and admins."""
    from caseflow.services import clearlist

    return clearlist.signoff(app, actor, entry_id, note).as_dict()


@usecase("clearlist.reject", "POST", "/clearlist/{entry_id}/reject")
def clearlist_reject(app: Any, actor: Any, entry_id: int, reason: str) -> dict[str, Any]:
    """Reject a closure (退回): the work order is reopened."""
    from caseflow.services import clearlist

    return clearlist.reject(app, actor, entry_id, reason).as_dict()


# ---------------------------------------------------------------- reports


@usecase("report.weekly", "GET", "/reports/weekly")
def report_weekly(app: Any, actor: Any, week: str | None = None, by: str = "team") -> Any:
    """The weekly ranking (每周量化排序) with movement against the week before."""
    from caseflow.adapters.cli.report_cmds import weekly_json
    from caseflow.services import reports

    return weekly_json(reports.weekly(app, week, by=by))


@usecase("report.progress", "GET", "/reports/progress")
def report_progress(app: Any, actor: Any, year: int | None = None, by: str = "project") -> Any:
    """Area through demolition against the year's target, the funnel and the pace."""
    from caseflow.services import reports

    return reports.progress(app, year, by=by)


@usecase("report.burndown", "GET", "/reports/burndown")
def report_burndown(app: Any, actor: Any, days: int = 30, team: str | None = None,
                    last_day: str | None = None) -> Any:
    """Open clear-list items per day (dates and counts), up to ``last_day`` (default today)."""
    from caseflow.domain.durations import parse_date
    from caseflow.services import reports

    series = reports.burndown(app, days, team=team,
                              last_day=parse_date(last_day) if last_day else None)
    return {"dates": series.dates, "open_counts": series.open_counts}


# ---------------------------------------------------------------- teams and users


@usecase("team.list", "GET", "/teams")
def team_list(app: Any, actor: Any) -> list[Any]:
    """Teams with their number of users."""
    from caseflow.services import directory

    return directory.list_teams(app)


@usecase("team.add", "POST", "/teams")
def team_add(app: Any, actor: Any, code: str, name: str) -> Any:
    """Add a team (admin)."""
    from caseflow.services import directory

    return directory.add_team(app, actor, code, name)


@usecase("user.list", "GET", "/users")
def user_list(app: Any, actor: Any) -> list[Any]:
    """Users, their roles and teams."""
    from caseflow.services import directory

    return directory.list_users(app)


@usecase("user.add", "POST", "/users")
def user_add(app: Any, actor: Any, login: str, name: str, role: str, team: str | None = None,
             email: str | None = None, lang: str | None = None) -> Any:
    """Add a user (admin). Members and leads belong to a team."""
    from caseflow.services import directory

    return directory.add_user(app, actor, login, name, role, team, email, lang)


# ---------------------------------------------------------------- projects


@usecase("project.add", "POST", "/projects")
def project_add(app: Any, actor: Any, code: str, name: str, town: str, workflow: str,
                area_mu: float | None = None, target_mu: float | None = None,
                mode: str | None = None) -> Any:
    """Add a project (admin)."""
    from caseflow.services import projects

    return projects.add_project(app, actor, code, name, town, workflow, area_mu, target_mu,
                                mode)


@usecase("project.list", "GET", "/projects")
def project_list(app: Any, actor: Any, town: str | None = None) -> list[Any]:
    """Projects with their case counts."""
    from caseflow.services import projects

    return projects.list_projects(app, town)


@usecase("project.show", "GET", "/projects/{code}")
def project_show(app: Any, actor: Any, code: str) -> dict[str, Any]:
    """One project and its cases by stage (with the stages' labels)."""
    from dataclasses import asdict

    from caseflow.services import projects

    view = projects.show_project(app, code)
    try:
        stages = app.workflows.get(view.workflow).stages
    except Exception:  # a workflow file removed since: the raw stage names
        stages = []
    return asdict(view) | {"stage_labels": {
        s.name: {"en": s.label("en"), "zh_CN": s.label("zh_CN")} for s in stages}}
