"""``caseflow workflow list | show NAME [--diagram]``: the lifecycle definitions."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _summary(definition: Any, lang: str) -> dict[str, Any]:
    zh = lang.startswith("zh")
    return {
        "name": definition.name, "version": definition.version,
        "label": definition.label_zh if zh else definition.label_en,
        "initial": definition.initial,
        "stages": [{"name": s.name, "label_en": s.label_en, "label_zh": s.label_zh,
                    "kind": s.kind,
                    "templates": [{"key": t.key, "title_en": t.title_en, "title_zh": t.title_zh,
                                   "team": t.team, "due": str(t.due), "required": t.required,
                                   "records": t.records} for t in s.templates]}
                   for s in definition.stages],
        "transitions": [{"trigger": t.trigger, "sources": list(t.sources), "dest": t.dest,
                         "guards": list(t.guards), "label_en": t.label_en,
                         "label_zh": t.label_zh} for t in definition.transitions],
    }


def register(app: typer.Typer) -> None:
    wf = typer.Typer(help="Lifecycle definitions (workflows/*.toml).", no_args_is_help=True)
    app.add_typer(wf, name="workflow")

    @wf.command("list")
    def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
        """The workflows this installation knows."""
        from caseflow.adapters.cli import render

        state: CliState = ctx.obj
        defs = state.app(check_schema=False).workflows.current()
        if json:
            print_json([{"name": d.name, "version": d.version, "label_en": d.label_en,
                         "label_zh": d.label_zh, "stages": [s.name for s in d.stages]}
                        for d in defs.values()], state.tz)
            return
        grid = render.table(_("Name"), _("Version"), _("Stages"), _("Description"))
        grid.columns[3].overflow = "fold"
        for d in defs.values():
            label = d.label_zh if state.lang.startswith("zh") else d.label_en
            stages = " → ".join(s.label(state.lang) for s in d.stages if s.kind == "work")
            grid.add_row(d.name, str(d.version), stages, label)
        render.show(grid)

    @wf.command("show")
    def show(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="workflow name, e.g. gongai")],
        diagram: Annotated[bool, typer.Option("--diagram",
                                              help="print a Mermaid stateDiagram")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Stages, work-order templates and transitions of one workflow."""
        state: CliState = ctx.obj
        definition = state.app(check_schema=False).workflows.get(name)
        if diagram:
            from caseflow.domain.lifecycle import mermaid

            typer.echo(mermaid(definition, state.lang), nl=False)
            return
        if json:
            print_json(_summary(definition, state.lang), state.tz)
            return
        from caseflow.adapters.cli import render

        lang = state.lang
        zh = lang.startswith("zh")
        out = render.console()
        out.print(f"{definition.name} v{definition.version}  "
                  f"{definition.label_zh if zh else definition.label_en}", style="bold")
        grid = render.table(_("Stage"), _("Work order"), _("Team"), _("Due"), _("Required"))
        grid.columns[1].overflow = "fold"
        for stage in definition.stages:
            label = f"{stage.label(lang)} ({stage.name})"
            if not stage.templates:
                grid.add_row(label, "—", "", "", "")
            for i, template in enumerate(stage.templates):
                grid.add_row(label if i == 0 else "", template.title(lang), template.team or "",
                             str(template.due), "✓" if template.required else "")
        out.print(grid)
        moves = render.table(_("Trigger"), _("From"), _("To"), _("Needs"))
        for t in definition.transitions:
            moves.add_row(f"{t.trigger} ({t.label_zh if zh else t.label_en})",
                          ", ".join(t.sources), t.dest, ", ".join(t.guards))
        out.print(moves)
