"""Supervisor reports: the weekly ranking, progress against the year's target, burndown.

Every report runs in one read-only transaction and aggregates in SQL (GROUP BY over
index ranges), because a city-scale database holds a million work orders and a year
of events and the reports must come back in about a second.

Weekly figures are reconstructed *as of the week's end* so that a past week's report
never changes when today's data does:

- opened / closed / on time come from ``ticket.open`` and ``ticket.close`` events
  inside the week (``after.on_time`` was decided at close time against the deadline
  then in force);
- "overdue at week end" uses only facts that cannot change later (a ticket's
  ``opened_at``, team and case) plus the audit trail after the week end: for a work
  order that was reopened or extended after the week, its status and deadline at the
  week's end are read from the ``before`` snapshot of its first change after it;
- clear-list figures come from ``entered_at`` / ``signed_off_at`` of the entries,
  which are set once.

Units: ``team`` is the team copied onto the event (the order's team); ``project`` and
``town`` follow the order's case (an order never changes case, a case never changes
project); ``person`` counts an order as *received* by whoever it was assigned to when
opened or assigned, or who took it from the team queue by starting it, as *closed*
by the person who closed it (the event's actor), and overdue orders and clear-list
entries under the order's assignee at the week's end ("—" for the team queue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.engine import Connection as Session

from caseflow.clock import SHANGHAI, local_date
from caseflow.errors import InvalidInput
from caseflow.persistence.core_models import (
    AuditEvent,
    Case,
    ClearListEntry,
    Project,
    Team,
    Ticket,
    User,
)
from caseflow.services.app import App
from caseflow.services.queries import OPEN_STATUSES, ticket_is_open
from caseflow.services.reports.weeks import Week, last_complete_week, parse_week, percent

WEEKLY_UNITS = ("team", "town", "project", "person")
NO_UNIT = "—"
# Events that carry the order's full before/after snapshot (status, assignee, deadline).
SNAPSHOT_ACTIONS = ("ticket.start", "ticket.close", "ticket.reopen", "ticket.assign",
                    "ticket.extend")

__all__ = ["NO_UNIT", "SNAPSHOT_ACTIONS", "WEEKLY_UNITS", "Week", "WeeklyReport", "WeeklyRow",
           "last_complete_week", "parse_week", "percent", "rank_rows", "weekly"]


@dataclass
class WeeklyRow:
    unit: str                    # team code, project code, town name or login
    unit_name: str               # the unit's display name
    opened: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0             # open and past due at the week's end
    overdue_working_days: int = 0  # summed over the overdue orders
    entries_added: int = 0
    entries_signed_off: int = 0
    entries_left: int = 0        # on the clear-to-zero list at the week's end
    rank: int = 0
    previous_rank: int | None = None

    @property
    def on_time_rate(self) -> float | None:
        """Percent of the week's closes that were on time, two decimals; None if none."""
        return percent(self.closed_on_time, self.closed) if self.closed else None

    @property
    def mean_overdue_days(self) -> float | None:
        if not self.overdue:
            return None
        return round(self.overdue_working_days / self.overdue, 2)

    @property
    def movement(self) -> int | None:
        """Places moved up since last week (negative: down); None if not ranked then."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def score(self) -> tuple[float, int, int]:
        """The ranking key, best first (see ``rank_rows``)."""
        rate = self.on_time_rate
        return (-(rate if rate is not None else -1.0), self.overdue, -self.closed)


@dataclass
class WeeklyReport:
    week: str
    previous_week: str
    by: str
    start: date                  # Monday
    end: date                    # Sunday
    as_of: datetime              # the week's end instant (exclusive)
    rows: list[WeeklyRow] = field(default_factory=list)

    def totals(self) -> WeeklyRow:
        total = WeeklyRow(unit="*", unit_name="*")
        for row in self.rows:
            for name in ("opened", "closed", "closed_on_time", "overdue", "overdue_working_days",
                         "entries_added", "entries_signed_off", "entries_left"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def rank_rows(rows: list[WeeklyRow]) -> None:
    """The weekly quantified ranking (每周量化排序), standard competition ranking:

    1. on-time close rate of the week, highest first (a unit that closed nothing ranks
       after every unit that closed something);
    2. then fewest orders overdue at the week's end;
    3. then most orders closed in the week.
    Units equal on all three share a rank; they are listed by unit name.
    """
    rows.sort(key=lambda r: (r.score, r.unit))
    for index, row in enumerate(rows):
        if index and row.score == rows[index - 1].score:
            row.rank = rows[index - 1].rank
        else:
            row.rank = index + 1


def weekly(app: App, week: str | None = None, by: str = "team") -> WeeklyReport:
    """The week's figures per unit, ranked, with the movement against the week before."""
    if by not in WEEKLY_UNITS:
        raise InvalidInput(f"--by {by!r} must be one of {', '.join(WEEKLY_UNITS)}")
    wk = parse_week(week) if week else last_complete_week(app.clock.now())
    now = app.clock.now()
    if wk.start >= now:
        raise InvalidInput(f"week {wk.label} has not started yet",
                           hint="pick a week up to the current one")
    with app.transaction(readonly=True) as tx:
        session = tx.conn
        as_of = min(wk.end, now + timedelta(microseconds=1))  # a running week: up to now
        rows = _weekly_rows(app, session, wk.start, as_of, by)
        prev = wk.previous()
        previous = _weekly_rows(app, session, prev.start, prev.end, by)
    before = {r.unit: r.rank for r in previous if _active(r)}
    for row in rows:
        row.previous_rank = before.get(row.unit)
    return WeeklyReport(week=wk.label, previous_week=wk.previous().label, by=by,
                        start=wk.monday, end=wk.sunday, as_of=as_of, rows=rows)


def _active(row: WeeklyRow) -> bool:
    return bool(row.opened or row.closed or row.overdue or row.entries_added
                or row.entries_signed_off or row.entries_left)


def _weekly_rows(app: App, session: Session, start: datetime, end: datetime, by: str
                 ) -> list[WeeklyRow]:
    units = _units(session, by, end)
    rows: dict[Any, WeeklyRow] = {}

    def row(key: Any) -> WeeklyRow:
        if key not in rows:
            code, name = units.get(key, (str(key) if key is not None else NO_UNIT, NO_UNIT))
            rows[key] = WeeklyRow(unit=code, unit_name=name)
        return rows[key]

    for key in units:
        row(key)
    if by == "person":
        _person_week(app, session, start, end, row)
    else:
        _unit_week(app, session, start, end, by, row)
    result = [r for r in rows.values() if by != "person" or _active(r)]
    rank_rows(result)
    return result


def _units(session: Session, by: str, end: datetime) -> dict[Any, tuple[str, str]]:
    """The units that existed at the week's end, key → (code, name)."""
    if by == "team":
        teams = session.execute(select(Team.id, Team.code, Team.name).where(Team.created_at < end))
        return {tid: (code, name) for tid, code, name in teams}
    if by == "project":
        projects = session.execute(select(Project.id, Project.code, Project.name)
                                .where(Project.created_at < end))
        return {pid: (code, name) for pid, code, name in projects}
    if by == "town":
        towns: Any = session.execute(select(Project.town).where(Project.created_at < end)
                                .distinct()).scalars()
        return {town: (town, town) for town in towns}
    return {}  # persons appear when they did something


def _event_unit(by: str, query: Any, dialect: str) -> tuple[Any, Any]:
    """The grouping column for events and the joins it needs."""
    if by == "team":
        return AuditEvent.team_id, query
    return _case_unit(by, query, AuditEvent.case_id, dialect)


def _ticket_unit(by: str, query: Any, dialect: str) -> tuple[Any, Any]:
    """The grouping column for work orders and the joins it needs."""
    if by == "team":
        return Ticket.team_id, query
    return _case_unit(by, query, Ticket.case_id, dialect)


def _case_unit(by: str, query: Any, case_id: Any, dialect: str) -> tuple[Any, Any]:
    """The project or town of the case ``case_id`` names, and the joins it needs.

    PostgreSQL hash-joins the rows to case and project. SQLite looks each row's case
    up one by one, so there the unit comes through a materialized (case id → unit)
    table: a quarter of a million open orders look their unit up in that small table
    rather than in the wide case rows (0.58 → 0.41 s a query by town). The join reads
    ``case_id + 0`` so that SQLite cannot walk project → case → every order of the
    case (it would, and read all million orders): the rows are found first through
    their own index range (open orders, orders closed after the week, the week's
    events). On PostgreSQL that table would hide the row counts from the planner,
    whose wild estimate then costs a third of a second of JIT compiling.
    """
    if dialect != "sqlite":
        query = query.join(Case, Case.id == case_id)  # type: ignore[arg-type]
        if by == "project":
            return Case.project_id, query
        return Project.town, query.join(Project, Project.id == Case.project_id)  # type: ignore[arg-type]
    unit = Case.project_id if by == "project" else Project.town
    case_units = select(Case.id.label("case_id"), unit.label("unit")).select_from(Case)
    if by == "town":
        case_units = case_units.join(Project, Project.id == Case.project_id)  # type: ignore[arg-type]
    table = case_units.cte("case_unit").prefix_with("MATERIALIZED")
    return table.c.unit, query.join(table, table.c.case_id == case_id + 0)


def _in_week(start: datetime, end: datetime) -> Any:
    return sa.and_(AuditEvent.at >= start, AuditEvent.at < end)


def _on_time() -> Any:
    return sa.func.sum(sa.case((AuditEvent.after["on_time"].as_boolean(), 1), else_=0))


def _unit_week(app: App, session: Session, start: datetime, end: datetime, by: str,
               row: Any) -> None:
    dialect = session.dialect.name
    key, query = _event_unit(by, select(sa.literal(0)).select_from(AuditEvent), dialect)
    counts = session.execute(
        query.with_only_columns(key, AuditEvent.action, sa.func.count(), _on_time())
        .where(AuditEvent.action.in_(("ticket.open", "ticket.close")),  # type: ignore[attr-defined]
               _in_week(start, end))
        .group_by(key, AuditEvent.action))
    for unit, action, n, on_time in counts:
        target = row(unit)
        if action == "ticket.open":
            target.opened += n
        else:
            target.closed += n
            target.closed_on_time += int(on_time or 0)
    for unit, (n, days) in _overdue_totals(app, session, end, by).items():
        target = row(unit)
        target.overdue += n
        target.overdue_working_days += days
    entry_key, entry_query = _entry_unit(by, dialect)
    for unit, added, signed, left in session.execute(
            entry_query.with_only_columns(entry_key, *_entry_counts(start, end))
            .where(_entry_in_play(start, end)).group_by(entry_key)):
        target = row(unit)
        target.entries_added += int(added or 0)
        target.entries_signed_off += int(signed or 0)
        target.entries_left += int(left or 0)


def _entry_unit(by: str, dialect: str) -> tuple[Any, Any]:
    query = select(sa.literal(0)).select_from(ClearListEntry)
    if by == "team":
        return ClearListEntry.team_id, query
    query = query.join(Ticket, Ticket.id == ClearListEntry.ticket_id)  # type: ignore[arg-type]
    return _case_unit(by, query, Ticket.case_id, dialect)


def _entry_in_play(start: datetime, end: datetime) -> Any:
    """Entries that count for the week: entered before its end, not signed off before it."""
    signed = ClearListEntry.signed_off_at
    return sa.and_(ClearListEntry.entered_at < end,
                   sa.or_(signed.is_(None), signed >= start))  # type: ignore[union-attr,operator]


def _entry_counts(start: datetime, end: datetime) -> list[Any]:
    signed = ClearListEntry.signed_off_at
    return [
        sa.func.sum(sa.case((ClearListEntry.entered_at >= start, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(signed >= start, signed < end), 1), else_=0)),  # type: ignore[operator]
        sa.func.sum(sa.case((sa.or_(signed.is_(None), signed >= end), 1), else_=0)),  # type: ignore[union-attr,operator]
    ]


def _days_overdue(app: App, due_day: date, end: datetime) -> int:
    """Working days from the due day (Shanghai) to the last day of the week (0 if due
    that day)."""
    last_day = local_date(end - timedelta(microseconds=1))
    # a city's overdue orders share a few hundred due days: count each pair once
    cache: dict[tuple[date, date], int] = app.__dict__.setdefault("_working_days_cache", {})
    key = (due_day, last_day)
    if key not in cache:
        cache[key] = max(app.calendar.working_days_between(*key), 0)
    return cache[key]


def _local_day(session: Session, column: Any, end: datetime) -> Any:
    """``column``'s calendar day in Asia/Shanghai, computed by the database.

    Overdue orders are grouped by due *day* rather than due instant, so a city's
    quarter of a million open orders come back as a few thousand rows instead of one
    row (and one datetime to parse) each. SQLite has no time zones: it shifts by the
    offset at ``end``, which is exact because Shanghai has kept +08:00 since 1991.
    """
    # constants written into the SQL, not bound, so that GROUP BY matches the SELECT
    if session.dialect.name == "postgresql":
        zone: Any = sa.literal_column(f"'{SHANGHAI.key}'")
        day = sa.func.date(sa.func.timezone(zone, column))
    else:
        offset = end.astimezone(SHANGHAI).utcoffset() or timedelta(0)
        shift: Any = sa.literal_column(f"'{int(offset.total_seconds()):+d} seconds'")
        day = sa.func.date(column, shift)
    return sa.type_coerce(day, sa.Date())


def _overdue_totals(app: App, session: Session, end: datetime, by: str
                    ) -> dict[Any, tuple[int, int]]:
    """unit → (orders overdue at ``end``, their working days overdue summed).

    By person the (assignee, due day) groups run to a hundred thousand or more, so
    the working days are counted once per distinct due day and summed per unit here
    rather than row by row on the report rows.
    """
    days: dict[date, int] = {}
    totals: dict[Any, tuple[int, int]] = {}
    for unit, due_day, n in _overdue_groups(session, end, by):
        if due_day not in days:
            days[due_day] = _days_overdue(app, due_day, end)
        count, summed = totals.get(unit, (0, 0))
        totals[unit] = (count + n, summed + n * days[due_day])
    return totals


def _maybe_open_at(end: datetime) -> Any:
    """Orders that may have been open at ``end``: opened before it and either still open
    or closed/cancelled at or after it (a close before ``end`` followed by a reopen after
    it leaves the order open now or closed again later, so it is caught too)."""
    return sa.and_(Ticket.opened_at < end,
                   sa.or_(Ticket.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
                          Ticket.closed_at >= end))  # type: ignore[operator]


def _changed_after(end: datetime, actions: tuple[str, ...] = ("ticket.reopen", "ticket.extend")
                   ) -> Any:
    """Orders whose status or deadline (or with ``SNAPSHOT_ACTIONS``, also assignee) at
    ``end`` may differ from the row now: those with such an event since."""
    return select(AuditEvent.ticket_id).where(
        AuditEvent.action.in_(actions),  # type: ignore[attr-defined]
        AuditEvent.at >= end)


def _unmoved(column: Any, moved: Any, dialect: str) -> Any:
    """``column`` (a ticket id) is not among the ``moved`` orders.

    SQLite reads ``NOT IN`` as one pass over the subquery into a lookup table.
    PostgreSQL cannot turn ``NOT IN`` into an anti-join, and once the subquery
    outgrows ``work_mem`` (weeks of closes after a past week) it rescans it for every
    order, for minutes; ``NOT EXISTS`` is a hash anti-join.
    """
    if dialect == "sqlite":
        return column.not_in(moved)
    return ~moved.where(AuditEvent.ticket_id == column).exists()


def _reassigned_after(end: datetime) -> Any:
    """Orders whose status, deadline or assignee at ``end`` may differ from the row now.

    Like ``_changed_after(end, SNAPSHOT_ACTIONS)``, but a start or close after ``end``
    counts only if it took an unassigned order (both set the assignee only then):
    otherwise a start leaves the order open and a close is seen through ``closed_at``,
    with the assignee unchanged. In a busy city that leaves out most of a week's tens
    of thousands of closes, which would each be reconstructed from their events.
    """
    return select(AuditEvent.ticket_id).where(
        AuditEvent.action.in_(SNAPSHOT_ACTIONS),  # type: ignore[attr-defined]
        AuditEvent.at >= end,
        sa.or_(AuditEvent.action.in_(("ticket.reopen", "ticket.assign",  # type: ignore[attr-defined]
                                      "ticket.extend")),
               AuditEvent.before["assignee_id"].as_integer().is_(None)))


def _overdue_groups(session: Session, end: datetime, by: str) -> list[tuple[Any, date, int]]:
    """(unit, due day then (Shanghai), count) of orders open and past due at ``end``.

    Orders untouched since ``end`` are counted in SQL, in two index range scans rather
    than one scan of every order: orders open now and due before ``end`` (the partial
    index on open orders), and orders closed or cancelled at or after ``end``
    (``ix_ticket_closed_at``). The few changed since are reconstructed one by one.
    For ``person`` the unit is the assignee at ``end`` (a user id).
    """
    if by == "person":
        key, query = Ticket.assignee_id, select(sa.literal(0)).select_from(Ticket)
        moved = _reassigned_after(end)
    else:
        key, query = _ticket_unit(by, select(sa.literal(0)).select_from(Ticket),
                                  session.dialect.name)
        moved = _changed_after(end)
    dialect = session.dialect.name
    unchanged = [Ticket.opened_at < end, Ticket.due_at < end,
                 _unmoved(Ticket.id, moved, dialect)]
    due_day = _local_day(session, Ticket.due_at, end)
    result: list[tuple[Any, date, int]] = []
    for state in (ticket_is_open(Ticket.status),
                  sa.and_(Ticket.status.not_in(OPEN_STATUSES),  # type: ignore[attr-defined]
                          Ticket.closed_at >= end)):  # type: ignore[operator]
        result += session.execute(  # type: ignore[arg-type]
            query.with_only_columns(key, due_day, sa.func.count())
            .where(state, *unchanged).group_by(key, due_day)).all()
    changed = session.execute(
        query.with_only_columns(Ticket.id, key)
        .where(_maybe_open_at(end), Ticket.id.in_(moved))).all()  # type: ignore[union-attr]
    if not changed:
        return result
    states = _state_at(session, select(Ticket.id).where(
        _maybe_open_at(end), Ticket.id.in_(moved)), end)  # type: ignore[union-attr]
    for tid, unit in changed:
        status, due, assignee = states[tid]
        if status in OPEN_STATUSES and due < end:
            result.append((assignee if by == "person" else unit, local_date(due), 1))
    return result


def _state_at(session: Session, ids: Any, end: datetime
              ) -> dict[int, tuple[str, datetime, int | None]]:
    """(status, deadline, assignee id) at ``end`` of the orders ``ids`` selects.

    Every change of an order's status, assignee or deadline writes an event with the
    full snapshot before it, so the order at ``end`` is the ``before`` of its first
    such event at or after ``end``, or the row itself when nothing changed since.
    Two set-based queries, whatever the number of orders.
    """
    wanted = ids.scalar_subquery() if hasattr(ids, "scalar_subquery") else ids
    result: dict[int, tuple[str, datetime, int | None]] = {
        tid: (status, due_at, assignee) for tid, status, due_at, assignee in session.execute(
            select(Ticket.id, Ticket.status, Ticket.due_at, Ticket.assignee_id)
            .where(Ticket.id.in_(wanted)))}  # type: ignore[union-attr]
    before = AuditEvent.before
    first = (select(AuditEvent.ticket_id, before["status"].as_string().label("status"),
                    before["due_at"].as_string().label("due_at"),
                    before["assignee_id"].as_integer().label("assignee_id"),
                    sa.func.row_number().over(partition_by=AuditEvent.ticket_id,
                                              order_by=(AuditEvent.at, AuditEvent.id))
                    .label("n"))
             .where(AuditEvent.ticket_id.in_(wanted),  # type: ignore[union-attr]
                    AuditEvent.action.in_(SNAPSHOT_ACTIONS),  # type: ignore[attr-defined]
                    AuditEvent.at >= end).subquery())
    # only the three fields, not each snapshot's whole JSON decoded in Python
    latest: Any = session.execute(
        select(first.c.ticket_id, first.c.status, first.c.due_at, first.c.assignee_id)
        .where(first.c.n == 1))
    for tid, status, due_at, assignee in latest:
        if status is not None and due_at is not None:
            result[tid] = (status, datetime.fromisoformat(due_at), assignee)
    return result


def _person_week(app: App, session: Session, start: datetime, end: datetime, row: Any) -> None:
    logins: dict[Any, Any] = dict(session.execute(select(User.id, User.login)).all())
    names: dict[Any, Any] = dict(session.execute(select(User.login, User.name)).all())

    def person(login: str | None) -> WeeklyRow:
        target = row(login)
        if login is not None:
            target.unit_name = names.get(login, login)
        return target

    received = AuditEvent.after["assignee"].as_string()
    for login, n in session.execute(
            select(received, sa.func.count())
            .where(AuditEvent.action.in_(("ticket.open", "ticket.assign")),  # type: ignore[attr-defined]
                   _in_week(start, end), received.is_not(None)).group_by(received)):
        person(login).opened += n
    for login, n in session.execute(
            select(AuditEvent.actor, sa.func.count())
            .where(AuditEvent.action == "ticket.start", _in_week(start, end),
                   AuditEvent.before["assignee_id"].as_integer().is_(None))
            .group_by(AuditEvent.actor)):
        person(login).opened += n
    for login, n, on_time in session.execute(
            select(AuditEvent.actor, sa.func.count(), _on_time())
            .where(AuditEvent.action == "ticket.close", _in_week(start, end))
            .group_by(AuditEvent.actor)):
        target = person(login)
        target.closed += n
        target.closed_on_time += int(on_time or 0)
    for assignee, (n, days) in _overdue_totals(app, session, end, "person").items():
        target = person(logins.get(assignee) if assignee else None)
        target.overdue += n
        target.overdue_working_days += days
    signed = ClearListEntry.signed_off_at
    in_play = _entry_in_play(start, end)
    moved = _reassigned_after(end)
    counts = _entry_counts(start, end)
    for assignee, added, signed_off, left in session.execute(
            select(Ticket.assignee_id, *counts)
            .join(Ticket, Ticket.id == ClearListEntry.ticket_id)  # type: ignore[arg-type]
            .where(in_play, _unmoved(ClearListEntry.ticket_id, moved,
                                     session.dialect.name))
            .group_by(Ticket.assignee_id)):
        target = person(logins.get(assignee) if assignee else None)
        target.entries_added += int(added or 0)
        target.entries_signed_off += int(signed_off or 0)
        target.entries_left += int(left or 0)
    entries = session.execute(select(
        ClearListEntry.ticket_id, ClearListEntry.entered_at >= start,
        sa.and_(signed >= start, signed < end),  # type: ignore[operator]
        sa.or_(signed.is_(None), signed >= end))  # type: ignore[union-attr,operator]
        .where(in_play, ClearListEntry.ticket_id.in_(moved))).all()
    if not entries:
        return
    states = _state_at(session, select(ClearListEntry.ticket_id).where(
        in_play, ClearListEntry.ticket_id.in_(moved)), end)
    for tid, added, signed_off, left in entries:
        assignee = states[tid][2]
        target = person(logins.get(assignee) if assignee else None)
        target.entries_added += int(bool(added))
        target.entries_signed_off += int(bool(signed_off))
        target.entries_left += int(bool(left))

