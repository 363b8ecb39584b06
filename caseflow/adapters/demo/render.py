"""What each kind of user would see at the end of the demo, with the command that
shows it: a member's queue, the clear-to-zero list, the weekly ranking and the
burndown. Everything is read through the services and drawn with the same helpers
the CLI commands use, so the demo shows exactly what those commands print; its own
words come from the CLI's gettext catalogs (``show`` selects the language).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time
from typing import Any

from rich.console import Console
from rich.panel import Panel

from caseflow.adapters.cli import i18n
from caseflow.adapters.cli.i18n import _, ngettext
from caseflow.adapters.demo.run import DemoResult
from caseflow.bootstrap import bootstrap
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.services import clearlist, directory, reports, tickets
from caseflow.services.app import App

# the weekly ranking's columns a supervisor reads first (the command shows them all)
WEEKLY_COLUMNS = ("rank", "movement", "name", "opened", "closed", "on_time_rate", "overdue")
QUEUE_ROWS = 10
CLEARLIST_ROWS = 8


def _zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def _hint(console: Console, lang: str, command: str) -> None:
    shown_by = _("shown by:")
    console.print(f"[dim]↳ {shown_by}[/dim] "
                  f"[bold cyan]{command}[/bold cyan]", soft_wrap=True)
    console.print()


def show(result: DemoResult, console: Console, elapsed: float | None = None,
         lang: str = "zh_CN") -> None:
    end = datetime.combine(result.end, time(18, 0), SHANGHAI)
    app = bootstrap(database_url=result.database_url, clock=FixedClock(end))
    db = f"caseflow --db {result.database_url}"
    i18n.use(lang)
    try:
        _summary(app, result, console, elapsed, lang)
        _member_queue(app, result, console, db, lang)
        _clear_list(app, result, console, db, lang)
        _weekly(app, result, console, db, lang)
        _burndown(app, result, console, db, lang)
    finally:
        app.engine.dispose()


def _summary(app: App, result: DemoResult, console: Console, elapsed: float | None,
             lang: str) -> None:
    town, stats = result.town, result.stats
    area = sum(p.area_mu for p in town.seed.projects)
    flow = app.workflows.get(town.seed.workflow)
    built_in = _("built in")
    built = f"  ·  {built_in} {elapsed:.1f} s" if elapsed is not None else ""
    cases = len(town.case_ids)
    lines = [
        _("[bold]{town}[/bold] 工改指挥部 · one office, four task forces · {staff} staff · "
          "{projects} projects · {area} mu").format(
            town=town.seed.town, staff=town.staff_count(), projects=len(town.seed.projects),
            area=f"{area:.2f}"),
        _("workflow: {label}").format(label=flow.label_zh if _zh(lang) else flow.label_en),
        ngettext("{n} enterprise case", "{n} enterprise cases", cases).format(n=cases),
        _("simulated {start} → {end}: closed on time {on_time}, late {late}; {assigned} "
          "assigned, {extended} extended, {advanced} stage moves, {held} holds, {withdrawn} "
          "withdrawn").format(
            start=result.start, end=result.end, on_time=stats.closed_on_time,
            late=stats.closed_late, assigned=stats.assigned, extended=stats.extended,
            advanced=stats.advanced, held=stats.held, withdrawn=stats.withdrawn),
        _("sweeps run {swept}, signed off {signed_off}, rejected {rejected}").format(
            swept=stats.swept, signed_off=stats.signed_off, rejected=stats.rejected),
        _("database: {url}{built}").format(url=result.database_url, built=built),
    ]
    console.print(Panel("\n".join(lines), title=_("caseflow demo"), expand=False))


def _member_queue(app: App, result: DemoResult, console: Console, db: str, lang: str) -> None:
    """The member with the longest queue, as ``ticket list --mine`` shows it."""
    from caseflow.adapters.cli import render

    best: Any = None
    queue: list[Any] = []
    for member in (m for team in result.town.members.values() for m in team):
        mine = tickets.list_tickets(app, member, scope="mine")
        if len(mine) > len(queue):
            best, queue = member, mine
    if best is None:
        return
    title = _("A member's queue: {name} ({login}), {n} open").format(
        name=best.name, login=best.login, n=len(queue))
    console.print(render.ticket_table(queue[:QUEUE_ROWS], lang=lang, tz=SHANGHAI,
                                      now=app.clock.now(), calendar=app.calendar, title=title,
                                      width=min(console.width, 120)))
    if len(queue) > QUEUE_ROWS:
        console.print(_("… and {n} more").format(n=len(queue) - QUEUE_ROWS))
    _hint(console, lang, f"{db} --user {best.login} ticket list --mine")


def _clear_list(app: App, result: DemoResult, console: Console, db: str, lang: str) -> None:
    """What a supervisor sees: 还剩 N 项未清零, per team, highest level first."""
    from caseflow.adapters.cli.escalation_cmds import clearlist_view

    heading = _("The clear-to-zero list")
    console.print(f"[bold]{heading}[/bold]")
    names = {t.code: t.name for t in directory.list_teams(app)} if _zh(lang) else None
    listed = clearlist.list_entries(app, limit=CLEARLIST_ROWS)
    for line in clearlist_view(listed, lang, SHANGHAI, team_names=names, compact=True):
        console.print(line, markup=False, highlight=False)
    supervisor = result.town.supervisors[0].login if result.town.supervisors else "<supervisor>"
    _hint(console, lang, f"{db} --user {supervisor} clearlist")


def _weekly(app: App, result: DemoResult, console: Console, db: str, lang: str) -> None:
    """The last simulated week, ranked by team, as ``report weekly`` shows it."""
    from caseflow.adapters.cli.report_cmds import rich_table, weekly_table

    week = reports.Week.containing(result.end).label
    table = weekly_table(reports.weekly(app, week, by="team"), lang)
    table = dataclasses.replace(table, columns=[c for c in table.columns
                                                if c.key in WEEKLY_COLUMNS])
    view = rich_table(table, lang)
    names = [c.key for c in table.columns].index("name")
    view.columns[names].no_wrap = True  # 腾挪安置专班 on one line; headers may fold
    console.print(view)
    _hint(console, lang, f"{db} report weekly --by team --week {week}")


def _burndown(app: App, result: DemoResult, console: Console, db: str, lang: str) -> None:
    from caseflow.adapters.exporters.burndown import chart_labels, render_terminal

    days = (result.end - result.start).days + 1
    series = reports.burndown(app, days)
    console.print(render_terminal(series, width=min(console.width, 100), height=18,
                                  title=chart_labels(lang).default_title, lang=lang))
    _hint(console, lang, f"{db} report burndown --days {days}")
