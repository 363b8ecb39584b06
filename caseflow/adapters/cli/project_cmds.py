"""``caseflow project add|list|show``: a park area renovated under one workflow."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _mu(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _stage_labels(state: CliState, workflow: str) -> dict[str, str]:
    try:
        definition = state.app().workflows.get(workflow)
    except Exception:  # a workflow file removed since: show the raw stage names
        return {}
    return {s.name: s.label(state.lang) for s in definition.stages}


def _print_project(state: CliState, view: Any) -> None:
    from caseflow.adapters.cli import render

    labels = _stage_labels(state, view.workflow)
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
        from caseflow.services import projects

        state: CliState = ctx.obj
        view = projects.add_project(state.app(), state.actor(), code, name, town, workflow,
                                    area_mu, target_mu, mode)
        if json:
            print_json(view, state.tz)
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
        from caseflow.services import projects

        state: CliState = ctx.obj
        state.actor()
        views = projects.list_projects(state.app(), town)
        if json:
            print_json(views, state.tz)
            return
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
        from caseflow.services import projects

        state: CliState = ctx.obj
        state.actor()
        view = projects.show_project(state.app(), code)
        if json:
            print_json(view, state.tz)
        else:
            _print_project(state, view)
