"""How the command looks: rich tables that fit 80 columns, deadlines in colour,
relative times in working days, instants in the display time zone.

rich measures East Asian wide characters as two cells, so Chinese titles line up.
Only ``rich.console`` and ``rich.table`` are imported here (not ``rich.progress``),
to keep the everyday commands quick to start.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from caseflow.adapters.cli.i18n import _, ngettext

OPEN = ("open", "in_progress")


def console(*, stderr: bool = False) -> Any:
    from caseflow.adapters.inert import console as inert_console

    stream = sys.stderr if stderr else sys.stdout
    # Not a terminal (a pipe, a test): 80 columns unless COLUMNS says otherwise.
    width = None if stream.isatty() else int(os.environ.get("COLUMNS") or 80)
    # names and titles are data: never markup, never a terminal escape
    return inert_console(file=stream, width=width, soft_wrap=False)


def table(*columns: str, title: str | None = None) -> Any:
    from rich import box
    from rich.table import Table

    grid = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
                 title_justify="left", expand=False)
    for name in columns:
        grid.add_column(name)
    return grid


def show(renderable: Any) -> None:
    console().print(renderable)


def when(instant: datetime | None, tz: ZoneInfo) -> str:
    """An instant as local wall time, minutes precision."""
    if instant is None:
        return "—"
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def due_text(instant: datetime, tz: ZoneInfo) -> str:
    """A deadline: just the date when it is the end of a day (as most are)."""
    local = instant.astimezone(tz)
    if local.time() >= time(23, 59):
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def status_label(status: str) -> str:
    labels = {
        "open": _("open"), "in_progress": _("in progress"), "closed": _("closed"),
        "cancelled": _("cancelled"), "active": _("active"), "on_hold": _("on hold"),
        "withdrawn": _("withdrawn"), "done": _("done"),
    }
    return labels.get(status, status)


def action_label(action: str) -> str:
    """An audit action in words (办结工单, 延期, 销号 …), never its key; a case's
    stage moves read "case moved" whatever the workflow calls the trigger."""
    labels = {
        "ticket.open": _("opened the work order"), "ticket.start": _("started"),
        "ticket.close": _("closed the work order"), "ticket.reopen": _("reopened"),
        "ticket.assign": _("assigned"), "ticket.extend": _("extended the deadline"),
        "ticket.comment": _("commented"), "ticket.cancel": _("cancelled"),
        "ticket.escalate": _("escalated"), "entry.awaiting_signoff": _("awaiting sign-off"),
        "entry.open": _("back on the list"), "entry.signed_off": _("signed off"),
        "entry.rejected": _("closure rejected"), "entry.created": _("put on the list"),
        "case.open": _("case opened"), "case.fact": _("recorded"),
        "case.fact_retracted": _("record withdrawn"),
    }
    if action in labels:
        return labels[action]
    return _("case moved") if action.startswith("case.") else _("changed")


def role_label(role: str) -> str:
    labels = {"member": _("member"), "lead": _("lead"), "supervisor": _("supervisor"),
              "admin": _("admin")}
    return labels.get(role, role)


def relative_due(due_at: datetime, now: datetime, calendar: Any) -> tuple[str, str]:
    """("overdue 3 working days", "red") / ("due in 2 working days", "yellow"|"")."""
    from caseflow.clock import local_date

    today, due_day = local_date(now), local_date(due_at)
    if due_at < now:
        days = calendar.working_days_between(due_day, today)
        if days <= 0:
            return _("overdue"), "red"
        return ngettext("overdue %(n)d working day", "overdue %(n)d working days",
                        days) % {"n": days}, "red"
    days = calendar.working_days_between(today, due_day)
    if days <= 0:
        return _("due today"), "yellow"
    text = ngettext("due in %(n)d working day", "due in %(n)d working days", days) % {"n": days}
    return text, "yellow" if days <= 1 else ""


def ticket_table(tickets: Sequence[Any], *, lang: str, tz: ZoneInfo, now: datetime,
                 calendar: Any, title: str | None = None, width: int | None = None) -> Any:
    """Work orders, one line each (long titles end in …): id, what, case, who, due.

    Only the title gives way on a narrow terminal; the deadline is never cut.
    """
    from rich.cells import cell_len

    rows: list[tuple[Any, ...]] = []
    for ticket in tickets:
        who = ticket.assignee or (f"({ticket.team})" if ticket.team else "—")
        if ticket.status in OPEN:
            rel, style = relative_due(ticket.due_at, now, calendar)
            due = rel
        else:
            style = "dim"
            due = f"{status_label(ticket.status)} {when(ticket.closed_at, tz)[5:]}"
        title_text = ticket.display_title(lang)
        if ticket.status == "in_progress":
            title_text = f"▸ {title_text}"
        rows.append((str(ticket.id), title_text, f"#{ticket.case_id} {ticket.case_name}", who,
                     due, style or None))
    grid = table(_("ID"), _("Work order"), _("Case"), _("Assignee"), _("Due"), title=title)
    for column in grid.columns:
        column.no_wrap = True
        column.overflow = "ellipsis"
    natural = [max([cell_len(r[i]) for r in rows] + [cell_len(str(grid.columns[i].header))])
               for i in range(5)]
    fixed = [natural[0], 0, min(natural[2], 12), min(natural[3], 9), natural[4]]
    room = (width or console().width) - sum(fixed) - 3 * (len(fixed) - 1)
    # On a wide terminal the case widens first (names share their start, 中山市…, so
    # the end tells them apart) while the title keeps 30 cells; then the title takes
    # what it needs, and what is left goes to the case and the assignee.
    give = min(max(0, min(natural[2], 40) - fixed[2]), max(0, room - 30))
    fixed[2] += give
    room -= give
    fixed[1] = max(10, min(natural[1], room))
    spare = room - fixed[1]
    for i in (2, 3):
        grow = max(0, min(natural[i] - fixed[i], spare))
        fixed[i] += grow
        spare -= grow
    grid.columns[0].justify = "right"
    for column, size in zip(grid.columns, fixed, strict=True):
        column.width = size
    for *cells, style in rows:
        grid.add_row(*cells, style=style)
    return grid


def pairs(rows: Iterable[tuple[str, Any]], title: str | None = None) -> Any:
    """A two-column "field: value" block for ``show`` commands."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    if title:
        grid.title = title
        grid.title_justify = "left"
    for key, value in rows:
        grid.add_row(key, "—" if value is None or value == "" else str(value))
    return grid


def history_table(events: Sequence[Any], tz: ZoneInfo) -> Any:
    grid = table(_("When"), _("Who"), _("What"), _("Note"), title=_("History"))
    grid.columns[0].no_wrap = True
    grid.columns[3].overflow = "fold"
    for event in events:
        what = action_label(event.action)
        if event.ticket_id and not event.action.startswith("ticket."):
            what = f"{what} #{event.ticket_id}"
        grid.add_row(when(event.at, tz), event.actor, what, event.note or "")
    return grid
