"""CSV for people who open reports in Excel or feed them to other tools.

Excel guesses the encoding of a CSV from its first bytes and reads Chinese as
mojibake unless the file starts with a UTF-8 byte-order mark, hence ``utf-8-sig``.
Values are left unformatted (no ``%``, no separators) so the file stays data.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from caseflow.adapters.exporters.table import (
    Column,
    ReportTable,
    as_date,
    as_number,
    cannot_write,
)
from caseflow.adapters.inert import csv_text
from caseflow.files import make_private


def csv_value(column: Column, value: Any) -> str:
    """A cell as plain text: numbers with the column's decimals, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if column.kind == "text" or isinstance(value, str) and column.kind != "date":
        return csv_text(str(value))  # never a formula in the reader's spreadsheet
    if column.kind == "date":
        return as_date(value, column).isoformat()
    number = as_number(value, column)
    if column.kind == "int":
        return str(number)
    return f"{number:.{column.decimals}f}"


def write_csv(table: ReportTable, path: Path, lang: str = "zh_CN") -> None:
    """Write one table: a header row in ``lang``, then one line per row."""
    try:
        with make_private(path).open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([csv_text(h) for h in table.header(lang)])
            for row in table.rows:
                writer.writerow([csv_value(c, row.get(c.key)) for c in table.columns])
    except OSError as exc:
        raise cannot_write(path, exc) from exc
