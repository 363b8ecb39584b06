"""Reading and checking case import files (.csv and .xlsx) before anything is written.

Task forces keep their enterprise lists in Excel, often with Chinese headers, a
title row above the header, GB18030-encoded CSV exports and codes typed with
full-width characters. This module turns such a file into ``CaseRow`` objects and
``RowError`` messages ("line 7: ...") that use the row numbers Excel shows, so
every bad row can be found and fixed in one pass. Storing rows is the service's job.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from caseflow.domain import values as values_
from caseflow.domain.credit_code import normalize_credit_code
from caseflow.errors import InvalidInput, NotFound

COLUMNS = ("name", "credit_code", "area_mu", "team", "owner", "address", "contact", "phone")
REQUIRED = ("name", "credit_code", "area_mu")

# Header spellings after _header_key (NFKC, no whitespace, lower case, no "*" / "(必填)").
_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "credit code": "credit_code",
    "creditcode": "credit_code",
    "uscc": "credit_code",
    "area": "area_mu",
    "area(mu)": "area_mu",
    "企业名称": "name",
    "企业名": "name",
    "名称": "name",
    "统一社会信用代码": "credit_code",
    "社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "面积(亩)": "area_mu",
    "面积": "area_mu",
    "占地面积(亩)": "area_mu",
    "占地面积": "area_mu",
    "用地面积(亩)": "area_mu",
    "用地面积": "area_mu",
    "专班": "team",
    "责任专班": "team",
    "负责人": "owner",
    "法人": "owner",
    "法定代表人": "owner",
    "地址": "address",
    "企业地址": "address",
    "联系人": "contact",
    "联系电话": "phone",
    "电话": "phone",
}
_SQUARE_METRES = re.compile(r"平方米|㎡|m2|m²")
_HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-blank data row: its Excel row number and its values by canonical column.

    ``numeric`` names the columns whose cell was a number in the workbook; Excel keeps
    only 15 significant digits, so an 18-digit credit code stored as a number is lost.
    """

    line: int
    values: dict[str, str]
    numeric: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A row that passed every check, ready for the service to store."""

    line: int
    name: str
    credit_code: str
    area_mu: Decimal
    team: str | None = None
    owner: str | None = None
    address: str | None = None
    contact: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one row; a row with two problems gives two errors."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class ImportPlan:
    """The outcome of checking a file: rows to write and problems to report."""

    valid: list[CaseRow]
    errors: list[RowError]


# --------------------------------------------------------------------------- reading


def read_rows(path: Path) -> Iterator[SourceRow]:
    """Yield the data rows of a .csv or .xlsx file, skipping blank rows.

    Raises InvalidInput (before yielding anything) for an unknown extension, an
    unreadable or empty file, or a header without the required columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        hint = "; save it as .xlsx" if suffix in (".xls", ".et", ".ods") else ""
        raise InvalidInput(f"{path.name}: unsupported file type {suffix or '(none)'!r}; "
                           f"use .csv or .xlsx{hint}")
    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    raw = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    return _rows_after_header(path, raw)


def _read_csv(path: Path) -> Iterator[tuple[int, list[object]]]:
    text = _decode(path, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            yield line, list(record)
    except csv.Error as exc:
        raise InvalidInput(
            f"{path.name}: line {line + 1} is not valid CSV ({_one_line(str(exc))})"
        ) from exc


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (Chinese Excel's CSV)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{path.name}: the text is neither UTF-8 nor GB18030; "
                       "save it from Excel as 'CSV UTF-8' or as .xlsx")


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[object]]]:
    # Imported here so that commands which never import files do not pay for openpyxl.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            f"{path.name}: not a readable .xlsx workbook ({_one_line(str(exc))})"
        ) from exc
    try:
        if not workbook.worksheets:
            raise InvalidInput(f"{path.name}: the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # stored dimensions are often wrong in files from other tools
        for line, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(record)
    finally:
        workbook.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _found(record: list[object]) -> str:
    """The non-empty header cells of ``record``, for messages (one line)."""
    return ", ".join(_one_line(_cell_text(c)) for c in record if _cell_text(c)) or "(none)"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(record: list[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in record)


def _header_key(text: str) -> str:
    key = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    key = key.replace("(必填)", "").strip("*")
    return key


def _map_header(record: list[object]) -> dict[int, str]:
    """Column index -> canonical name for the recognised headers of ``record``."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(record):
        key = _header_key(_cell_text(cell))
        column = _ALIASES.get(key) or _ALIASES.get(key.replace("-", "_").replace(" ", "_"))
        if column:
            mapping[index] = column
    return mapping


def _rows_after_header(
    path: Path, records: Iterator[tuple[int, list[object]]]
) -> Iterator[SourceRow]:
    header: dict[int, str] | None = None
    first_seen: list[object] | None = None
    looked_at = 0
    for line, record in records:
        if _is_blank(record):
            continue
        if header is None:
            first_seen = first_seen or record
            mapping = _map_header(record)
            if "name" in mapping.values():
                header = _checked_header(path, record, mapping)
                continue
            looked_at += 1
            if looked_at >= _HEADER_SEARCH_ROWS:
                break
            continue
        values = {column: "" for column in header.values()}
        numeric: set[str] = set()
        width = len(record)
        for index, column in header.items():
            if index < width:
                cell = record[index]
                values[column] = _cell_text(cell)
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    numeric.add(column)
        if any(values.values()):
            yield SourceRow(line, values, frozenset(numeric))
    if header is None:
        if first_seen is None:
            raise InvalidInput(f"{path.name}: the file is empty; expected a header row with "
                               f"columns {', '.join(REQUIRED)}")
        raise InvalidInput(f"{path.name}: no 'name' (企业名称) column in the header; "
                           f"columns found: {_found(first_seen)}")


def _checked_header(path: Path, record: list[object], mapping: dict[int, str]) -> dict[int, str]:
    seen: dict[str, int] = {}
    for index, column in mapping.items():
        if column in seen:
            first = _one_line(_cell_text(record[seen[column]]))
            second = _one_line(_cell_text(record[index]))
            raise InvalidInput(f"{path.name}: columns {first!r} and {second!r} both mean "
                               f"{column}; keep one of them")
        seen[column] = index
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        extra = ""
        if "area_mu" in missing and any(_SQUARE_METRES.search(_cell_text(c)) for c in record):
            extra = " (area must be in mu: 1 mu = 666.67 m²)"
        raise InvalidInput(f"{path.name}: missing required column(s) {', '.join(missing)}"
                           f"{extra}; columns found: {_found(record)}")
    return mapping


# --------------------------------------------------------------------------- validating


def parse_area_mu(text: str) -> Decimal:
    """Parse "12.5", "12.5亩", "１２.５", "1,234.5" as a positive Decimal or raise InvalidInput."""
    cleaned = "".join(unicodedata.normalize("NFKC", text).split())
    if not cleaned:
        raise InvalidInput("area is empty; give the area in mu, e.g. 12.5")
    number = cleaned.removesuffix("亩")
    if not _NUMBER.fullmatch(number):
        raise InvalidInput(f"area {text.strip()!r} is not a positive number of mu")
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
        raise InvalidInput(f"area {text.strip()!r} is not a number") from exc
    if value <= 0:
        raise InvalidInput(f"area {text.strip()!r} is not a positive number of mu")
    return value


def validate_rows(rows: Iterable[SourceRow], existing_credit_codes: set[str]) -> ImportPlan:
    """Check every row; collect all problems instead of stopping at the first.

    ``existing_credit_codes`` are the (normalised) codes already in the project.
    """
    valid: list[CaseRow] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    for row in rows:
        values = row.values
        if not any(values.values()):
            continue
        problems: list[str] = []
        name = values.get("name", "").strip()
        if not name:
            problems.append("enterprise name is empty")
        for key, what, limit in (("name", "enterprise name", "name"),
                                 ("owner", "owner", "owner"), ("address", "address", "address"),
                                 ("contact", "contact", "contact")):
            try:
                values_.optional_text(values.get(key), what, limit=limit)
            except InvalidInput as exc:
                problems.append(exc.message)

        code = _check_code(row, problems)
        if code is not None:
            if code in first_line_of:
                problems.append(f"credit code {code} already appears on line {first_line_of[code]}")
            else:
                first_line_of[code] = row.line
                if code in existing_credit_codes:
                    problems.append(f"credit code {code} already belongs to a case in this project")

        area: Decimal | None = None
        try:
            area = parse_area_mu(values.get("area_mu", ""))
            values_.area_mu(area)
        except InvalidInput as exc:
            problems.append(exc.message)

        if problems:
            errors.extend(RowError(row.line, p) for p in problems)
            continue
        assert code is not None and area is not None
        valid.append(CaseRow(
            line=row.line, name=name, credit_code=code, area_mu=area,
            team=values.get("team") or None, owner=values.get("owner") or None,
            address=values.get("address") or None, contact=values.get("contact") or None,
            phone=values.get("phone") or None,
        ))
    return ImportPlan(valid=valid, errors=errors)


def _check_code(row: SourceRow, problems: list[str]) -> str | None:
    raw = row.values.get("credit_code", "")
    if "credit_code" in row.numeric:
        problems.append(f"credit code {raw} is stored as a number, which Excel cuts to 15 "
                        "digits; format the column as text and enter the code again")
        return None
    if not raw.strip():
        problems.append("credit code is empty")
        return None
    try:
        return normalize_credit_code(raw)
    except InvalidInput as exc:
        problems.append(exc.message)
        return None
