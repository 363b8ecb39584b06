"""``caseflow team add|list`` and ``caseflow user add|list`` (adding is for admins)."""

from __future__ import annotations

from typing import Annotated

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def register(app: typer.Typer) -> None:
    team = typer.Typer(help="Task forces (专班).", no_args_is_help=True)
    user = typer.Typer(help="People and their roles.", no_args_is_help=True)
    app.add_typer(team, name="team")
    app.add_typer(user, name="user")

    @team.command("add")
    def team_add(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="short code, e.g. negotiation")],
        name: Annotated[str, typer.Option("--name", help="the team's name, e.g. 谈判专班")],
        json: JsonOpt = False,
    ) -> None:
        """Add a team (admin)."""
        from caseflow.services import directory

        state: CliState = ctx.obj
        view = directory.add_team(state.app(), state.actor(), code, name)
        if json:
            print_json(view, state.tz)
        else:
            typer.echo(_("team {code} added: {name}").format(code=view.code, name=view.name))

    @team.command("list")
    def team_list(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Teams with their number of users."""
        from caseflow.services import directory

        state: CliState = ctx.obj
        state.actor()
        teams = directory.list_teams(state.app())
        if json:
            print_json(teams, state.tz)
            return
        from caseflow.adapters.cli import render

        grid = render.table(_("Code"), _("Name"), _("Users"))
        grid.columns[2].justify = "right"
        for t in teams:
            grid.add_row(t.code, t.name, str(t.members))
        render.show(grid)

    @user.command("add")
    def user_add(
        ctx: typer.Context,
        login: Annotated[str, typer.Argument(help="login name")],
        name: Annotated[str, typer.Option("--name", help="full name, e.g. 张三")],
        role: Annotated[str, typer.Option("--role", help="member, lead, supervisor or admin")],
        team_code: Annotated[str | None, typer.Option("--team", help="team CODE")] = None,
        email: Annotated[str | None, typer.Option("--email", help="e-mail address")] = None,
        lang: Annotated[str | None, typer.Option(
            "--lang", help="the user's language for alerts and the CLI (zh_CN, en); "
                           "default: the town's language")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Add a user (admin). Members and leads belong to a team."""
        from caseflow.services import directory

        state: CliState = ctx.obj
        view = directory.add_user(state.app(), state.actor(), login, name, role, team_code,
                                  email, lang)
        if json:
            print_json(view, state.tz)
        else:
            from caseflow.adapters.cli.render import role_label

            typer.echo(_("user {login} added: {name}, {role}").format(
                login=view.login, name=view.name, role=role_label(view.role))
                + (f" ({view.team})" if view.team else ""))

    @user.command("list")
    def user_list(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Users, their roles and teams."""
        from caseflow.services import directory

        state: CliState = ctx.obj
        state.actor()
        users = directory.list_users(state.app())
        if json:
            print_json(users, state.tz)
            return
        from caseflow.adapters.cli import render

        grid = render.table(_("Login"), _("Name"), _("Role"), _("Team"), _("E-mail"))
        grid.columns[4].overflow = "ellipsis"
        for u in users:
            grid.add_row(u.login, u.name, render.role_label(u.role), u.team or "—",
                         u.email or "", style=None if u.active else "dim")
        render.show(grid)
