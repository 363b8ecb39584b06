"""The queue: a person's work orders, soonest due first, worked through by key.

``enter`` details, ``s`` start, ``c`` close (asks for the note), ``e`` extend and
``a`` assign (leads), ``/`` filter as you type, ``v`` next view, ``r`` refresh.
Rows come a page at a time; the next page loads when the cursor nears the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from caseflow.adapters.cli.i18n import _
from caseflow.adapters.tui.cells import STYLES, cell, inert, relative, share
from caseflow.adapters.tui.listing import ListScreen
from caseflow.adapters.tui.source import PAGE, VIEWS, Source

if TYPE_CHECKING:
    from caseflow.services.views import TicketView


def view_label(view: str) -> str:
    return {"mine": _("My work orders"), "team": _("My team's work orders"),
            "overdue": _("Overdue work orders"), "all": _("All I may see")}[view]


class QueueScreen(ListScreen["TicketView"]):
    TABLE = "queue"

    BINDINGS = [
        Binding("s", "start", _("start")),
        Binding("c", "close_order", _("close")),
        Binding("e", "extend", _("extend"), show=False),
        Binding("a", "assign", _("assign"), show=False),
        Binding("slash", "filter", _("filter")),
        Binding("v", "next_view", _("view")),
        Binding("r", "refresh", _("refresh")),
        Binding("b", "board", _("board"), show=False),
        Binding("question_mark", "keys", _("keys")),
        Binding("escape", "clear_filter", show=False),
        Binding("q", "app.quit", _("quit")),
    ]

    def __init__(self, source: Source, view: str) -> None:
        super().__init__()
        self.source = source
        self.view = view
        self.rows: list[TicketView] = []  # everything loaded, in order
        self.shown: list[TicketView] = []  # what the filter lets through
        self.more = False
        self.filter_text = ""
        self.column_widths: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="heading")
        table: DataTable[Any] = DataTable(id="queue", cursor_type="row", zebra_stripes=False)
        yield table
        yield Input(placeholder=_("filter: title or enterprise"), id="filter", classes="hidden")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # -- data -----------------------------------------------------------------------

    def load(self, keep: int | None = None) -> None:
        """Read the first page again; keep the cursor on order ``keep`` if still there."""
        self.rows = self.source.queue(self.view, limit=PAGE)
        self.more = len(self.rows) == PAGE
        self.redraw(keep)

    def load_more(self) -> None:
        if not self.more or not self.rows:
            return
        page = self.source.queue(self.view, after=self.rows[-1], limit=PAGE)
        self.more = len(page) == PAGE
        self.rows.extend(page)
        self.redraw(self.current_id())

    def redraw(self, keep: int | None = None) -> None:
        needle = self.filter_text.casefold()
        self.shown = [v for v in self.rows if not needle
                      or needle in v.title.casefold() or needle in (v.title_zh or "").casefold()
                      or needle in v.case_name.casefold()]
        table = self.query_one("#queue", DataTable)
        widths = self.widths()
        if widths != self.column_widths:  # columns are laid out again only when needed
            table.clear(columns=True)
            table.add_column(_("ID"), width=widths[0], key="id")
            table.add_column(_("Work order"), width=widths[1], key="title")
            table.add_column(_("Enterprise"), width=widths[2], key="case")
            table.add_column(_("Due"), width=widths[3], key="due")
            self.column_widths = widths
        else:
            table.clear()
        now = self.source.now()
        lang = self.app_lang
        for v in self.shown:
            rel, light = relative(v.due_at, now, self.source.working_days_between)
            style = STYLES.get(light, "")
            title = v.display_title(lang)
            if v.status == "in_progress":
                title = "> " + title
            table.add_row(cell(str(v.id), widths[0], style), cell(title, widths[1], style),
                          cell(f"#{v.case_id} {v.case_name}", widths[2]),
                          cell(rel, widths[3], style), key=str(v.id))
        if keep is not None:
            for index, v in enumerate(self.shown):
                if v.id == keep:
                    table.move_cursor(row=index)
                    break
        self.heading()

    def widths(self) -> list[int]:
        """ID and deadline keep their full width; title and enterprise share the rest."""
        total = max(40, self.size.width or 80)
        lang = self.app_lang
        id_width = max([cell_len(_("ID"))] + [len(str(v.id)) for v in self.shown])
        due_width = max(cell_len(_("Due")), 14)
        room = total - id_width - due_width - 2 * 4 - 2  # cell padding and the scrollbar
        titles = max([cell_len(v.display_title(lang)) + 2 for v in self.shown] or [10])
        names = max([cell_len(f"#{v.case_id} {v.case_name}") for v in self.shown] or [10])
        title, name = share(room, [titles, names])
        return [id_width, title, name, due_width]

    def heading(self) -> None:
        total = len(self.shown)
        more = "+" if self.more else ""
        text = _("{who} | {view} | {n} shown").format(
            who=inert(self.source.login), view=view_label(self.view), n=f"{total}{more}")
        if self.filter_text:
            text += "  " + _("filter: {text}").format(text=inert(self.filter_text))
        self.query_one("#heading", Static).update(Text(text))

    def visible(self) -> list[TicketView]:
        return self.shown

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_details()

    # -- actions --------------------------------------------------------------------

    def action_details(self) -> None:
        ticket = self.current()
        if ticket is None:
            return
        from caseflow.adapters.tui.details import TicketScreen

        view = self.guarded(self.source.ticket, ticket.id)
        if view is not None:
            self.app.push_screen(TicketScreen(self.source, view))

    def action_start(self) -> None:
        ticket = self.current()
        if ticket is None:
            return
        done = self.guarded(self.source.start, ticket.id)
        if done is not None:
            self.say(_("started #{id}").format(id=done.id))
            self.load(done.id)

    def action_close_order(self) -> None:
        ticket = self.current()
        if ticket is None:
            return
        from caseflow.adapters.tui.prompts import Ask

        def closing(note: str | None) -> None:
            if note is None:
                self.say(_("not closed"))
                return
            done = self.guarded(self.source.close, ticket.id, note)
            if done is not None:
                self.say(_("closed #{id} {title}").format(
                    id=done.id, title=done.display_title(self.app_lang)))
                self.load(self.next_after(ticket.id))

        self.app.push_screen(Ask(_("Close #{id} {title}: what was done?").format(
            id=ticket.id, title=ticket.display_title(self.app_lang)),
            _("closing note")), closing)

    def next_after(self, ticket_id: int) -> int | None:
        """The order the cursor should land on once ``ticket_id`` leaves the list."""
        ids = [v.id for v in self.shown]
        if ticket_id not in ids:
            return None
        at = ids.index(ticket_id)
        rest = ids[at + 1:] or ids[:at][-1:]
        return rest[0] if rest else None

    def action_extend(self) -> None:
        ticket = self.current()
        if ticket is None:
            return
        if self.source.role not in ("lead", "admin"):
            self.say(_("only a team lead can extend a deadline"), error=True)
            return
        from caseflow.adapters.tui.prompts import AskExtension

        def extending(answer: tuple[Any, str] | None) -> None:
            if answer is None:
                return
            done = self.guarded(self.source.extend, ticket.id, *answer)
            if done is not None:
                self.say(_("extended #{id} to {day}").format(id=done.id, day=answer[0]))
                self.load(done.id)

        self.app.push_screen(AskExtension(f"#{ticket.id} {ticket.display_title(self.app_lang)}"),
                             extending)

    def action_assign(self) -> None:
        ticket = self.current()
        if ticket is None:
            return
        if self.source.role not in ("lead", "admin"):
            self.say(_("only a team lead can assign work orders"), error=True)
            return
        people = self.guarded(self.source.assignable)
        if not people:
            self.say(_("nobody to assign to"), error=True)
            return
        from caseflow.adapters.tui.prompts import Pick

        def assigning(login: str | None) -> None:
            if login is None:
                return
            done = self.guarded(self.source.assign, ticket.id, login)
            if done is not None:
                self.say(_("#{id} assigned to {login}").format(id=done.id, login=login))
                self.load(done.id)

        choices = [(u.login, f"{u.name} ({u.login}, {u.team or '-'})") for u in people]
        self.app.push_screen(Pick(_("Assign #{id} to").format(id=ticket.id), choices), assigning)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("hidden")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter_text = event.value.strip()
            self.redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one("#queue", DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.filter_text or not box.has_class("hidden"):
            box.value = ""
            box.add_class("hidden")
            self.filter_text = ""
            self.redraw()
            self.query_one("#queue", DataTable).focus()

    def action_next_view(self) -> None:
        views = [v for v in VIEWS if v != "team" or self.source.team_id is not None]
        self.view = views[(views.index(self.view) + 1) % len(views)] \
            if self.view in views else views[0]
        self.guarded(self.load)

    def action_refresh(self) -> None:
        self.guarded(self.load, self.current_id())
        self.say(_("refreshed"))

    def action_board(self) -> None:
        if self.source.role in ("supervisor", "admin"):
            self.app.switch_to("board")  # type: ignore[attr-defined]

    def action_keys(self) -> None:
        from caseflow.adapters.tui.prompts import Keys

        self.app.push_screen(Keys([
            ("enter", _("details and history")), ("s", _("start the work order")),
            ("c", _("close it (asks for the note)")), ("e", _("extend (leads)")),
            ("a", _("assign (leads)")), ("/", _("filter as you type")),
            ("v", _("switch view: mine, team, overdue, all")), ("r", _("refresh")),
            ("b", _("clear-to-zero board (supervisors)")), ("?", _("these keys")),
            ("q", _("quit")),
        ]))
