"""``caseflow case add|import|list|show|advance|hold|resume|withdraw``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _
from caseflow.adapters.inert import echo

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
IdArg = Annotated[int, typer.Argument(help="case id")]
SHOWN = 100        # cases the terminal shows unless told
JSON_SHOWN = 200   # and JSON, as it always has


def _mu(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _print_case(state: CliState, view: Any) -> None:
    from caseflow.adapters.cli import render

    lang, tz = state.lang, state.tz
    out = render.console()
    out.print(render.pairs([
        (_("Case"), f"#{view.id} {view.name}"),
        (_("Project"), view.project),
        (_("Credit code"), view.credit_code),
        (_("Area (mu)"), _mu(view.area_mu)),
        (_("Stage"), f"{view.stage_label(lang)} ({view.stage})"),
        (_("Status"), render.status_label(view.status)),
        (_("Team"), view.team),
        (_("Workflow"), f"{view.workflow} v{view.workflow_version}"),
        (_("In stage since"), render.when(view.stage_entered_at, tz)),
        (_("Facts"), ", ".join(view.facts)),
        (_("Next"), ", ".join(view.allowed_triggers)),
    ]))
    if view.tickets:
        out.print(render.ticket_table(view.tickets, lang=lang, tz=tz, now=state.now(),
                                      calendar=state.calendar(), title=_("Work orders")))
    out.print(render.history_table(view.history, tz))


def _print_moved(state: CliState, moved: Any, json: bool) -> None:
    if json:
        print_json(moved.as_dict(), state.tz)
        return
    lang = state.lang
    source = moved.source_label_zh if lang.startswith("zh") else moved.source_label_en
    echo(_("case #{id} {name}: {source} → {dest} ({trigger})").format(
        id=moved.case.id, name=moved.case.name, source=source,
        dest=moved.case.stage_label(lang), trigger=moved.trigger))
    for ticket in moved.opened:
        echo("  + " + _("opened #{id} {title}").format(id=ticket.id,
                                                           title=ticket.display_title(lang)))
    if moved.cancelled:
        echo("  - " + _("cancelled {ids}").format(
            ids=", ".join(f"#{i}" for i in moved.cancelled)))


def register(app: typer.Typer) -> None:
    case = typer.Typer(help="Enterprise cases (one enterprise's renovation).",
                       no_args_is_help=True)
    app.add_typer(case, name="case")

    @case.command("add")
    def add(
        ctx: typer.Context,
        project: Annotated[str, typer.Option("--project", help="project CODE")],
        name: Annotated[str, typer.Option("--name", help="enterprise name")],
        credit_code: Annotated[str | None, typer.Option(
            "--credit-code", help="unified social credit code (18 characters)")] = None,
        area_mu: Annotated[float | None, typer.Option("--area-mu", help="area in mu")] = None,
        team: Annotated[str | None, typer.Option("--team", help="responsible team CODE")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Open a case; its first stage's work orders open with it."""
        state: CliState = ctx.obj
        view = state.records("case.add", project=project, name=name, credit_code=credit_code,
                             area_mu=area_mu, team=team)
        if json:
            print_json(view.as_dict(), state.tz)
        else:
            echo(_("case #{id} added: {name} ({stage})").format(
                id=view.id, name=view.name, stage=view.stage_label(state.lang)))

    @case.command("import")
    def import_(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help=".csv or .xlsx with name, credit_code, "
                                                  "area_mu (+ team, owner, address, contact)")],
        project: Annotated[str, typer.Option("--project", help="project CODE")],
        skip_invalid: Annotated[bool, typer.Option(
            "--skip-invalid", help="import the valid rows even when some are bad")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Import cases; every row is checked first, and nothing is written unless all
        rows are valid (or --skip-invalid)."""
        state: CliState = ctx.obj
        if state.session is not None:  # remote: the server reads and checks the file
            import base64

            from caseflow.adapters.cli.case_import import ImportResult

            try:
                content = file.read_bytes()
            except OSError as exc:
                from caseflow.errors import InvalidInput

                raise InvalidInput("cannot read {file}: {problem}", file=str(file),
                                   problem=exc.strerror or str(exc)) from None
            result = ImportResult(**state.call(
                "case.import", project=project, filename=file.name,
                content_base64=base64.b64encode(content).decode("ascii"),
                skip_invalid=skip_invalid))
        else:  # local: with a progress bar for big files
            from caseflow.adapters.cli.case_import import run_import

            result = run_import(state.app(), state.actor(), file, project,
                                skip_invalid=skip_invalid)
        for message in result.errors:
            echo(message, err=True)  # rows quote the file's text: shown inert
        if json:
            print_json({k: v for k, v in vars(result).items() if k != "case_ids"}
                       | {"first_id": result.case_ids[0] if result.case_ids else None},
                       state.tz)
        if result.errors and not skip_invalid:
            from caseflow.errors import InvalidInput

            raise InvalidInput(
                _("nothing imported: {bad} of {rows} rows are bad").format(
                    bad=result.skipped, rows=result.rows),
                hint=_("fix them, or pass --skip-invalid to import the other rows"))
        if not json:
            echo(_("imported {n} cases into {project}").format(
                n=result.imported, project=result.project)
                + (_("; skipped {n} bad rows").format(n=result.skipped) if result.skipped
                   else ""))

    @case.command("list")
    def list_(
        ctx: typer.Context,
        project: Annotated[str | None, typer.Option("--project", help="project CODE")] = None,
        stage: Annotated[str | None, typer.Option("--stage", help="stage name")] = None,
        status: Annotated[str | None, typer.Option(
            "--status", help="active, on_hold, withdrawn or done")] = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", min=0, help="at most N cases (the terminal shows 100, JSON 200 unless told; "
                                   "0: all)")] = None,
        offset: Annotated[int, typer.Option(
            "--offset", metavar="N", min=0, help="skip the first N cases (the next page)")] = 0,
        all_: Annotated[bool, typer.Option("--all", help="every case, not one page")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Cases by id, a page at a time (counted in the database)."""
        state: CliState = ctx.obj
        size = 0 if all_ or limit == 0 else (limit or (JSON_SHOWN if json else SHOWN))
        data = state.call("case.list", project=project, stage=stage, status=status,
                          limit=size, offset=offset)
        if json:
            print_json(data["cases"], state.tz)
            return
        from caseflow.adapters.cli.records import wrap

        views = wrap(data["cases"])
        from caseflow.adapters.cli import render

        grid = render.table(_("ID"), _("Enterprise"), _("Stage"), _("Status"), _("Team"),
                            _("Mu"))
        grid.columns[0].justify = grid.columns[5].justify = "right"
        grid.columns[1].overflow = "ellipsis"
        grid.columns[1].max_width = 30
        for v in views:
            style = "dim" if v.status in ("withdrawn", "done") else None
            grid.add_row(str(v.id), v.name, v.stage_label(state.lang),
                         render.status_label(v.status), v.team or "—", _mu(v.area_mu),
                         style=style)
        render.show(grid)
        if data["more"]:
            typer.echo(_("… and {n} more: --offset {next} shows the next ones, --all every "
                         "entry").format(n=data["more"], next=offset + len(views)))

    @case.command("show")
    def show(ctx: typer.Context, case_id: IdArg, json: JsonOpt = False) -> None:
        """One case with its work orders and history."""
        state: CliState = ctx.obj
        view = state.records("case.show", case_id=case_id)
        if json:
            print_json(view.as_dict(), state.tz)
        else:
            _print_case(state, view)

    @case.command("advance")
    def advance(
        ctx: typer.Context, case_id: IdArg,
        trigger: Annotated[str | None, typer.Argument(
            help="transition; without it the single forward one")] = None,
        note: Annotated[str | None, typer.Option("--note", help="why, for the record")] = None,
        cancel_open: Annotated[bool, typer.Option(
            "--cancel-open", help="cancel the stage's open optional orders, --note on each")] =
            False,
        keep_open: Annotated[bool, typer.Option(
            "--keep-open", help="leave the stage's open optional orders open")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Move a case to its next stage (or fire TRIGGER)."""
        from caseflow.adapters.cli.context import UsageProblem

        state: CliState = ctx.obj
        if cancel_open and keep_open:
            raise UsageProblem(_("give --cancel-open or --keep-open, not both"))
        open_orders = "cancel" if cancel_open else "keep" if keep_open else "refuse"
        _print_moved(state, state.records("case.advance", case_id=case_id, trigger=trigger,
                                          note=note, open_orders=open_orders), json)

    @case.command("hold")
    def hold(
        ctx: typer.Context, case_id: IdArg,
        reason: Annotated[str, typer.Option("--reason", help="why the case pauses")],
        json: JsonOpt = False,
    ) -> None:
        """Put a case on hold."""
        state: CliState = ctx.obj
        _print_moved(state, state.records("case.hold", case_id=case_id, reason=reason), json)

    @case.command("resume")
    def resume(
        ctx: typer.Context, case_id: IdArg,
        note: Annotated[str | None, typer.Option("--note", help="for the record")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Resume a held case in the stage it was held in."""
        state: CliState = ctx.obj
        _print_moved(state, state.records("case.resume", case_id=case_id, note=note), json)

    @case.command("withdraw")
    def withdraw(
        ctx: typer.Context, case_id: IdArg,
        reason: Annotated[str, typer.Option("--reason", help="why the case ends")],
        json: JsonOpt = False,
    ) -> None:
        """Withdraw a case; its open work orders are cancelled."""
        state: CliState = ctx.obj
        _print_moved(state, state.records("case.withdraw", case_id=case_id, reason=reason),
                     json)

