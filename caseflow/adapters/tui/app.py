"""``caseflow tui``: the keyboard-driven screen (Textual).

Opens on the signed-in user's home: a member's queue, a lead's team queue, a
supervisor's clear-to-zero board. Every action goes through the ``Source``; a refusal
is shown in the status line at the bottom, in the user's language, and never ends
the screen.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen

from caseflow.adapters.cli.i18n import _
from caseflow.adapters.tui.source import Source, first_view, home_of
from caseflow.errors import CaseflowError

CSS = """
Screen { layout: vertical; }
#heading { height: 1; padding: 0 1; background: $primary-background; text-style: bold; }
#teams { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
DataTable { height: 1fr; }
#status { height: 1; padding: 0 1; color: $success; }
#status.error { color: $error; text-style: bold; }
#filter { dock: bottom; margin-bottom: 2; }
.hidden { display: none; }
.dialog { width: 90%; max-width: 76; height: auto; max-height: 90%; padding: 1 2;
          border: round $primary; background: $surface; }
.dialog OptionList { height: auto; max-height: 12; }
.question { text-style: bold; margin-bottom: 1; }
.keys { color: $text-muted; margin-top: 1; }
.problem { color: $error; }
.section { margin-top: 1; }
ModalScreen { align: center middle; }
"""


class CaseflowTui(App[None]):
    """The screen for one person: ``source`` decides who and against what."""

    CSS = CSS
    TITLE = "caseflow"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, source: Source, *, lang: str = "zh_CN") -> None:
        super().__init__()
        self.source = source
        self.lang = lang

    def on_mount(self) -> None:
        self.switch_to(home_of(self.source.role))

    def switch_to(self, name: str) -> None:
        """Show the queue or the board (built on first use, then kept)."""
        from caseflow.adapters.tui.board import BoardScreen
        from caseflow.adapters.tui.queue import QueueScreen

        screen: Screen[Any]
        if name == "board":
            screen = BoardScreen(self.source)
        else:
            screen = QueueScreen(self.source, first_view(self.source.role))
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def guarded(self, screen: Any, action: Any, *args: Any) -> Any:
        """Run ``action(*args)``: a refusal goes to ``screen``'s status line in the
        user's language, an unexpected failure too (in one line), and ``None`` comes
        back instead of a result."""
        try:
            return action(*args)
        except CaseflowError as error:
            from caseflow.adapters.cli.context import localized

            screen.say(localized(error), error=True)
        except Exception as error:  # noqa: BLE001 - the screen must survive anything
            screen.say(_("unexpected error: {error}").format(
                error=f"{type(error).__name__}: {error}"), error=True)
        return None
