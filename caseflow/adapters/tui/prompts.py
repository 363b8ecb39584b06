"""The small dialogs: a note, an extension, a person to assign to, the keys.

Each is a modal screen that returns its answer through ``dismiss`` (``None`` when the
user pressed ``escape``), so the screen that asked decides what to do with it.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from caseflow.adapters.cli.i18n import _
from caseflow.adapters.tui.cells import inert


class Ask(ModalScreen[str | None]):
    """One line of text: ``enter`` submits it, ``escape`` cancels. Empty is refused
    here, in words, rather than by the service a moment later."""

    BINDINGS = [Binding("escape", "cancel", _("cancel"))]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(inert(self.question)), classes="question")
            yield Input(placeholder=self.placeholder, id="answer")
            yield Static(_("enter: submit   escape: cancel"), classes="keys")
            yield Static("", id="problem", classes="problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#problem", Static).update(Text(_("please write something first")))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AskExtension(ModalScreen[tuple[date, str] | None]):
    """A new deadline (YYYY-MM-DD) and the reason for it."""

    BINDINGS = [Binding("escape", "cancel", _("cancel"))]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.ticket_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(inert(self.ticket_title)), classes="question")
            yield Label(_("New deadline (YYYY-MM-DD)"))
            yield Input(placeholder="2026-03-20", id="to")
            yield Label(_("Reason"))
            yield Input(id="reason")
            yield Static(_("enter: next / submit   escape: cancel"), classes="keys")
            yield Static("", id="problem", classes="problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        to_text = self.query_one("#to", Input).value.strip()
        reason = self.query_one("#reason", Input).value.strip()
        problem = self.query_one("#problem", Static)
        if event.input.id == "to" and not reason:
            self.query_one("#reason", Input).focus()
            return
        try:
            to = date.fromisoformat(to_text)
        except ValueError:
            problem.update(Text(_("{value} is not a date: write it as YYYY-MM-DD").format(
                value=inert(to_text) or "-")))
            self.query_one("#to", Input).focus()
            return
        if not reason:
            problem.update(Text(_("an extension needs a reason")))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss((to, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class Pick(ModalScreen[str | None]):
    """Choose one of ``choices`` (login, label) with the arrow keys and ``enter``."""

    BINDINGS = [Binding("escape", "cancel", _("cancel"))]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(inert(self.question)), classes="question")
            options = [Option(Text(inert(label)), id=value) for value, label in self.choices]
            yield OptionList(*options, id="choices")
            yield Static(_("enter: choose   escape: cancel"), classes="keys")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Keys(ModalScreen[None]):
    """``?``: every key of the screen, in words."""

    BINDINGS = [Binding("escape,question_mark,q", "close", _("close"))]

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _d in self.lines) + 2
        text = "\n".join(f"{k.ljust(width)}{d}" for k, d in self.lines)
        with Vertical(classes="dialog"):
            yield Label(_("Keys"), classes="question")
            yield Static(Text(text))
            yield Static(_("escape: close"), classes="keys")

    def action_close(self) -> None:
        self.dismiss(None)
