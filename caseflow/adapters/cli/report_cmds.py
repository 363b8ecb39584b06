"""``caseflow report weekly|progress|burndown``: the supervisors' reports.

The computations live in ``caseflow.services.reports``; this module only turns their
results into ``ReportTable`` values (both languages) and hands those to the terminal
(rich), JSON, or the xlsx / CSV / HTML writers.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _
from caseflow.errors import InvalidInput

if TYPE_CHECKING:
    from caseflow.adapters.exporters.table import ReportTable
    from caseflow.services.reports import ProgressReport, WeeklyReport


SHOWN = 100  # units the terminal shows unless told


class Format(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    csv = "csv"
    html = "html"


class WeeklyBy(StrEnum):
    team = "team"
    town = "town"
    project = "project"
    person = "person"


class ProgressBy(StrEnum):
    project = "project"
    town = "town"


FILE_FORMATS = (Format.xlsx, Format.csv, Format.html)

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json, xlsx, csv or html")]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="file for xlsx/csv/html (default: a name in the "
                 "current folder, printed)"),
]


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help="Supervisor reports: weekly ranking, progress, burndown.",
                             no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @report_app.command("weekly")
    def weekly_cmd(
        ctx: typer.Context,
        week: Annotated[str | None, typer.Option(
            "--week", help="ISO week such as 2026-W11 (default: the last complete week)")] = None,
        by: Annotated[WeeklyBy, typer.Option("--by", help="team, town, project or person")] =
            WeeklyBy.team,
        fmt: FormatOpt = Format.table,
        output: OutputOpt = None,
    ) -> None:
        """The weekly ranking (每周量化排序) with movement against the week before."""
        state: CliState = ctx.obj
        data = state.call("report.weekly", week=week, by=by.value)
        if fmt is Format.json:
            print_json(data, state.tz)
            return
        from caseflow.adapters.cli.records import wrap

        report = wrap(data)
        table = ranking_table(report.week, report.by, report.start, report.end, data["rows"])
        charts: list[str] = []
        if fmt is Format.html:
            from caseflow.adapters.exporters.burndown import render_svg

            # the clear-to-zero list through THAT week, Monday to Sunday (to now if running)
            charts = [render_svg(_series(state, 7, None, last_day=str(report.end)),
                                 lang=state.lang)]
        default = f"weekly-{report.week}-{report.by}.{fmt.value}"
        _emit(state, fmt, output, default, [table], charts)

    @report_app.command("progress")
    def progress_cmd(
        ctx: typer.Context,
        year: Annotated[int | None, typer.Option("--year", help="default: this year")] = None,
        by: Annotated[ProgressBy, typer.Option(
            "--by", help="town (default) or project (the long table)")] = ProgressBy.town,
        fmt: FormatOpt = Format.table,
        output: OutputOpt = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", min=0, help="the terminal shows 100 units unless told (0: all); "
                                   "files and JSON have every one")] = None,
        offset: Annotated[int, typer.Option(
            "--offset", metavar="N", min=0, help="skip the first N units (the next page)")] = 0,
        all_: Annotated[bool, typer.Option("--all", help="every unit, not one page")] = False,
    ) -> None:
        """Area through demolition against the year's target, the stage funnel and the pace:
        per town, or per project with ``--by project``."""
        state: CliState = ctx.obj
        report = state.records("report.progress", year=year, by=by.value)
        if fmt is Format.json:
            print_json(report.as_dict(), state.tz)
            return
        summary, funnel = progress_tables(report, state.lang)
        if fmt is Format.table:
            size = None if all_ or limit == 0 else (limit or SHOWN)
            summary, funnel, more = _page_units(summary, funnel, offset, size)
            _print_tables([summary, funnel], state.lang)
            if more:
                typer.echo(_("… and {n} more: --offset {next} shows the next ones, --all every "
                             "entry").format(n=more, next=offset + len(summary.rows)))
            return
        default = f"progress-{report.year}-{report.by}.{fmt.value}"
        _emit(state, fmt, output, default, [summary, funnel])

    @report_app.command("burndown")
    def burndown_cmd(
        ctx: typer.Context,
        days: Annotated[int, typer.Option("--days", help="how many days back")] = 30,
        team: Annotated[str | None, typer.Option("--team", help="team CODE")] = None,
        output: Annotated[Path | None, typer.Option(
            "--output", "-o", help="FILE.png or FILE.svg (default: a chart in the terminal)")]
            = None,
    ) -> None:
        """The clear-to-zero list's open items per day, with the trend towards zero."""
        from caseflow.adapters.exporters import burndown as charts

        state: CliState = ctx.obj
        series = _series(state, days, team)
        lang = state.lang
        title = _burndown_title(lang, team)
        if output is None:
            import shutil

            width = min(max(shutil.get_terminal_size((100, 24)).columns, 60), 140)
            typer.echo(charts.render_terminal(series, width=width, height=22, title=title,
                                              lang=lang))
            return
        suffix = output.suffix.lower()
        if suffix == ".png":
            charts.write_png(series, output, title, lang=lang, title_en=_burndown_title("en", team))
        elif suffix == ".svg":
            charts.write_svg(series, output, title, lang=lang)
        else:
            raise InvalidInput(f"cannot tell the picture format of {output.name}",
                               hint="name the file .png or .svg")
        typer.echo(str(output))


def _series(state: CliState, days: int, team: str | None, last_day: str | None = None) -> Any:
    """The burndown's days and counts from the use case, as the chart module's series."""
    from datetime import date

    from caseflow.domain.burndown import BurndownSeries

    data = state.call("report.burndown", days=days, team=team, last_day=last_day)
    return BurndownSeries(dates=[date.fromisoformat(d) for d in data["dates"]],
                          open_counts=list(data["open_counts"]))


def _burndown_title(lang: str, team: str | None) -> str:
    from caseflow.adapters.exporters.burndown import chart_labels

    base = chart_labels(lang).default_title
    return _("{title} ({team})").format(title=base, team=team) if team else base


# --------------------------------------------------------------------------- tables


def _unit_word(by: str) -> str:
    return {"team": _("by team"), "town": _("by town"), "project": _("by project"),
            "person": _("by person")}[by]


def weekly_rows(report: WeeklyReport) -> list[dict[str, Any]]:
    """The ranking's rows as ``report weekly --format json`` prints them."""
    return [{
        "rank": r.rank, "movement": r.movement, "unit": r.unit, "name": r.unit_name,
        "opened": r.opened, "closed": r.closed, "closed_on_time": r.closed_on_time,
        "on_time_rate": r.on_time_rate, "overdue": r.overdue,
        "mean_overdue_days": r.mean_overdue_days, "entries_added": r.entries_added,
        "entries_signed_off": r.entries_signed_off, "entries_left": r.entries_left,
    } for r in report.rows]


def weekly_json(report: WeeklyReport) -> dict[str, Any]:
    return {"week": report.week, "previous_week": report.previous_week, "by": report.by,
            "start": report.start, "end": report.end, "as_of": report.as_of,
            "rows": weekly_rows(report)}


def weekly_table(report: WeeklyReport, lang: str = "en") -> ReportTable:
    return ranking_table(report.week, report.by, report.start, report.end,
                         weekly_rows(report))


def ranking_table(week: str, by: str, start: Any, end: Any,
                  rows: list[dict[str, Any]]) -> ReportTable:
    """The weekly ranking as a report table, from its JSON rows (local or remote)."""
    from caseflow.adapters.exporters.table import Column, ReportTable

    person = by == "person"
    columns = [
        Column("rank", "Rank", "排名", "int"),
        Column("movement", "Change vs last week", "较上周", "int"),
        Column("unit", "Unit", "单位"),
        Column("name", "Name", "名称"),
        Column("opened", "Orders received" if person else "Orders opened",
               "接收工单" if person else "新增工单", "int"),
        Column("closed", "Closed", "办结", "int"),
        Column("closed_on_time", "Closed on time", "按期办结", "int"),
        Column("on_time_rate", "On time %", "按期办结率", "percent"),
        Column("overdue", "Overdue at week end", "周末逾期", "int"),
        Column("mean_overdue_days", "Mean working days overdue", "平均逾期工作日", "float"),
        Column("entries_added", "Clear-list added", "清单新增", "int"),
        Column("entries_signed_off", "Clear-list signed off", "清单销号", "int"),
        Column("entries_left", "Clear-list left", "清单剩余", "int"),
    ]
    period = _("{week} ({start} – {end})").format(week=week, start=start, end=end)
    return ReportTable(
        title_en="Weekly ranking", title_zh="每周量化排序", unit=_unit_word(by),
        period=period, columns=columns, rows=rows,
        footnote=_("Rank: on-time close rate (high first; none closed ranks last), then fewest "
                   "overdue at week end, then most closed."),
    )


def progress_tables(report: ProgressReport, lang: str = "en"
                    ) -> tuple[ReportTable, ReportTable]:
    from caseflow.adapters.exporters.table import Column, ReportTable, is_chinese

    zh = is_chinese(lang)

    summary_columns = [
        Column("unit", "Unit", "单位"),
        Column("name", "Name", "名称"),
        Column("target_mu", "Annual target (mu)", "年度目标（亩）", "float"),
        Column("through_mu", "Demolished/consolidated (mu)", "已拆除整备（亩）", "float"),
        Column("completion_rate", "Completion", "完成率", "percent"),
        Column("through_cases", "Cases through demolition", "拆除整备宗数", "int"),
        Column("relocated", "Enterprises relocated", "腾挪企业数", "int"),
        Column("projected_mu", "Projected by year end (mu)", "年底预计（亩）", "float"),
        Column("projected_rate", "Projected completion", "预计完成率", "percent"),
        Column("cases", "Cases", "案件总数", "int"),
        Column("funnel", "Cases per stage", "各环节案件数（谈→移→拆→建→引）"),
    ]
    rows = [{
        "unit": r.unit, "name": r.unit_name, "target_mu": r.target_mu,
        "through_mu": round(r.through_mu, 2), "completion_rate": r.completion_rate,
        "through_cases": r.through_cases, "relocated": r.relocated,
        "projected_mu": r.projected_mu, "projected_rate": r.projected_rate, "cases": r.cases,
        "funnel": _funnel_text(r.funnel, zh),
    } for r in report.rows]
    unit = _unit_word(report.by)
    period = _("{year} (to {as_of}, day {day}/{days})").format(
        year=report.year, as_of=report.as_of, day=report.elapsed_days, days=report.days_in_year)
    summary = ReportTable(
        title_en="Progress against the annual target", title_zh="年度目标完成进度",
        unit=unit, period=period, columns=summary_columns, rows=rows,
        footnote=_("Area counts a case once it has left the demolish stage forward this year; "
                   "the projection keeps this year's daily pace to 31 December."),
    )
    funnel = ReportTable(
        title_en="Cases per stage", title_zh="各环节案件数", unit=unit,
        period=str(report.as_of),
        columns=[Column("unit", "Unit", "单位"), Column("workflow", "Workflow", "流程"),
                 Column("stage", "Stage", "环节"), Column("cases", "Cases", "案件数", "int")],
        rows=[{"unit": r.unit, "workflow": s.workflow,
               "stage": s.label_zh if zh else s.label_en, "cases": s.cases}
              for r in report.rows for s in r.funnel],
    )
    return summary, funnel


def _page_units(summary: ReportTable, funnel: ReportTable, offset: int, size: int | None
                ) -> tuple[ReportTable, ReportTable, int]:
    """The units ``offset`` to ``offset + size`` of both tables, and how many follow."""
    import dataclasses

    rows = summary.rows[offset:] if size is None else summary.rows[offset:offset + size]
    units = {r["unit"] for r in rows}
    more = max(0, len(summary.rows) - offset - len(rows))
    return (dataclasses.replace(summary, rows=rows),
            dataclasses.replace(funnel, rows=[r for r in funnel.rows if r["unit"] in units]),
            more)


def _funnel_text(steps: list[Any], zh: bool) -> str:
    """``谈 3 → 移 1 → 拆 0 → 建 2 → 引 1 → 已完成 0``, one chain per workflow; held and
    withdrawn cases are left to the funnel table."""
    chains: dict[str, list[str]] = {}
    for s in steps:
        if s.stage not in ("on_hold", "withdrawn"):
            chains.setdefault(s.workflow, []).append(f"{s.label_zh if zh else s.stage} {s.cases}")
    return _("; ").join(" → ".join(chain) for chain in chains.values())


# --------------------------------------------------------------------------- output


def _emit(state: CliState, fmt: Format, output: Path | None, default: str,
          tables: list[ReportTable], charts: list[str] | None = None) -> None:
    lang = state.lang
    if fmt is Format.table:
        _print_tables(tables, lang)
        return
    path = output or Path(default)
    if fmt is Format.xlsx:
        from caseflow.adapters.exporters.xlsx import write_xlsx

        write_xlsx(tables, path, lang)
    elif fmt is Format.csv:
        from caseflow.adapters.exporters.csvfile import write_csv

        write_csv(tables[0], path, lang)
    else:
        from caseflow.adapters.exporters.htmlpage import write_html

        write_html(tables, path, lang, charts or ())
    typer.echo(str(path))


def _print_tables(tables: list[ReportTable], lang: str) -> None:
    from caseflow.adapters.inert import console as inert_console

    console = inert_console(soft_wrap=False)
    if not console.is_terminal:  # piped or captured: do not fold the headers at 80 columns
        console = inert_console(soft_wrap=False, width=240)
    for table in tables:
        console.print(rich_table(table, lang))


def rich_table(table: ReportTable, lang: str) -> Any:
    """One report table as a rich table: caption as title, footnote below."""
    from rich import box
    from rich.table import Table

    from caseflow.adapters.exporters.table import format_value

    view = Table(title=table.caption(lang), box=box.SIMPLE_HEAVY, title_justify="left",
                 caption=table.footnote, caption_justify="left")
    for column in table.columns:
        view.add_column(column.header(lang), justify="right" if column.numeric else "left",
                        overflow="fold")
    for row in table.rows:
        view.add_row(*[_cell(column, row.get(column.key), format_value)
                       for column in table.columns])
    return view


def _cell(column: Any, value: Any, format_value: Any) -> str:
    if column.key == "movement":
        if value is None:
            return "—"
        return f"↑{value}" if value > 0 else f"↓{-value}" if value < 0 else "="
    text = format_value(column, value)
    return text if text else "—"
