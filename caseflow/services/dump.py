"""A complete, versioned JSON dump of a caseflow database, and its restore.

The dump is one JSON object: the format name and version, the schema revision,
when it was made, and every table with all its rows (audit events included), in an
order that respects foreign keys. It is written row by row, never held in memory,
because a city's database has millions of rows; the restore reads it the same way
(ijson) into an EMPTY database, in one transaction, so a failed restore leaves
nothing behind. On PostgreSQL the id sequences are moved past the restored ids.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from caseflow.errors import InvalidInput, Refused
from caseflow.files import make_private
from caseflow.persistence import migrate
from caseflow.persistence.models import UTCDateTime, metadata
from caseflow.services.app import App
from caseflow.services.permissions import Actor, require_role

FORMAT = "caseflow-dump"
FORMAT_VERSION = 1
# parents before children, so foreign keys hold while rows go in
TABLES = ("team", "app_user", "workflow_version", "project", "enterprise_case", "ticket",
          "evidence_blob", "evidence", "case_fact", "clear_list_entry", "alert", "audit_event",
          "sweep_state")
# Secrets never leave the server in a dump: personal tokens and sign-in attempts are
# not dumped, nor password hashes (after a restore an admin sets passwords anew).
SECRET_TABLES = ("api_token", "sign_in_attempt")
SECRET_COLUMNS = {"app_user": ("password_hash", "password_changed_at")}
CHUNK = 5_000


@dataclass
class DumpSummary:
    path: str
    schema_revision: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables() -> list[sa.Table]:
    known = set(metadata.tables)
    missing = [t for t in known if t not in TABLES and t not in SECRET_TABLES]
    assert not missing, f"dump.TABLES lacks {missing}: add new tables in foreign-key order"
    return [metadata.tables[name] for name in TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # strict JSON; such a value was never a real area (now refused on entry)
    if isinstance(value, bytes | memoryview):  # evidence photos, as base64 text
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):  # JSON columns (audit snapshots) may hold one too
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _order(table: sa.Table) -> list[Any]:
    return list(table.primary_key.columns)


def export(app: App, actor: Actor, out: IO[str], path: str = "-",
           progress: Callable[[str, int], Any] | None = None) -> DumpSummary:
    """Write every table to ``out`` as JSON, streaming; one read transaction, so the
    dump is a consistent snapshot even while others keep working."""
    require_role(actor, "admin", doing="export the database")
    revision = migrate.current_revision(app.engine) or "none"
    summary = DumpSummary(path, revision)
    with app.uow(readonly=True) as uow:
        conn = uow.session.connection()
        out.write("{\n")
        out.write(f'"format": {json.dumps(FORMAT)},\n"format_version": {FORMAT_VERSION},\n')
        out.write(f'"schema_revision": {json.dumps(revision)},\n')
        out.write(f'"exported_at": {json.dumps(app.clock.now().isoformat())},\n')
        out.write(f'"exported_by": {json.dumps(actor.login)},\n"tables": {{')
        for t_index, table in enumerate(_tables()):
            hidden = SECRET_COLUMNS.get(table.name, ())
            selected = [c for c in table.columns if c.name not in hidden]
            columns = [c.name for c in selected]
            out.write(f'{"," if t_index else ""}\n{json.dumps(table.name)}: {{"columns": '
                      f'{json.dumps(columns)}, "rows": [')
            n = 0
            result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
                sa.select(*selected).order_by(*_order(table)))
            for row in result:
                out.write(("," if n else "") + "\n" + json.dumps(
                    [_encode(v) for v in row], ensure_ascii=False, separators=(",", ":"),
                    allow_nan=False))
                n += 1
                if progress and n % 100_000 == 0:
                    progress(table.name, n)
            out.write("\n]}")
            summary.rows[table.name] = n
        out.write("\n}\n}\n")
    return summary


def export_to_file(app: App, actor: Actor, path: Path,
                   progress: Callable[[str, int], Any] | None = None) -> DumpSummary:
    """Write to ``path`` through a temporary file, so a failed export leaves no half file."""
    tmp = path.with_name(path.name + ".partial")
    try:
        with make_private(tmp).open("w", encoding="utf-8") as fh:
            summary = export(app, actor, fh, str(path), progress)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary


def _header(fh: IO[bytes], source: str) -> dict[str, Any]:
    """The top-level fields before ``tables`` (read without parsing the tables)."""
    import ijson

    header: dict[str, Any] = {}
    key = None
    try:
        for prefix, event, value in ijson.parse(fh):
            if prefix == "" and event == "map_key":
                if value == "tables":
                    break
                key = value
            elif key is not None and prefix == key and event in (
                    "string", "number", "boolean", "null"):
                header[key] = value
    except ijson.JSONError as exc:
        raise InvalidInput(f"{source} is not a caseflow dump: {_one_line(exc)}") from None
    if header.get("format") != FORMAT:
        raise InvalidInput(f"{source} is not a caseflow dump (no \"format\": \"{FORMAT}\")")
    if header.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(f"{source} is dump format {header.get('format_version')}; "
                           f"this caseflow reads format {FORMAT_VERSION}")
    return header


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _converters(table: sa.Table, columns: list[str]) -> list[Callable[[Any], Any]]:
    def keep(v: Any) -> Any:
        return v

    def when(v: Any) -> Any:
        return datetime.fromisoformat(v) if isinstance(v, str) else v

    def number(v: Any) -> Any:  # ijson gives Decimal for non-integers
        return float(v) if v is not None and not isinstance(v, int | bool) else v

    out: list[Callable[[Any], Any]] = []
    for name in columns:
        if name not in table.c:
            raise InvalidInput(f"the dump has a column {table.name}.{name} this schema lacks")
        kind = table.c[name].type
        if isinstance(kind, UTCDateTime):
            out.append(when)
        elif isinstance(kind, sa.Float | sa.Numeric):
            out.append(number)
        elif isinstance(kind, sa.JSON):
            out.append(lambda v: _plain(v))
        elif isinstance(kind, sa.LargeBinary):
            out.append(lambda v: base64.b64decode(v) if isinstance(v, str) else v)
        else:
            out.append(keep)
    return out


def _plain(value: Any) -> Any:
    """Decimals from ijson back to floats inside JSON columns."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _require_empty(app: App) -> None:
    revision = migrate.current_revision(app.engine)
    if revision is None:
        return
    with app.engine.connect() as conn:
        for name in TABLES:
            if conn.execute(sa.text(f"SELECT 1 FROM {name} LIMIT 1")).first():
                raise Refused(f"the database is not empty (table {name} has rows); a dump is "
                              "restored only into an empty database",
                              hint="create a new database and point --db at it")


def import_dump(app: App, path: Path,
                progress: Callable[[str, int], Any] | None = None) -> DumpSummary:
    """Restore ``path`` into an empty database: all of it, or (on any error) none of it."""
    import ijson

    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    with path.open("rb") as fh:
        header = _header(fh, str(path))
    revision = str(header.get("schema_revision"))
    _require_empty(app)
    current = migrate.current_revision(app.engine)
    if current is not None and current != revision:
        raise Refused(f"the dump is of schema {revision} and the database is at {current}",
                      hint="restore into a new, empty database (it is created at the "
                           "dump's schema and upgraded after)")
    summary = DumpSummary(str(path), revision)
    tables = {t.name: t for t in _tables()}
    # schema, rows and the upgrade after them in ONE transaction: a refused restore
    # leaves the database exactly as it was (no half schema, no rows)
    with app.engine.begin() as conn, path.open("rb") as fh:
        if current is None:
            migrate.upgrade_on(conn, revision)
        try:
            for name, columns, rows in _table_rows(ijson, fh):
                table = tables.get(name)
                if table is None:
                    raise InvalidInput(f"{path}: unknown table {name!r} in the dump")
                convert = _converters(table, columns)
                check = _row_checks(table, columns, str(path))
                n = 0
                batch: list[dict[str, Any]] = []
                for raw in rows:
                    record = {c: f(v) for c, f, v in zip(columns, convert, raw, strict=True)}
                    check(record)
                    batch.append(record)
                    if len(batch) >= CHUNK:
                        conn.execute(table.insert(), batch)
                        n += len(batch)
                        batch = []
                        if progress:
                            progress(name, n)
                if batch:
                    conn.execute(table.insert(), batch)
                    n += len(batch)
                summary.rows[name] = n
        except ijson.JSONError as exc:
            raise InvalidInput(f"{path} is cut short or damaged ({_one_line(exc)}); "
                               "nothing was restored") from None
        except sa.exc.IntegrityError as exc:
            raise InvalidInput(f"{path} does not hold together ({_one_line(exc.orig or exc)}); "
                               "nothing was restored") from None
        if conn.dialect.name == "postgresql":
            for name in TABLES:
                if "id" not in tables[name].c:
                    continue  # keyed by content (evidence_blob): no sequence
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}")
        if revision != migrate.SCHEMA_HEAD:
            migrate.upgrade_on(conn)
    return summary


def _row_checks(table: sa.Table, columns: list[str], source: str) -> Callable[[dict[str, Any]],
                                                                                None]:
    """What the database must hold, checked per row the same on SQLite and PostgreSQL
    (SQLite ignores VARCHAR lengths, PostgreSQL refuses them naming no row): lengths,
    control characters in one-line text, finite numbers. A bad row is named."""
    from caseflow import i18n
    from caseflow.domain import values

    def varchar(kind: Any) -> int | None:
        base = kind.impl if isinstance(kind, sa.TypeDecorator) else kind  # sqlmodel AutoString
        if isinstance(base, sa.String) and not isinstance(base, sa.Text):
            return getattr(base, "length", None)
        return None

    limits = {c: n for c in columns if (n := varchar(table.c[c].type))}
    numbers = [c for c in columns if isinstance(table.c[c].type, sa.Float | sa.Numeric)]

    def refuse(record: dict[str, Any], column: str, problem: Any) -> None:
        raise values.InvalidValue(
            values.N_("{source}: {table} row id {row}, column {column}: {problem}; "
                      "nothing was restored"),
            source=source, table=table.name, row=record.get("id", "?"), column=column,
            problem=problem)

    def check(record: dict[str, Any]) -> None:
        for column, most in limits.items():
            text = record.get(column)
            if not isinstance(text, str):
                continue
            if len(text) > most:
                refuse(record, column, i18n.text("{length} characters, at most {most} allowed",
                                                  length=f"{len(text):,}", most=f"{most:,}"))
            bad = values.first_control(text)
            if bad is not None:
                refuse(record, column, i18n.text("control character {char}",
                                                  char=f"U+{ord(text[bad]):04X}"))
        for column in numbers:
            number = record.get(column)
            if isinstance(number, float) and not math.isfinite(number):
                refuse(record, column, i18n.text("{value} is not a finite number",
                                                  value=str(number)))

    return check


def _table_rows(ijson: Any, fh: IO[bytes]) -> Iterator[tuple[str, list[str], Iterator[list[Any]]]]:
    """(table, columns, rows) in file order, each rows iterator streaming from the file."""
    events = ijson.parse(fh)
    for prefix, event, value in events:
        if prefix == "tables" and event == "map_key":
            name = value
            columns: list[str] = []
            for p, e, v in events:
                if p == f"tables.{name}.columns.item":
                    columns.append(v)
                elif p == f"tables.{name}" and e == "map_key" and v == "rows":
                    break
            yield name, columns, _rows(events, f"tables.{name}.rows")


def _rows(events: Iterator[tuple[str, str, Any]], prefix: str) -> Iterator[list[Any]]:
    """Rows as lists, built from ijson's events under ``prefix``."""
    item = prefix + ".item"
    stack: list[Any] = []
    keys: list[str | None] = []
    for p, event, value in events:
        if p == prefix:
            if event == "end_array":
                return
            continue  # the opening bracket of the rows array
        if event in ("start_array", "start_map"):
            node: Any = [] if event == "start_array" else {}
            if stack:
                _put(stack[-1], keys, node)
            stack.append(node)
            keys.append(None)
        elif event in ("end_array", "end_map"):
            done = stack.pop()
            keys.pop()
            if not stack:
                yield done
        elif event == "map_key":
            keys[-1] = value
        elif p.startswith(item):
            _put(stack[-1], keys, value)


def _put(container: Any, keys: list[str | None], value: Any) -> None:
    if isinstance(container, list):
        container.append(value)
    else:
        container[keys[-1]] = value
