"""The clear-to-zero list (清零清单): what is left, sign-off (销号) and rejection.

An entry is created by the sweep when a work order goes overdue and is never
deleted. Closing the order moves it to ``awaiting_signoff``; a supervisor (or an
admin) signs it off with a note, or rejects the closure with a reason, which reopens
the work order and puts the entry back to ``open`` (where the sweep keeps raising it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from caseflow.clock import ensure_utc
from caseflow.domain import values
from caseflow.errors import InvalidInput, NotFound
from caseflow.persistence import tables as t
from caseflow.services import evidence, work_orders
from caseflow.services.app import App
from caseflow.services.directory import team_by_code
from caseflow.services.permissions import Actor, require_role
from caseflow.services.tickets import retract_fact

LEFT = ("open", "awaiting_signoff")
# The partial indexes' condition, written literally: SQLite uses a partial index only
# when the query's condition is the same text (see queries.ticket_is_open).
LEFT_NOW = sa.text("clear_list_entry.status != 'signed_off'")


@dataclass(frozen=True)
class EntryView:
    id: int
    ticket_id: int
    level: int
    status: str
    entered_at: datetime
    signed_off_at: datetime | None
    case_id: int
    case_name: str
    project: str
    town: str
    team: str | None
    title: str
    title_zh: str | None
    assignee: str | None
    ticket_status: str
    due_at: datetime
    level_raised_at: datetime | None
    next_level_at: datetime | None
    awaiting_since: datetime | None
    signed_off_by: str | None
    note: str | None
    close_note: str | None = None  # what the member wrote when closing the order

    def display_title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") and self.title_zh else self.title

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClearList:
    """One view of the list: the entries shown, how many are left, and per team."""

    as_of: datetime
    left: int
    entries: list[EntryView]
    per_team: dict[str, int] = field(default_factory=dict)
    total: int = 0       # entries matching the filters (with --all: signed off too)
    offset: int = 0      # how many of them come before ``entries``

    @property
    def more(self) -> int:
        """How many entries come after the ones shown."""
        return max(0, self.total - self.offset - len(self.entries))


def list_entries(
    app: App, *, include_signed_off: bool = False, team: str | None = None,
    town: str | None = None, level: int | None = None, as_of: datetime | None = None,
    limit: int | None = None, offset: int = 0,
) -> ClearList:
    """What is left to clear (open and awaiting sign-off), highest level first, then
    oldest; ``include_signed_off`` shows everything. ``as_of`` leaves out entries that
    entered later and those signed off by then (statuses are today's). ``limit`` and
    ``offset`` page the entries in SQL; the counts are always of the whole list."""
    with reading(app, include_signed_off=include_signed_off, team=team, town=town,
                 level=level, as_of=as_of, limit=limit, offset=offset) as (head, rows):
        entries = [EntryView(**row) for row in rows]
    return replace(head, entries=entries)


@contextmanager
def reading(
    app: App, *, include_signed_off: bool = False, team: str | None = None,
    town: str | None = None, level: int | None = None, as_of: datetime | None = None,
    limit: int | None = None, offset: int = 0,
) -> Iterator[tuple[ClearList, Iterator[dict[str, Any]]]]:
    """The list's counts and a stream of its entries (plain dicts with ``EntryView``'s
    fields, straight off the cursor) in one read-only transaction: ``clearlist --json``
    writes every open entry of a city without building an object per row.

    A SQLite reader never takes the write lock (deferred transaction)."""
    when = ensure_utc(as_of) if as_of is not None else app.clock.now()
    if level is not None and level < 1:
        raise InvalidInput("--level counts from 1")
    if limit is not None and limit < 0 or offset < 0:
        raise InvalidInput("--limit and --offset count from 0")
    e = t.clear_list_entry
    with app.transaction(readonly=True) as tx:
        conn = tx.conn
        # as of now, the list is what the table holds (an entry never enters later
        # than the sweep that made it); the time bound only narrows a past as-of
        where: list[Any] = [] if as_of is None else [e.c.entered_at <= when]
        if team:
            where.append(e.c.team_id == team_by_code(conn, team).id)
        if level is not None:
            where.append(e.c.level == level)
        if town:
            where.append(t.project.c.town == town)
        if as_of is None:
            # now: nothing is signed off in the future, so "left" is the partial
            # indexes' own literal condition and a page reads a hundred index entries
            # (ix_entry_left_order), the counts come from ix_entry_left_team
            still_left: Any = LEFT_NOW
        else:
            still_left = sa.or_(e.c.status.in_(LEFT), e.c.signed_off_at > when)
        per_team = _per_team(conn, [*where, still_left], joins_project=bool(town))
        left = sum(per_team.values())
        shown = where if include_signed_off else [*where, still_left]
        total = _count(conn, shown, joins_project=bool(town)) if include_signed_off else left
        query = _ENTRY_QUERY.where(*shown).order_by(e.c.level.desc(), e.c.entered_at, e.c.id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        head = ClearList(as_of=when, left=left, entries=[], per_team=per_team, total=total,
                         offset=offset)
        result = conn.execution_options(yield_per=2000).execute(query)
        yield head, _entries(result)


def _entries(result: Any) -> Iterator[dict[str, Any]]:
    """Rows as dicts. The instants come as the driver gives them (``_RAW`` columns) and
    are made aware UTC datetimes here: SQLAlchemy's per-value type processing was a
    third of the time of ``clearlist --json`` over a city's 81,000 entries."""
    instants = [i for i, name in enumerate(_FIELDS) if name in _INSTANTS]
    parse = datetime.fromisoformat
    for row in result:
        values = list(row)
        for i in instants:
            value = values[i]
            if value is None:
                continue
            if isinstance(value, str):  # SQLite: naive UTC text
                values[i] = parse(value).replace(tzinfo=UTC)
            elif value.tzinfo is None:
                values[i] = value.replace(tzinfo=UTC)
        yield dict(zip(_FIELDS, values, strict=True))


_ASSIGNEE = t.app_user.alias("assignee")
_ENTRY_COLUMNS = {
    "id": t.clear_list_entry.c.id, "ticket_id": t.clear_list_entry.c.ticket_id,
    "level": t.clear_list_entry.c.level, "status": t.clear_list_entry.c.status,
    "entered_at": t.clear_list_entry.c.entered_at,
    "signed_off_at": t.clear_list_entry.c.signed_off_at, "case_id": t.ticket.c.case_id,
    "case_name": t.enterprise_case.c.name, "project": t.project.c.code,
    "town": t.project.c.town, "team": t.team.c.code, "title": t.ticket.c.title,
    "title_zh": t.ticket.c.title_zh, "assignee": _ASSIGNEE.c.login,
    "ticket_status": t.ticket.c.status, "due_at": t.ticket.c.due_at,
    "level_raised_at": t.clear_list_entry.c.level_raised_at,
    "next_level_at": t.clear_list_entry.c.next_level_at,
    "awaiting_since": t.clear_list_entry.c.awaiting_since,
    "signed_off_by": t.clear_list_entry.c.signed_off_by, "note": t.clear_list_entry.c.note,
    "close_note": t.ticket.c.close_note,
}
_FIELDS = tuple(_ENTRY_COLUMNS)
_INSTANTS = {"entered_at", "signed_off_at", "due_at", "level_raised_at", "next_level_at",
             "awaiting_since"}
_ENTRY_QUERY = (
    sa.select(*(sa.type_coerce(column, sa.String()).label(name) if name in _INSTANTS
                else column for name, column in _ENTRY_COLUMNS.items()))
    .select_from(t.clear_list_entry)
    .join(t.ticket, t.ticket.c.id == t.clear_list_entry.c.ticket_id)
    .join(t.enterprise_case, t.enterprise_case.c.id == t.ticket.c.case_id)
    .join(t.project, t.project.c.id == t.enterprise_case.c.project_id)
    .join(t.team, t.team.c.id == t.clear_list_entry.c.team_id, isouter=True)
    .join(_ASSIGNEE, _ASSIGNEE.c.id == t.ticket.c.assignee_id, isouter=True)
)


def _by_town(query: Any) -> Any:
    """Only a ``--town`` filter needs the entry's project: the counts skip the joins."""
    e = t.clear_list_entry
    return (query.join(t.ticket, t.ticket.c.id == e.c.ticket_id)
            .join(t.enterprise_case, t.enterprise_case.c.id == t.ticket.c.case_id)
            .join(t.project, t.project.c.id == t.enterprise_case.c.project_id))


def _per_team(conn: Any, where: list[Any], *, joins_project: bool) -> dict[str, int]:
    e = t.clear_list_entry
    counts: Any = sa.select(e.c.team_id, sa.func.count().label("n")).select_from(e)
    if joins_project:
        counts = _by_town(counts)
    counts = counts.where(*where).group_by(e.c.team_id).subquery()
    query = (sa.select(t.team.c.code, counts.c.n).select_from(counts)
             .join(t.team, t.team.c.id == counts.c.team_id, isouter=True))
    found: dict[str, int] = {}
    for code, n in conn.execute(query):
        found[code or "-"] = found.get(code or "-", 0) + int(n)
    return dict(sorted(found.items()))


def _count(conn: Any, where: list[Any], *, joins_project: bool) -> int:
    e = t.clear_list_entry
    query = sa.select(sa.func.count()).select_from(e)
    if joins_project:
        query = _by_town(query)
    return int(conn.execute(query.where(*where)).scalar() or 0)


def show_entry(app: App, entry_id: int) -> EntryView:
    with app.transaction(readonly=True) as tx:
        return _one(tx.conn, entry_id)


def entry_for_ticket(app: App, ticket_id: int) -> EntryView | None:
    """A work order's clear-list entry, if it ever went on the list."""
    with app.transaction(readonly=True) as tx:
        e = t.clear_list_entry
        # its live entry if it is on the list now, else the last one (signed off)
        rows = _entries(tx.conn.execute(_ENTRY_QUERY.where(e.c.ticket_id == ticket_id)
                                        .order_by((e.c.status == "signed_off").asc(),
                                                  e.c.id.desc())))
        row = next(rows, None)
        return EntryView(**row) if row is not None else None


def _one(executor: Any, entry_id: int) -> EntryView:
    """One entry as a view; ``executor`` is a Core connection or an ORM session."""
    rows = _entries(executor.execute(_ENTRY_QUERY.where(t.clear_list_entry.c.id == entry_id)))
    row = next(rows, None)
    if row is None:
        raise NotFound(f"no clear-list entry #{entry_id}", hint="see `caseflow clearlist --all`")
    return EntryView(**row)


def _text(text: str | None, option: str) -> str:
    if text is None or not text.strip():
        raise InvalidInput(f"{option} is required", hint="say what was checked or what is wrong")
    checked = values.text(text, "reason" if option == "--reason" else "note", limit="note",
                          multiline=True)
    assert checked is not None
    return checked


def signoff(app: App, actor: Actor, entry_id: int, note: str) -> EntryView:
    """销号: a supervisor confirms the closed work order really cleared the item."""
    note = _text(note, "--note")
    require_role(actor, "supervisor", doing="sign clear-list entries off")
    with app.transaction() as tx:
        loaded = _loaded(app, tx.conn, entry_id)
        work_orders.change(app, tx.conn, actor, loaded, "sign_off", note=note)
        # after the machine: an entry not awaiting sign-off is told so first
        evidence.require(tx.conn, app, loaded.row, "signoff")
        tx.commit()
        return _one(tx.conn, entry_id)


def reject(app: App, actor: Actor, entry_id: int, reason: str) -> EntryView:
    """Refuse a closure: the work order is reopened and the entry is open again."""
    reason = _text(reason, "--reason")
    require_role(actor, "supervisor", doing="reject clear-list entries")
    with app.transaction() as tx:
        loaded = _loaded(app, tx.conn, entry_id)
        work_orders.change(app, tx.conn, actor, loaded, "reject", note=reason,
                           action="ticket.reopen", entry_action="entry.rejected")
        retract_fact(tx.conn, loaded.row, actor, app.clock.now(), reason)
        tx.commit()
        return _one(tx.conn, entry_id)


def _loaded(app: App, conn: Any, entry_id: int) -> work_orders.Loaded:
    """The entry's work order, with this entry (not another of the same order) as the one
    the sign-off or rejection moves."""
    entry = conn.execute(sa.select(t.clear_list_entry)
                         .where(t.clear_list_entry.c.id == entry_id)).first()
    if entry is None:
        raise NotFound("no clear-list entry #{id}", hint="see `caseflow clearlist --all`",
                       id=entry_id)
    loaded = work_orders.load(app, conn, entry.ticket_id)
    loaded.entry, loaded.order.entry_status, loaded.order.entry_id = entry, entry.status, entry.id
    return loaded
