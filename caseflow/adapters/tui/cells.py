"""What goes into a table cell: inert text, fitted to a width, coloured by urgency.

Cells are ``rich.text.Text`` built from plain strings, so a name such as
``中山市[/x]测试厂`` shows as written and never as markup. Control characters are
replaced before display: a title can never move the cursor or retitle the window.
Only characters of unambiguous East Asian width are used for marks and ellipses
(``..`` rather than ``…``, ``>`` rather than ``▸``), so Chinese columns line up in
every terminal.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from rich.cells import cell_len
from rich.text import Text

from caseflow.adapters.cli.i18n import _, ngettext
from caseflow.clock import local_date

ELLIPSIS = ".."

# Light → style: 蓝 near the deadline, 红 overdue (the order of Chinese 督办 slips).
STYLES = {"red": "bold red", "yellow": "yellow", "blue": "cyan", "none": ""}


def inert(text: str | None) -> str:
    """``text`` with every control or format character replaced by a space: what a
    person typed or imported is shown, never obeyed by the terminal."""
    if not text:
        return ""
    if text.isprintable():  # the common case: nothing to replace
        return text
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells (wide characters count two), marked with ``..``."""
    text = inert(text)
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    room = max(0, width - len(ELLIPSIS))
    out, used = [], 0
    for ch in text:
        size = cell_len(ch)
        if used + size > room:
            break
        out.append(ch)
        used += size
    return "".join(out) + ELLIPSIS


def share(room: int, natural: list[int], least: int = 8) -> list[int]:
    """Widths for flexible columns: each its natural width when all fit in ``room``;
    otherwise each gets room in proportion to what it would need, ``least`` at minimum
    (so the shortest names stay whole and only the longest are cut)."""
    if sum(natural) <= room:
        return list(natural)
    out = [least] * len(natural)
    spare = max(0, room - least * len(natural))
    wants = [max(0, n - least) for n in natural]
    # give the spare cells to the narrowest wants first, so short columns stay whole
    for index in sorted(range(len(natural)), key=lambda i: wants[i]):
        fair = spare // max(1, sum(1 for w in wants if w > 0))
        grant = min(wants[index], max(fair, 0))
        out[index] += grant
        spare -= grant
        wants[index] = 0
    return out


def cell(text: str | None, width: int | None = None, style: str = "") -> Text:
    plain = inert(text) if width is None else fit(text or "", width)
    return Text(plain, style=style, no_wrap=True, overflow="crop")


def light_of(due_at: datetime, now: datetime, working_days_left: int) -> str:
    """The order's warning light: red when overdue, blue within two working days."""
    if due_at < now:
        return "red"
    return "blue" if working_days_left <= 2 else "none"


def relative(due_at: datetime, now: datetime, between: object) -> tuple[str, str]:
    """("还剩2个工作日", light) / ("逾期3个工作日", "red") as of ``now``.

    ``between(start, end)`` counts working days (the source's calendar)."""
    count = between  # a callable (date, date) -> int
    today, due_day = local_date(now), local_date(due_at)
    if due_at < now:
        days = count(due_day, today)  # type: ignore[operator]
        if days <= 0:
            return _("overdue"), "red"
        return ngettext("overdue %(n)d working day", "overdue %(n)d working days",
                        days) % {"n": days}, "red"
    days = count(today, due_day)  # type: ignore[operator]
    light = light_of(due_at, now, days)
    if days <= 0:
        return _("due today"), light
    return ngettext("due in %(n)d working day", "due in %(n)d working days",
                    days) % {"n": days}, light


def day(instant: datetime | date | None) -> str:
    if instant is None:
        return "-"
    if isinstance(instant, datetime):
        return local_date(instant).isoformat()
    return instant.isoformat()
