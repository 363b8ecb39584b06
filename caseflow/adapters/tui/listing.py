"""What the queue and the board share: a table of rows with a cursor, a status line
for what just happened (or was refused), and the next page loaded near the end."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.screen import Screen
from textual.widgets import DataTable, Static

from caseflow.adapters.tui.cells import inert

Row = TypeVar("Row")

NEAR_END = 20  # rows before the last loaded one at which the next page is read


class ListScreen(Screen[None], Generic[Row]):
    """A screen around one ``DataTable`` (``TABLE`` is its id) of ``visible()`` rows."""

    TABLE = ""

    more = False

    def visible(self) -> list[Row]:
        raise NotImplementedError

    def redraw(self, keep: int | None = None) -> None:
        raise NotImplementedError

    def load_more(self) -> None:
        raise NotImplementedError

    @property
    def app_lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def current_id(self) -> int | None:
        table = self.query_one(f"#{self.TABLE}", DataTable)
        rows = self.visible()
        if not rows or table.cursor_row is None or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row].id  # type: ignore[attr-defined, no-any-return]

    def current(self) -> Row | None:
        wanted = self.current_id()
        return next((r for r in self.visible() if r.id == wanted), None)  # type: ignore[attr-defined]

    def say(self, text: str, *, error: bool = False) -> None:
        """The status line: what was done, or (in red) why it was refused."""
        status = self.query_one("#status", Static)
        status.set_class(error, "error")
        status.update(Text(inert(text)))

    def guarded(self, action: Any, *args: Any) -> Any:
        """Run ``action``; a refusal becomes the status line, never a crash."""
        return self.app.guarded(self, action, *args)  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        if self.is_mounted and self.visible():
            self.redraw(self.current_id())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.more and event.cursor_row >= len(self.visible()) - NEAR_END:
            self.guarded(self.load_more)
