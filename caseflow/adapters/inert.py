"""User text made inert on its way out: never markup, never an escape, never a formula.

Names, titles and notes are typed by people and imported from spreadsheets, so
whatever checks guard the way in, every way out treats them as data:

* the terminal: control characters (ESC starts every ANSI sequence that clears
  the screen or retitles the window) are shown as visible symbols (``␛``), and rich
  never parses markup in a string (``[/x]`` would raise, ``[link=…]`` would link);
* CSV: a cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
  CR first) gets a leading apostrophe, as OWASP's CSV-injection advice says;
* xlsx: text is stored as a string cell, never as a formula, and characters the
  XML of a workbook cannot hold are shown as symbols instead of failing the file.

HTML escaping lives with the HTML writer (``exporters/htmlpage.py``).
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

_C1 = range(0x80, 0xA0)


def _picture(char: str) -> str:
    """A visible stand-in for a control character: ␛ for ESC, ␇ for BEL, \\x9b for C1."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


_TERMINAL = {c: _picture(chr(c)) for c in [*range(0x20), 0x7F, *_C1] if c != 0x0A}
_ONE_LINE = _TERMINAL | {0x0A: _picture("\n")}


def terminal_safe(text: str, *, multiline: bool = True) -> str:
    """``text`` with every control character shown as a symbol (line breaks kept when
    ``multiline``), so printing it can never move the cursor or talk to the terminal."""
    if text.isprintable() and "\n" not in text:
        return text
    result = text.translate(_TERMINAL if multiline else _ONE_LINE)
    # lone surrogates (undecodable bytes) cannot be encoded for the terminal
    return result.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str) -> str:
    """``text`` on one line (runs of whitespace → one space), terminal-safe."""
    return terminal_safe(" ".join(text.split()), multiline=False)


def echo(message: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """``typer.echo`` for lines that carry user text: control characters neutralised."""
    stream = sys.stderr if err else sys.stdout
    stream.write(terminal_safe(str(message)) + ("\n" if nl else ""))
    stream.flush()


@cache
def _console_class() -> type:
    from rich.console import Console

    class InertConsole(Console):
        """A rich console for which every string is plain text: no markup, no emoji
        codes, no control characters. Styled words are ``rich.text.Text`` objects."""

        def render_str(self, text: str, **kwargs: Any) -> Any:
            kwargs["markup"] = False
            kwargs["emoji"] = False
            return super().render_str(terminal_safe(text), **kwargs)

    return InertConsole


def console(**kwargs: Any) -> Any:
    """A rich ``Console`` (same arguments) that shows every string as inert text."""
    kwargs.setdefault("highlight", False)
    kwargs["markup"] = False
    kwargs["emoji"] = False
    return _console_class()(**kwargs)


# --------------------------------------------------------------------------- spreadsheets

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell for CSV: a leading apostrophe when a spreadsheet would take it for a
    formula (OWASP), so ``=HYPERLINK(...)`` stays the name it was typed as."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


_XML_ILLEGAL = {c: _picture(chr(c)) for c in [*range(0x20), 0x7F] if c not in (0x09, 0x0A, 0x0D)}


def xlsx_text(value: str) -> str:
    """Text a workbook's XML can hold: other control characters shown as symbols."""
    if value.isprintable():
        return value
    cleaned = value.translate(_XML_ILLEGAL)
    return cleaned.encode("utf-8", "backslashreplace").decode("utf-8")


def set_text_cell(cell: Any, value: str) -> Any:
    """Store ``value`` in an openpyxl cell as a string, never as a formula."""
    cell.value = xlsx_text(value)
    cell.data_type = "s"
    return cell
