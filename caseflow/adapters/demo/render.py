"""What each kind of user would see at the end of the demo, with the command that
shows it. Read through the services; sections whose service is not installed in
this build (clear-to-zero list, reports) use the small read-outs below instead.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from sqlmodel import select

from caseflow.adapters.demo import features
from caseflow.adapters.demo.run import DemoResult
from caseflow.clock import SHANGHAI, FixedClock
from caseflow.persistence.models import AuditEvent, ClearListEntry, Team, Ticket
from caseflow.services import tickets
from caseflow.services.app import App


def _hint(console: Console, command: str) -> None:
    console.print(f"[dim]↳ shown by:[/dim] [bold cyan]{command}[/bold cyan]", soft_wrap=True)


def show(result: DemoResult, console: Console, elapsed: float | None = None) -> None:
    end = datetime.combine(result.end, time(18, 0), SHANGHAI)
    app = App.from_settings(database_url=result.database_url, clock=FixedClock(end))
    db = f"--db {result.database_url}"
    try:
        _summary(app, result, console, elapsed)
        _member_queue(app, result, console, db, end)
        _clear_list(app, console, db)
        _weekly(app, result, console, db, end)
        _burndown(result, console, db)
    finally:
        app.engine.dispose()


def _summary(app: App, result: DemoResult, console: Console, elapsed: float | None) -> None:
    town, stats = result.town, result.stats
    area = sum(p.area_mu for p in town.seed.projects)
    with app.uow(readonly=True) as uow:
        by_status = dict(uow.session.exec(
            select(Ticket.status, sa.func.count(Ticket.id)).group_by(Ticket.status)).all())
        events = uow.session.exec(select(sa.func.count(AuditEvent.id))).one()
    lines = [
        f"[bold]{town.seed.town}[/bold] 工改指挥部 · 一办四专班 · {town.staff_count()} staff · "
        f"{len(town.seed.projects)} projects · {area:.2f} mu · workflow {town.seed.workflow}",
        f"{len(town.case_ids)} enterprise cases; work orders: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())) + f"; {events} audit events",
        f"simulated {result.start} → {result.end}: closed on time {stats.closed_on_time}, "
        f"late {stats.closed_late}; {stats.assigned} assigned, {stats.extended} extended, "
        f"{stats.advanced} stage moves, {stats.held} holds, {stats.withdrawn} withdrawn",
        f"sweeps run {stats.swept}, signed off {stats.signed_off}, rejected {stats.rejected}"
        + ("" if features.sweep() else "  [yellow](escalation service not in this build)[/yellow]"),
        f"database: {result.database_url}"
        + (f"  ·  built in {elapsed:.1f} s" if elapsed is not None else ""),
    ]
    console.print(Panel("\n".join(lines), title="caseflow demo", expand=False))


def _due_text(due: datetime, now: datetime) -> tuple[str, str]:
    days = (due.astimezone(SHANGHAI).date() - now.astimezone(SHANGHAI).date()).days
    if due < now:
        return f"逾期{-days}天" if days < 0 else "今日逾期", "red"
    if days <= 1:
        return "今明两天到期", "yellow"
    return due.astimezone(SHANGHAI).strftime("%m-%d"), ""


def _member_queue(app: App, result: DemoResult, console: Console, db: str,
                  now: datetime) -> None:
    members = [m for team in result.town.members.values() for m in team]
    best, queue = None, []
    for member in members:
        mine = tickets.list_tickets(app, member, scope="mine")
        if len(mine) > len(queue):
            best, queue = member, mine
    if best is None:
        return
    table = Table(title=f"组员待办 · a member's queue: {best.name} ({best.login})",
                  title_justify="left")
    for col in ("#", "工单 work order", "企业 case", "到期 due", "状态"):
        table.add_column(col, overflow="fold")
    for view in queue[:10]:
        due, style = _due_text(view.due_at, now)
        table.add_row(str(view.id), view.display_title("zh_CN")[:24], view.case_name[:18],
                      f"[{style}]{due}[/{style}]" if style else due,
                      {"open": "待办", "in_progress": "办理中"}.get(view.status, view.status))
    console.print(table)
    _hint(console, f"caseflow {db} --user {best.login} ticket list --mine")


def _clear_list(app: App, console: Console, db: str) -> None:
    with app.uow(readonly=True) as uow:
        rows = uow.session.exec(
            select(ClearListEntry.status, ClearListEntry.level, Team.code)
            .join(Team, Team.id == ClearListEntry.team_id, isouter=True)
            .where(ClearListEntry.status != "signed_off")).all()
        signed = uow.session.exec(select(sa.func.count(ClearListEntry.id)).where(
            ClearListEntry.status == "signed_off")).one()
    if not rows and not signed and features.sweep() is None:
        console.print("[yellow]清零清单 clear-to-zero list: needs the escalation service "
                      "(caseflow.services.sweep), not in this build[/yellow]")
        _hint(console, f"caseflow {db} --user <supervisor> clearlist")
        return
    table = Table(title=f"清零清单 · 还剩 {len(rows)} 项未清零 (signed off {signed})",
                  title_justify="left")
    table.add_column("专班 team")
    for label in ("L1 逾期", "L2 督办", "L3 挂牌督办", "待销号 awaiting"):
        table.add_column(label, justify="right")
    per_team: dict[str, Counter[str]] = {}
    for status, level, team in rows:
        key = "awaiting" if status == "awaiting_signoff" else f"L{min(level, 3)}"
        per_team.setdefault(team or "-", Counter())[key] += 1
    for team, counts in sorted(per_team.items(), key=lambda kv: -sum(kv[1].values())):
        table.add_row(team, *(str(counts[k]) for k in ("L1", "L2", "L3", "awaiting")))
    console.print(table)
    _hint(console, f"caseflow {db} --user <supervisor> clearlist")


def _weekly(app: App, result: DemoResult, console: Console, db: str, now: datetime) -> None:
    """The last simulated week per team, counted from the audit events."""
    week_end = datetime.combine(result.end + timedelta(days=1), time(0, 0), SHANGHAI)
    week_start = week_end - timedelta(days=7)
    with app.uow(readonly=True) as uow:
        s = uow.session
        events = s.exec(select(AuditEvent.team_id, AuditEvent.action, AuditEvent.after)
                        .where(AuditEvent.at >= week_start, AuditEvent.at < week_end,
                               AuditEvent.action.in_(("ticket.open", "ticket.close")))).all()  # type: ignore[attr-defined]
        overdue = dict(s.exec(select(Ticket.team_id, sa.func.count(Ticket.id)).where(
            Ticket.status.in_(("open", "in_progress")), Ticket.due_at < now)  # type: ignore[attr-defined]
            .group_by(Ticket.team_id)).all())
        teams = dict(s.exec(select(Team.id, Team.name)).all())
    rows = []
    for team_id, name in teams.items():
        opened = sum(1 for t, a, _ in events if t == team_id and a == "ticket.open")
        closed = [after for t, a, after in events if t == team_id and a == "ticket.close"]
        on_time = sum(1 for after in closed if after and after.get("on_time"))
        rate = on_time / len(closed) if closed else 1.0
        rows.append((name, opened, len(closed), rate, overdue.get(team_id, 0)))
    rows.sort(key=lambda r: (r[4], -r[3], -r[2]))
    iso = result.end.isocalendar()
    table = Table(title=f"每周量化排序 · weekly ranking {iso.year}-W{iso.week:02d}",
                  title_justify="left")
    for col in ("名次", "专班 team", "新增", "办结", "按时率", "当前逾期"):
        table.add_column(col, justify="right" if col != "专班 team" else "left")
    for rank, (name, opened, closed, rate, late) in enumerate(rows, start=1):
        table.add_row(str(rank), name, str(opened), str(closed), f"{rate:.0%}",
                      f"[red]{late}[/red]" if late else "0")
    console.print(table)
    _hint(console, f"caseflow {db} report weekly --by team --week {iso.year}-W{iso.week:02d}")


def _burndown(result: DemoResult, console: Console, db: str) -> None:
    from caseflow.adapters.exporters.burndown import BurndownSeries, render_terminal

    points = result.stats.burndown
    if not points:
        return
    series = BurndownSeries([d for d, _ in points], [n for _, n in points])
    what = "清零清单未清零项" if features.sweep() else "逾期未办结工单 (overdue open orders)"
    console.print(render_terminal(series, width=78, height=16, title=f"燃尽图 burndown: {what}"))
    _hint(console, f"caseflow {db} report burndown --days {len(points)}")
