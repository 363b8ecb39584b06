"""The neutral shape every report is poured into before it is written out.

The report computations produce ``ReportTable`` values; the writers (xlsx, csv,
html) only read them. Keeping both languages on the table lets one computation
serve a Chinese-speaking office and an English-speaking test or developer alike.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from caseflow.clock import SHANGHAI, ensure_utc
from caseflow.errors import InvalidInput

Kind = Literal["text", "int", "float", "percent", "date"]
KINDS: tuple[str, ...] = ("text", "int", "float", "percent", "date")
NUMERIC_KINDS: tuple[str, ...] = ("int", "float", "percent")


def is_chinese(lang: str) -> bool:
    """True for zh, zh_CN, zh-Hans...: the office's language."""
    return lang.lower().replace("-", "_").startswith("zh")


@dataclass
class Column:
    """One column: a key into the row dicts, its headers, and how to show its values.

    ``percent`` values are percentages as people read them: 100.98 means 100.98 %.
    """

    key: str
    header_en: str
    header_zh: str
    kind: Kind = "text"
    decimals: int = 2

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(
                f"column {self.key!r} has unknown kind {self.kind!r}",
                hint=f"use one of {', '.join(KINDS)}",
            )
        if self.decimals < 0:
            raise InvalidInput(f"column {self.key!r} has negative decimals {self.decimals}")

    def header(self, lang: str) -> str:
        return self.header_zh if is_chinese(lang) else self.header_en

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass
class ReportTable:
    """A titled table for one unit (team, town, ...) and one period."""

    title_en: str
    title_zh: str
    unit: str
    period: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    footnote: str | None = None

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if not keys:
            raise InvalidInput(f"report table {self.title_en!r} has no columns")
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise InvalidInput(
                f"report table {self.title_en!r} repeats column keys {', '.join(duplicates)}"
            )

    def header(self, lang: str) -> list[str]:
        """The column headers in ``lang`` (Chinese for any zh* code, English otherwise)."""
        return [c.header(lang) for c in self.columns]

    def title(self, lang: str) -> str:
        return self.title_zh if is_chinese(lang) else self.title_en

    def caption(self, lang: str) -> str:
        """Title, unit and period on one line: the title row of a sheet or page."""
        if is_chinese(lang):
            return f"{self.title_zh}｜统计单位：{self.unit}｜统计周期：{self.period}"
        return f"{self.title_en} | Unit: {self.unit} | Period: {self.period}"


def as_date(value: Any, column: Column) -> date:
    """A cell of a date column as a calendar date; aware datetimes are shown in Shanghai."""
    if isinstance(value, datetime):
        return ensure_utc(value).astimezone(SHANGHAI).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(
        f"column {column.key!r} expects a date, got {value!r}", hint="pass a date or YYYY-MM-DD"
    )


def as_number(value: Any, column: Column) -> int | float:
    """A cell of a numeric column as a number (ints stay ints in int columns)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"column {column.key!r} expects a number, got {value!r}")
    if column.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise InvalidInput(f"column {column.key!r} expects a whole number, got {value!r}")
        return int(value)
    return float(value)


def format_value(column: Column, value: Any) -> str:
    """The text a reader sees for a cell: 100.98 in a percent column shows as ``100.98%``."""
    if value is None:
        return ""
    if column.kind == "text":
        return str(value)
    if column.kind == "date":
        return as_date(value, column).isoformat()
    if isinstance(value, str):  # a placeholder such as "—" in a numeric column
        return value
    number = as_number(value, column)
    if column.kind == "int":
        return str(number)
    text = f"{number:.{column.decimals}f}"
    return f"{text}%" if column.kind == "percent" else text


def display_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width grid: East Asian wide/fullwidth chars count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cannot_write(path: object, exc: OSError) -> InvalidInput:
    """The one-line error for an output file that cannot be written."""
    return InvalidInput(
        f"cannot write {path}: {exc.strerror or exc}",
        hint="check that the folder exists and is writable",
    )
