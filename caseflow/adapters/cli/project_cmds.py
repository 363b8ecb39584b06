"""``caseflow project add|list|show``: a park area renovated under one workflow."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _mu(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _print_project(state: CliState, view: Any) -> None:
    from caseflow.adapters.cli import render

    key = "zh_CN" if state.lang.startswith("zh") else "en"
    labels = {stage: names[key] for stage, names in view.stage_labels.items()}
    by_stage = ", ".join(f"{labels.get(stage, stage)} {n}"
                         for stage, n in view.cases_by_stage.items())
    render.show(render.pairs([
        (_("Code"), view.code), (_("Name"), view.name), (_("Town"), view.town),
        (_("Workflow"), view.workflow), (_("Area (mu)"), _mu(view.area_mu)),
        (_("Target (mu)"), _mu(view.target_mu)), (_("Cases"), view.cases),
        (_("By stage"), by_stage),
    ]))


def register(app: typer.Typer) -> None:
    project = typer.Typer(help="Projects: a park area under one workflow.", no_args_is_help=True)
    app.add_typer(project, name="project")

    @project.command("add")
    def add(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="short code, e.g. SW01")],
        name: Annotated[str, typer.Option("--name", help="project name")],
        town: Annotated[str, typer.Option("--town", help="town, e.g. 神湾镇")],
        workflow: Annotated[str, typer.Option("--workflow", help="workflow name, e.g. gongai")],
        area_mu: Annotated[float | None, typer.Option("--area-mu", help="area in mu")] = None,
        target_mu: Annotated[float | None, typer.Option("--target-mu",
                                                        help="target area in mu")] = None,
        mode: Annotated[str | None, typer.Option("--mode", help="renovation mode")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Add a project (admin)."""
        state: CliState = ctx.obj
        view = state.records("project.add", code=code, name=name, town=town,
                             workflow=workflow, area_mu=area_mu, target_mu=target_mu,
                             mode=mode)
        if json:
            print_json(view.as_dict(), state.tz)
        else:
            typer.echo(_("project {code} added: {name} ({town}, {workflow})").format(
                code=view.code, name=view.name, town=view.town, workflow=view.workflow))

    @project.command("list")
    def list_(
        ctx: typer.Context,
        town: Annotated[str | None, typer.Option("--town", help="only this town")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Projects with their case counts."""
        state: CliState = ctx.obj
        data = state.call("project.list", town=town)
        if json:
            print_json(data, state.tz)
            return
        from caseflow.adapters.cli.records import wrap

        views = wrap(data)
        from caseflow.adapters.cli import render

        grid = render.table(_("Code"), _("Name"), _("Town"), _("Workflow"), _("Mu"), _("Cases"))
        grid.columns[1].overflow = "ellipsis"
        grid.columns[4].justify = grid.columns[5].justify = "right"
        for v in views:
            grid.add_row(v.code, v.name, v.town, v.workflow, _mu(v.area_mu), str(v.cases))
        render.show(grid)

    @project.command("show")
    def show(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="project code")],
        json: JsonOpt = False,
    ) -> None:
        """One project and its cases by stage."""
        state: CliState = ctx.obj
        view = state.records("project.show", code=code)
        if json:
            print_json(view.as_dict(), state.tz)
        else:
            _print_project(state, view)
