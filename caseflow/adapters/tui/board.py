"""The board: the clear-to-zero list (清零清单) for supervisors, grouped by team.

``o`` signs the highlighted item off (销号, asks for the note), ``x`` rejects it
(退回, asks for the reason); the list and its "还剩 N 项" follow at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from caseflow.adapters.cli.i18n import _
from caseflow.adapters.tui.cells import STYLES, cell, inert, relative, share
from caseflow.adapters.tui.listing import ListScreen
from caseflow.adapters.tui.source import PAGE, Source

if TYPE_CHECKING:
    from caseflow.services.clearlist import EntryView


class BoardScreen(ListScreen["EntryView"]):
    TABLE = "board"

    BINDINGS = [
        Binding("o", "signoff", _("sign off")),
        Binding("x", "reject", _("reject")),
        Binding("r", "refresh", _("refresh")),
        Binding("w", "queue", _("work orders")),
        Binding("question_mark", "keys", _("keys")),
        Binding("q", "app.quit", _("quit")),
    ]

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self.entries: list[EntryView] = []
        self.left = 0
        self.per_team: dict[str, int] = {}
        self.more = False
        self.column_widths: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="heading")
        yield Static("", id="teams")
        table: DataTable[Any] = DataTable(id="board", cursor_type="row")
        yield table
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self, keep: int | None = None) -> None:
        board = self.source.board(limit=PAGE)
        self.entries, self.left, self.per_team, self.more = (
            _grouped(board.entries), board.left, board.per_team, board.more)
        self.redraw(keep)

    def load_more(self) -> None:
        if not self.more:
            return
        board = self.source.board(offset=len(self.entries), limit=PAGE)
        self.entries = _grouped(self.entries + board.entries)
        self.more = board.more
        self.redraw(self.current_id())

    def redraw(self, keep: int | None = None) -> None:
        table = self.query_one("#board", DataTable)
        widths = self.widths()
        if widths != self.column_widths:  # columns are laid out again only when needed
            table.clear(columns=True)
            for label, key, width in zip(
                    (_("Team"), _("Entry"), _("Work order"), _("Enterprise"), _("Level"),
                     _("Overdue")), ("team", "id", "title", "case", "level", "late"), widths,
                    strict=True):
                table.add_column(label, width=width, key=key)
            self.column_widths = widths
        else:
            table.clear()
        now = self.source.now()
        previous = None
        for entry in self.entries:
            rel, light = relative(entry.due_at, now, self.source.working_days_between)
            style = STYLES.get(light, "") if entry.status == "open" else "green"
            if entry.status == "awaiting_signoff":
                rel = _("awaiting sign-off")
            team = entry.team or "-"
            table.add_row(
                cell(team if team != previous else "", widths[0], "bold"),
                cell(str(entry.id), widths[1]),
                cell(entry.display_title(self.app_lang), widths[2], style),
                cell(entry.case_name, widths[3]),
                cell(str(entry.level), widths[4]),
                cell(rel, widths[5], style), key=str(entry.id))
            previous = team
        if keep is not None:
            for index, entry in enumerate(self.entries):
                if entry.id == keep:
                    table.move_cursor(row=index)
                    break
        self.query_one("#heading", Static).update(
            Text(_("Clear-to-zero list | {left} left").format(left=self.left)))
        teams = "  ".join(f"{inert(code)} {n}" for code, n in self.per_team.items())
        self.query_one("#teams", Static).update(Text(teams))

    def widths(self) -> list[int]:
        total = max(50, self.size.width or 80)
        team = min(12, max([cell_len(_("Team"))] + [cell_len(e.team or "-")
                                                    for e in self.entries] or [4]))
        entry = max([cell_len(_("Entry"))] + [len(str(e.id)) for e in self.entries])
        level = max(cell_len(_("Level")), 2)
        late = max(cell_len(_("Overdue")), 14)
        room = total - team - entry - level - late - 2 * 6 - 2
        lang = self.app_lang
        titles = max([cell_len(e.display_title(lang)) for e in self.entries] or [8])
        names = max([cell_len(e.case_name) for e in self.entries] or [8])
        title, name = share(room, [titles, names], least=6)
        return [team, entry, title, name, level, late]

    def visible(self) -> list[EntryView]:
        return self.entries

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        entry = self.current()
        if entry is None:
            return
        from caseflow.adapters.tui.details import TicketScreen

        view = self.guarded(self.source.ticket, entry.ticket_id)
        if view is not None:
            self.app.push_screen(TicketScreen(self.source, view))

    def _act(self, verb: str) -> None:
        entry = self.current()
        if entry is None:
            return
        from caseflow.adapters.tui.prompts import Ask

        label = f"#{entry.id} {entry.display_title(self.app_lang)} ({entry.case_name})"
        if verb == "signoff":
            question = _("Sign off {entry}: what was checked?").format(entry=label)
            hint, call = _("sign-off note"), self.source.signoff
        else:
            question = _("Reject {entry}: what is wrong?").format(entry=label)
            hint, call = _("reason"), self.source.reject

        def answered(text: str | None) -> None:
            if text is None:
                return
            done = self.guarded(call, entry.id, text)
            if done is None:
                return
            ids = [e.id for e in self.entries]
            at = ids.index(entry.id)
            keep = (ids[at + 1:] or ids[:at][-1:] or [None])[0]
            self.load(keep)
            message = (_("signed off #{id}") if verb == "signoff" else _("rejected #{id}"))
            self.say(message.format(id=entry.id) + "  "
                     + _("{left} left").format(left=self.left))

        self.app.push_screen(Ask(question, hint), answered)

    def action_signoff(self) -> None:
        self._act("signoff")

    def action_reject(self) -> None:
        self._act("reject")

    def action_refresh(self) -> None:
        self.guarded(self.load, self.current_id())
        self.say(_("refreshed"))

    def action_queue(self) -> None:
        self.app.switch_to("queue")

    def action_keys(self) -> None:
        from caseflow.adapters.tui.prompts import Keys

        self.app.push_screen(Keys([
            ("enter", _("the work order and its history")),
            ("o", _("sign the item off (asks for the note)")),
            ("x", _("reject the closure (asks for the reason)")),
            ("r", _("refresh")), ("w", _("work orders")), ("?", _("these keys")),
            ("q", _("quit")),
        ]))


def _grouped(entries: list[EntryView]) -> list[EntryView]:
    """By team, then as the list orders them (highest level first, then oldest)."""
    order = {id(e): i for i, e in enumerate(entries)}
    return sorted(entries, key=lambda e: ((e.team or "\uffff"), order[id(e)]))
