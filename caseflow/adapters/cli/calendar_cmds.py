"""``caseflow calendar add DATE 5wd|10d`` and ``caseflow calendar month YYYY-MM``:
the official working-day calendar (holidays and 调休 make-up working days)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

import typer

from caseflow.adapters.cli.context import CliState, print_json
from caseflow.adapters.cli.i18n import _

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def _warn_fallback(calendar: Any, years: set[int]) -> None:
    """Say so, visibly, when a year has no official schedule and Mon–Fri is assumed."""
    calendar.warn_unknown(years)


def _weekday(day: date) -> str:
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    return names[day.weekday()]


def register(app: typer.Typer) -> None:
    cal = typer.Typer(help="Working days: holidays and make-up working days (调休).",
                      no_args_is_help=True)
    app.add_typer(cal, name="calendar")

    @cal.command("add")
    def add(
        ctx: typer.Context,
        start: Annotated[str, typer.Argument(help="start date YYYY-MM-DD")],
        duration: Annotated[str, typer.Argument(help="5wd (working days) or 10d (days)")],
        json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """The due date N working (or calendar) days after DATE."""
        from caseflow.domain.durations import parse_date, parse_duration

        state: CliState = ctx.obj
        first, span = parse_date(start), parse_duration(duration)
        calendar = state.app(check_schema=False).calendar
        horizon = first + timedelta(days=span.amount * 2 + 30 if span.working else span.amount)
        _warn_fallback(calendar, set(range(first.year, horizon.year + 1)))
        due = (calendar.add_working_days(first, span.amount) if span.working
               else first + timedelta(days=span.amount))
        if json:
            print_json({"start": first, "duration": str(span), "due": due,
                        "working_day": calendar.is_workday(due)}, state.tz)
            return
        typer.echo(f"{due.isoformat()} {_weekday(due)}")

    @cal.command("month")
    def month(
        ctx: typer.Context,
        which: Annotated[str, typer.Argument(help="YYYY-MM")],
        json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """A month with holidays and make-up working days (调休) marked."""
        match = _MONTH.match(which)
        if not match or not 1 <= int(match.group(2)) <= 12:
            from caseflow.errors import InvalidInput

            raise InvalidInput(f"{which!r} is not a month", hint="write it as YYYY-MM")
        year, number = int(match.group(1)), int(match.group(2))
        from caseflow.domain import values

        values.month(year, number)
        state: CliState = ctx.obj
        calendar = state.app(check_schema=False).calendar
        _warn_fallback(calendar, {year})
        days = calendar.month(year, number)
        if json:
            print_json([{"date": d, "working": w, "adjusted": calendar.is_adjusted(d)}
                        for d, w in days], state.tz)
            return
        _print_month(year, number, days, calendar)


def _print_month(year: int, number: int, days: list[tuple[date, bool]], calendar: Any) -> None:
    from rich.text import Text

    from caseflow.adapters.cli import render

    grid = render.table(*[_weekday(date(2024, 1, 1) + timedelta(days=i)) for i in range(7)],
                        title=f"{year}-{number:02d}")
    for column in grid.columns:
        column.justify = "right"
    week: list[Any] = [""] * days[0][0].weekday()
    holidays, makeups = 0, 0
    for day, working in days:
        cell = Text(f"{day.day:2d}")
        if calendar.is_adjusted(day):
            if working:
                makeups += 1
                cell = Text(f"{day.day:2d}" + _("w"), style="bold yellow")
            else:
                holidays += 1
                cell = Text(f"{day.day:2d}" + _("h"), style="bold red")
        elif not working:
            cell.stylize("dim")
        week.append(cell)
        if len(week) == 7:
            grid.add_row(*week)
            week = []
    if week:
        grid.add_row(*(week + [""] * (7 - len(week))))
    out = render.console()
    out.print(grid)
    out.print(_("h = public holiday on a weekday ({h}), w = make-up working day on a weekend "
                "(调休, {w}); {n} working days").format(
        h=holidays, w=makeups, n=sum(1 for _d, working in days if working)))



