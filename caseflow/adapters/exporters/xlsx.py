"""Excel workbooks for the command office: one sheet per report table.

Supervisors sort, filter and sum these sheets, so numbers are stored as numbers
and dates as dates; only the number format makes them look right. Percentages are
stored as Excel percentages (100.98 % is the cell value 1.0098 with format
``0.00%``) so that formulas such as ``=B3*target`` work without dividing by 100.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from caseflow.adapters.exporters.table import (
    Column,
    ReportTable,
    as_date,
    as_number,
    cannot_write,
    display_width,
    format_value,
)
from caseflow.adapters.inert import set_text_cell
from caseflow.files import make_private

TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
MAX_SHEET_NAME = 31
MAX_COLUMN_WIDTH = 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def number_format(column: Column) -> str:
    """The Excel number format for a column (``General`` for text)."""
    fraction = "." + "0" * column.decimals if column.decimals else ""
    if column.kind == "int":
        return "0"
    if column.kind == "float":
        return "0" + fraction
    if column.kind == "percent":
        return "0" + fraction + "%"
    if column.kind == "date":
        return "yyyy-mm-dd"
    return "General"


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, not quoted, at most 31 characters."""
    cleaned = _BAD_SHEET_CHARS.sub("_", name).strip().strip("'") or "Sheet"
    candidate = cleaned[:MAX_SHEET_NAME]
    n = 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate = cleaned[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "text":
        return str(value)
    if column.kind == "date":
        return as_date(value, column)
    if isinstance(value, str):  # a placeholder such as "—" stays text
        return value
    number = as_number(value, column)
    if column.kind == "percent":
        return round(number / 100, column.decimals + 2)
    return number


def _fill_sheet(ws: Worksheet, table: ReportTable, lang: str) -> None:
    ncols = len(table.columns)
    last = get_column_letter(ncols)

    set_text_cell(ws.cell(TITLE_ROW, 1), table.caption(lang)).font = Font(bold=True, size=13)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="left", vertical="center")
    if ncols > 1:
        ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 24

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, column in enumerate(table.columns, start=1):
        cell = set_text_cell(ws.cell(HEADER_ROW, j), column.header(lang))
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)

    widths = [display_width(column.header(lang)) for column in table.columns]
    for i, row in enumerate(table.rows, start=FIRST_DATA_ROW):
        for j, column in enumerate(table.columns, start=1):
            raw = row.get(column.key)
            value = _cell_value(column, raw)
            # user text (a team called "=HYPERLINK(...)") is a string cell, never a formula
            cell = set_text_cell(ws.cell(i, j), value) if isinstance(value, str) \
                else ws.cell(i, j, value)
            cell.number_format = number_format(column)
            widths[j - 1] = max(widths[j - 1], display_width(format_value(column, raw)))

    if table.footnote:
        note_row = FIRST_DATA_ROW + len(table.rows) + 1
        set_text_cell(ws.cell(note_row, 1), table.footnote).font = Font(italic=True,
                                                                        color="595959")
        if ncols > 1:
            ws.merge_cells(f"A{note_row}:{last}{note_row}")

    for j, width in enumerate(widths, start=1):
        # +2 for cell padding and the bold header; a floor keeps narrow numbers readable.
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), MAX_COLUMN_WIDTH)

    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)  # title and header stay visible
    if table.rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{FIRST_DATA_ROW + len(table.rows) - 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_xlsx(tables: list[ReportTable], path: Path, lang: str = "zh_CN") -> None:
    """Write ``tables`` to ``path`` as one sheet each, headers in ``lang``."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(sheet_title(table.title(lang), taken))
        _fill_sheet(ws, table, lang)
    if not tables:
        wb.create_sheet("Sheet")
    try:
        wb.save(make_private(path))
    except OSError as exc:
        raise cannot_write(path, exc) from exc
