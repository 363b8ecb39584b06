"""Details: a work order with its history, and its case on the stage path.

``k`` from a work order opens its case: the path 谈 > 移 > 拆 > 建 > 引 with the
current stage marked, what still blocks the next stage, and the case's orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from caseflow.adapters.cli.i18n import _
from caseflow.adapters.tui.cells import STYLES, day, inert, relative
from caseflow.adapters.tui.source import Source

if TYPE_CHECKING:
    from caseflow.domain.workflow import WorkflowDefinition
    from caseflow.services.views import CaseView, EventView, TicketView

OPEN = ("open", "in_progress")


def status_label(status: str) -> str:
    from caseflow.adapters.cli.render import status_label as label

    return label(status)


def action_label(action: str) -> str:
    from caseflow.adapters.cli.render import action_label as label

    return label(action)


def history(events: list[EventView], lang: str) -> Table:
    grid = Table(box=None, show_header=True, pad_edge=False, expand=True)
    grid.add_column(_("When"), no_wrap=True)
    grid.add_column(_("Who"), no_wrap=True)
    grid.add_column(_("What"))
    grid.add_column(_("Note"), overflow="fold", ratio=1)
    from caseflow.clock import SHANGHAI

    for event in events:
        grid.add_row(Text(event.at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")),
                     Text(inert(event.actor)), Text(action_label(event.action)),
                     Text(inert(event.note or "")))
    return grid


class TicketScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", _("back")),
        Binding("k", "case", _("case")),
        Binding("q", "app.quit", _("quit")),
    ]

    def __init__(self, source: Source, ticket: TicketView) -> None:
        super().__init__()
        self.source = source
        self.ticket = ticket

    def compose(self) -> ComposeResult:
        t = self.ticket
        lang = getattr(self.app, "lang", "en")
        if t.status in OPEN:
            rel, light = relative(t.due_at, self.source.now(), self.source.working_days_between)
            due = Text(f"{day(t.due_at)}  {rel}", style=STYLES.get(light, ""))
        else:
            due = Text(day(t.due_at))
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column(overflow="fold")
        for key, value in (
            (_("Work order"), Text(f"#{t.id} {inert(t.display_title(lang))}")),
            (_("Enterprise"), Text(f"#{t.case_id} {inert(t.case_name)}")),
            (_("Status"), Text(status_label(t.status))),
            (_("Team"), Text(inert(t.team or "-"))),
            (_("Assignee"), Text(inert(t.assignee or "-"))),
            (_("Due"), due),
            (_("Escalation level"), Text(str(t.level or "-"))),
            (_("Note"), Text(inert(t.close_note or "-"))),
        ):
            facts.add_row(key, value)
        with VerticalScroll():
            yield Static(facts)
            yield Static(Text(_("History"), style="bold"), classes="section")
            yield Static(history(self.ticket.history, lang))
        yield Footer()

    def action_case(self) -> None:
        answer = self.app.guarded(self, self.source.case, self.ticket.case_id)  # type: ignore[attr-defined]
        if answer is not None:
            self.app.push_screen(CaseScreen(self.source, *answer))


def stage_path(case: CaseView, workflow: WorkflowDefinition, lang: str) -> Text:
    """谈 > 移 > [拆] > 建 > 引: the main path, the case's stage in reverse video."""
    text = Text()
    main = [s for s in workflow.stages if s.kind != "side" or s.name == case.stage]
    if not main:
        main = list(workflow.stages)
    for index, stage in enumerate(main):
        if index:
            text.append(" > ", style="dim")
        label = stage.label(lang)
        if stage.name == case.stage:
            text.append(f" {label} ", style="reverse bold")
        else:
            text.append(label)
    return text


class CaseScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", _("back")),
        Binding("q", "app.quit", _("quit")),
    ]

    def __init__(self, source: Source, case: CaseView, workflow: WorkflowDefinition) -> None:
        super().__init__()
        self.source = source
        self.case = case
        self.workflow = workflow

    def compose(self) -> ComposeResult:
        c = self.case
        lang = getattr(self.app, "lang", "en")
        head = Table.grid(padding=(0, 2))
        head.add_column(style="bold", no_wrap=True)
        head.add_column(overflow="fold")
        head.add_row(_("Case"), Text(f"#{c.id} {inert(c.name)}"))
        head.add_row(_("Status"), Text(status_label(c.status)))
        head.add_row(_("Stage"), stage_path(c, self.workflow, lang))
        blocking = [t for t in c.tickets if t.stage == c.stage and t.required
                    and t.status in OPEN]
        if blocking:
            head.add_row(_("Blocks the next stage"), Text("\n".join(
                f"#{t.id} {inert(t.display_title(lang))}" for t in blocking), style="yellow"))
        else:
            head.add_row(_("Blocks the next stage"), Text(_("nothing: ready to advance")))
        orders = Table(box=None, pad_edge=False, expand=True)
        orders.add_column(_("ID"), no_wrap=True, justify="right")
        orders.add_column(_("Work order"), ratio=1)
        orders.add_column(_("Status"), no_wrap=True)
        orders.add_column(_("Due"), no_wrap=True)
        now = self.source.now()
        for t in c.tickets:
            if t.status in OPEN:
                rel, light = relative(t.due_at, now, self.source.working_days_between)
                style = STYLES.get(light, "")
            else:
                rel, style = day(t.closed_at or t.due_at), "dim"
            orders.add_row(str(t.id), Text(inert(t.display_title(lang)), style=style),
                           Text(status_label(t.status), style=style), Text(rel, style=style))
        with VerticalScroll():
            yield Static(head)
            yield Static(Text(_("Work orders"), style="bold"), classes="section")
            yield Static(orders)
        yield Footer()
