"""What each kind of user would see at the end of the demo, with the command that
shows it: a member's queue, the clear-to-zero list, the weekly ranking and the
burndown. Everything is read through the services and drawn with the same helpers
the CLI commands use, so the demo shows exactly what those commands print.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

from rich.console import Console
from rich.panel import Panel

from caseflow.adapters.demo.run import DemoResult
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.services import clearlist, directory, reports, tickets
from caseflow.services.app import App

# the weekly ranking's columns a supervisor reads first (the command shows them all)
WEEKLY_COLUMNS = ("rank", "movement", "name", "opened", "closed", "on_time_rate", "overdue")
QUEUE_ROWS = 10
CLEARLIST_ROWS = 8


def _zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def _t(lang: str, zh: str, en: str) -> str:
    return zh if _zh(lang) else en


def _hint(console: Console, lang: str, command: str) -> None:
    console.print(f"[dim]↳ {_t(lang, '查看命令：', 'shown by:')}[/dim] "
                  f"[bold cyan]{command}[/bold cyan]", soft_wrap=True)
    console.print()


def show(result: DemoResult, console: Console, elapsed: float | None = None,
         lang: str = "zh_CN") -> None:
    end = datetime.combine(result.end, time(18, 0), SHANGHAI)
    app = App.from_settings(database_url=result.database_url, clock=FixedClock(end))
    db = f"caseflow --db {result.database_url}"
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
    built = f"  ·  {_t(lang, '用时', 'built in')} {elapsed:.1f} s" if elapsed is not None else ""
    if _zh(lang):
        lines = [
            f"[bold]{town.seed.town}[/bold] 工改指挥部 · 一办四专班 · "
            f"工作人员 {town.staff_count()} 人 · 项目 {len(town.seed.projects)} 个 · "
            f"面积 {area:.2f} 亩",
            f"流程：{flow.label_zh}",
            f"企业案件 {len(town.case_ids)} 宗",
            f"模拟 {result.start} 至 {result.end}：按期办结 {stats.closed_on_time} 件，"
            f"逾期办结 {stats.closed_late} 件；派单 {stats.assigned} 次，延期 {stats.extended} 次，"
            f"推进环节 {stats.advanced} 次，暂缓 {stats.held} 宗，撤销 {stats.withdrawn} 宗",
            f"每日巡查 {stats.swept} 次，销号 {stats.signed_off} 项，退回 {stats.rejected} 项",
            f"数据库：{result.database_url}{built}",
        ]
    else:
        lines = [
            f"[bold]{town.seed.town}[/bold] 工改指挥部 · one office, four task forces · "
            f"{town.staff_count()} staff · {len(town.seed.projects)} projects · "
            f"{area:.2f} mu",
            f"workflow: {flow.label_en}",
            f"{len(town.case_ids)} enterprise cases",
            f"simulated {result.start} → {result.end}: closed on time {stats.closed_on_time}, "
            f"late {stats.closed_late}; {stats.assigned} assigned, {stats.extended} extended, "
            f"{stats.advanced} stage moves, {stats.held} holds, {stats.withdrawn} withdrawn",
            f"sweeps run {stats.swept}, signed off {stats.signed_off}, "
            f"rejected {stats.rejected}",
            f"database: {result.database_url}{built}",
        ]
    console.print(Panel("\n".join(lines), title=_t(lang, "caseflow 演示", "caseflow demo"),
                        expand=False))


def _member_queue(app: App, result: DemoResult, console: Console, db: str, lang: str) -> None:
    """The member with the longest queue, as ``ticket list --mine`` shows it."""
    from caseflow.adapters.cli import render

    best, queue = None, []
    for member in (m for team in result.town.members.values() for m in team):
        mine = tickets.list_tickets(app, member, scope="mine")
        if len(mine) > len(queue):
            best, queue = member, mine
    if best is None:
        return
    title = _t(lang, f"组员待办：{best.name}（{best.login}），共 {len(queue)} 项",
               f"A member's queue: {best.name} ({best.login}), {len(queue)} open")
    console.print(render.ticket_table(queue[:QUEUE_ROWS], lang=lang, tz=SHANGHAI,
                                      now=app.clock.now(), calendar=app.calendar, title=title,
                                      width=min(console.width, 120)))
    if len(queue) > QUEUE_ROWS:
        console.print(_t(lang, f"……另有 {len(queue) - QUEUE_ROWS} 项",
                         f"… and {len(queue) - QUEUE_ROWS} more"))
    _hint(console, lang, f"{db} --user {best.login} ticket list --mine")


def _clear_list(app: App, result: DemoResult, console: Console, db: str, lang: str) -> None:
    """What a supervisor sees: 还剩 N 项未清零, per team, highest level first."""
    from caseflow.adapters.cli.escalation_cmds import clearlist_view

    console.print(f"[bold]{_t(lang, '清零清单', 'The clear-to-zero list')}[/bold]")
    names = {t.code: t.name for t in directory.list_teams(app)} if _zh(lang) else None
    for renderable in clearlist_view(clearlist.list_entries(app), lang, SHANGHAI,
                                     limit=CLEARLIST_ROWS, team_names=names, compact=True):
        console.print(renderable)
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
