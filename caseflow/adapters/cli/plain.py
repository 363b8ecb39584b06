"""Plain-text tables for lists that may be long: no rich, one ``str`` per row.

rich lays out a whole table before printing its first line and measures every cell
several times (1.5 ms a row: 127 s for a city's clear-to-zero list). A list of
thousands is printed here instead, a row at a time: column widths are fixed from the
first rows (later cells that do not fit end in …), East Asian wide characters count
as two cells so Chinese lines up, user text is made inert (control characters and
terminal escapes shown as ``?``), and colour is added only on a terminal (never when
``NO_COLOR`` is set).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TextIO

from caseflow.adapters.inert import terminal_safe

ELLIPSIS = "…"
GAP = "  "
STYLES = {"bold": "1", "red": "31", "bold red": "1;31", "yellow": "33", "dim": "2"}


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def inert(text: str) -> str:
    """User text as shown: no control characters (so no terminal escapes), one line.

    The one rule of ``caseflow.adapters.inert``: control characters become visible
    symbols (␛), while zero-width, right-to-left and full-width space characters,
    which Chinese and Arabic names hold, stay as they are."""
    if text.isprintable():
        return text
    return terminal_safe(" ".join(text.split("\n")).replace("\t", " ").replace("\r", " "),
                         multiline=False)


def clip(text: str, size: int) -> str:
    """``text`` cut to ``size`` cells, ending in … when cut."""
    if cells(text) <= size:
        return text
    out, used = [], 0
    for char in text:
        w = _char_width(char)
        if used + w > size - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, size: int, right: bool = False) -> str:
    space = " " * max(0, size - cells(text))
    return space + text if right else text + space


def colour_wanted(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def width_of(stream: TextIO) -> int | None:
    """The terminal's width; piped output is not cut unless ``COLUMNS`` says so."""
    if stream.isatty():
        return os.get_terminal_size(stream.fileno()).columns
    columns = os.environ.get("COLUMNS")
    return int(columns) if columns and columns.isdigit() else None


class Table:
    """Columns with widths fitted once to the first rows and the available width.

    ``squeeze`` names the columns (by index) that give way, widest first, when the
    natural widths do not fit; the others are never cut.
    """

    def __init__(self, headers: Sequence[str], first_rows: Sequence[Sequence[str]], *,
                 width: int | None = None, squeeze: Sequence[int] = (),
                 right: Sequence[int] = (), colour: bool = False) -> None:
        self.headers = list(headers)
        self.right = set(right)
        self.colour = colour
        natural = [max([cells(h)] + [cells(r[i]) for r in first_rows])
                   for i, h in enumerate(headers)]
        if width is not None:
            room = width - len(GAP) * (len(headers) - 1)
            floor = {i: max(4, min(cells(headers[i]), natural[i])) for i in squeeze}
            while sum(natural) > room:
                shrinkable = [i for i in squeeze if natural[i] > floor[i]]
                if not shrinkable:
                    break
                widest = max(shrinkable, key=lambda i: natural[i])
                natural[widest] -= 1
        self.widths = natural

    def _join(self, row: Sequence[str]) -> str:
        last = len(row) - 1
        parts = []
        for i, (text, size) in enumerate(zip(row, self.widths, strict=True)):
            text = clip(text, size)
            parts.append(text if i == last and i not in self.right
                         else pad(text, size, i in self.right))
        return GAP.join(parts)

    def header(self) -> str:
        line = self._join(self.headers)
        return f"\x1b[1m{line}\x1b[0m" if self.colour else line

    def rule(self) -> str:
        return GAP.join("─" * w for w in self.widths)

    def row(self, cells_: Sequence[str], style: str | None = None) -> str:
        line = self._join([inert(c) for c in cells_])
        if style and self.colour and style in STYLES:
            return f"\x1b[{STYLES[style]}m{line}\x1b[0m"
        return line

    def lines(self, rows: Iterable[tuple[Sequence[str], str | None]]) -> Iterable[str]:
        yield self.header()
        yield self.rule()
        for row, style in rows:
            yield self.row(row, style)


def write_lines(lines: Iterable[str], stream: TextIO | None = None) -> None:
    """Write line by line (a long list starts appearing at once); a closed pipe
    (``| head``) ends the output quietly."""
    out = stream or sys.stdout
    try:
        for line in lines:
            out.write(line)
            out.write("\n")
        out.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
