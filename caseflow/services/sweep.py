"""The escalation sweep: overdue work orders onto the clear-to-zero list (清零清单),
levels raised as time passes, alerts written to the outbox, reminders before due.

One transaction, idempotent as of a time, and cheap: its cost follows what changed
since the last sweep, not the size of the ticket table.

- A watermark (``sweep_state.last_as_of``) bounds the work: newly overdue orders are
  those due in (last_as_of, as_of], found by a range scan on the partial index
  ``ix_ticket_open_due``; entries due for their next level by ``ix_entry_next_level``.
  A sweep as of an earlier time than the last finds nothing new (everything due by
  then was handled) and leaves the watermark where it is.
- Levels are computed in Python once per distinct (workflow version, due time), then
  applied with set-based SQL (INSERT ... SELECT, UPDATE ... WHERE id IN) through small
  temporary tables; no ORM object per order.
- Orders the due-time window cannot see are caught from the audit log: a work order
  reopened, or a case resumed from hold, after its due time (events after
  ``sweep_state.last_event_id``, re-reading a small margin because PostgreSQL may
  commit ids out of order).

Decisions (documented in the report and the CLI help):

- Only orders of *active* cases are listed or raised. A case on hold is paused: its
  overdue orders enter the list, and its entries rise, once it resumes. Withdrawn
  cases have their orders cancelled; closed and cancelled orders never enter, and an
  entry whose order is cancelled moves to ``awaiting_signoff`` for a supervisor.
- Recipients: ``assignee`` is the assigned user, or the team's leads when the order
  is unassigned (the lead answers for the team's queue); ``team_lead`` the active
  users with role lead in the order's team; ``supervisors`` every active supervisor;
  ``command_office`` every active member of team ``office`` (指挥部办公室) and every
  admin. Inactive users are never alerted.
- Channels: the log always, e-mail when ``[alerts.email]`` is configured (only users
  with an address), the webhook when ``[alerts.webhook]`` is.
- Each (order, level, recipient, channel) is one alert row (``dedup_key`` ``esc:T:L``),
  a reminder ``remind:T:I:DUE`` (a new deadline earns a new reminder). When a sweep
  finds an order several levels up at once, each level passed is alerted.

Concurrency: on PostgreSQL the sweep holds a transaction-level advisory lock, so two
schedulers' sweeps run one after the other; SQLite's ``BEGIN IMMEDIATE`` does the same.
The unique constraints on entries (ticket_id) and alerts are the last line.

Who may sweep: the scheduler (no actor, or the system actor) and, by hand from the
command line, supervisors and admins; a sweep alerts people and raises levels for
the whole town, so members and leads may not trigger it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from caseflow.clock import ensure_utc
from caseflow.domain import escalation
from caseflow.domain.work_order import SNAPSHOT_KEYS
from caseflow.domain.workflow import WorkflowDefinition
from caseflow.persistence.models import SweepState, UTCDateTime
from caseflow.services.app import App
from caseflow.services.permissions import SYSTEM, Actor, require_role
from caseflow.services.queries import definition_for

SWEEP_LOCK = 0x43465357  # "CFSW": pg_advisory_xact_lock key serialising sweeps
EVENT_MARGIN = 1000  # audit ids re-read each sweep (PostgreSQL commits ids out of order)
CATCH_UP_ACTIONS = ("ticket.reopen", "case.resume", "ticket.cancel")
ACTOR = "scheduler"
OPEN = "('open', 'in_progress')"


@dataclass(frozen=True)
class SweepResult:
    as_of: datetime
    since: datetime | None  # the previous watermark; None on the first sweep
    new_entries: int
    raised: int
    alerts_queued: int
    reminders_queued: int
    open_entries: int
    cancelled_to_signoff: int = 0  # entries whose order was cancelled, now awaiting sign-off


def channel_names(app: App) -> list[str]:
    """The channels alerts are queued for, from ``[alerts]`` in the config."""
    from caseflow.services.alert_settings import load_alert_settings

    settings = load_alert_settings(app.settings.data)
    names = ["log"]
    if settings.email is not None:
        names.append("email")
    if settings.webhook is not None:
        names.append("webhook")
    return names


def require_operator(actor: Actor | None, doing: str) -> None:
    """Sweeps and alert runs: the scheduler (``None`` or the system actor), or a
    supervisor or admin acting by hand."""
    if actor is not None and actor.role != SYSTEM:
        require_role(actor, "supervisor", doing=doing)


def sweep(app: App, as_of: datetime | None = None,
          channels: Sequence[str] | None = None, actor: Actor | None = None) -> SweepResult:
    """One idempotent pass as of ``as_of`` (default: now).

    ``actor`` is the person running it by hand (supervisor or admin); the scheduler
    passes none. Audit events are recorded as ``scheduler`` either way: the entries
    follow from the deadlines, not from the person who happened to run the pass."""
    require_operator(actor, "run the escalation sweep (the scheduler runs it unattended)")
    hi = ensure_utc(as_of) if as_of is not None else app.clock.now()
    names = list(channels) if channels is not None else channel_names(app)
    with app.uow() as uow:
        run = _Sweep(app, uow.session, hi, names)
        result = run.execute()
        uow.commit()
    return result


class _Sweep:
    def __init__(self, app: App, session: Session, hi: datetime, channels: list[str]) -> None:
        self.app = app
        self.session = session
        self.hi = hi
        self.now = app.clock.now()
        self.channels = channels
        self.pg = session.get_bind().dialect.name == "postgresql"
        self.definitions: dict[int, WorkflowDefinition] = {}

    # ------------------------------------------------------------------ helpers
    def sql(self, text: str, params: dict[str, Any] | list[dict[str, Any]] | None = None,
            columns: Sequence[sa.ColumnClause[Any]] = ()) -> Any:
        """Raw SQL with datetimes bound as UTC columns and lists expanded for IN."""
        stmt = sa.text(text)
        sample = (params[0] if params else {}) if isinstance(params, list) else (params or {})
        binds = [sa.bindparam(k, type_=UTCDateTime()) for k, v in sample.items()
                 if isinstance(v, datetime) or (v is None and k in ("n", "d"))]
        binds += [sa.bindparam(k, expanding=True,
                               type_=UTCDateTime() if v and isinstance(v[0], datetime) else None)
                  for k, v in sample.items() if isinstance(v, list | tuple)]
        if binds:
            stmt = stmt.bindparams(*binds)
        executable = stmt.columns(*columns) if columns else stmt
        return self.session.execute(executable, params or {})

    def json(self, *pairs: str) -> str:
        fn = "json_build_object" if self.pg else "json_object"
        return f"{fn}({', '.join(pairs)})"

    def snapshot(self, level: str, entry_status: str) -> str:
        """The work order's snapshot (``domain.work_order.Snapshot``) as SQL over ``t``:
        the same keys every other change of an order writes, so reports read one shape."""
        if self.pg:
            due = ("to_char(t.due_at AT TIME ZONE 'UTC', "
                   "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')")
        else:  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
            due = "replace(t.due_at, ' ', 'T') || '+00:00'"
        values = {"status": "t.status", "assignee_id": "t.assignee_id", "due_at": due,
                  "level": level, "entry_status": entry_status, "version": "t.version"}
        assert tuple(values) == SNAPSHOT_KEYS
        return self.json(*(f"'{k}', {v}" for k, v in values.items()))

    def definition(self, wv_id: int) -> WorkflowDefinition:
        found = self.definitions.get(wv_id)
        if found is None:
            found = self.definitions[wv_id] = definition_for(self.app, self.session, wv_id)
        return found

    def temp_tables(self) -> None:
        ts = "TIMESTAMPTZ" if self.pg else "TIMESTAMP"
        suffix = " ON COMMIT DROP" if self.pg else ""
        prefix = "CREATE TEMP TABLE" if self.pg else "CREATE TEMP TABLE IF NOT EXISTS"
        ddl = {
            "sweep_level": f"wv_id INTEGER, due_at {ts}, level INTEGER, next_level_at {ts}, "
                           "PRIMARY KEY (wv_id, due_at)",
            "sweep_hit": f"ticket_id INTEGER PRIMARY KEY, entry_id INTEGER, "
                         f"old_level INTEGER, new_level INTEGER, next_level_at {ts}",
            "sweep_policy": "wv_id INTEGER, level INTEGER, label_zh TEXT, label_en TEXT, "
                            "n_assignee INTEGER, n_lead INTEGER, n_sup INTEGER, n_office INTEGER",
            "sweep_remind": f"wv_id INTEGER, due_at {ts}, tag TEXT, n_assignee INTEGER, "
                            "n_lead INTEGER, n_sup INTEGER, n_office INTEGER, due_iso TEXT, "
                            "PRIMARY KEY (wv_id, due_at, tag)",
            # (order, level or reminder tag) to alert, then the people that means
            "sweep_tl": "ticket_id INTEGER, level INTEGER, tag TEXT, assignee_id INTEGER, "
                        "team_id INTEGER, n_a INTEGER, n_l INTEGER, n_s INTEGER, n_o INTEGER, "
                        "PRIMARY KEY (ticket_id, level, tag)",
            "sweep_rcpt": "ticket_id INTEGER, level INTEGER, tag TEXT, login TEXT, email TEXT, "
                          "PRIMARY KEY (ticket_id, level, tag, login)",
        }
        for name, columns in ddl.items():
            self.sql(f"{prefix} {name} ({columns}){suffix}")
            if name == "sweep_hit":
                self.sql(f"CREATE INDEX {'' if self.pg else 'IF NOT EXISTS '}"
                         "sweep_hit_entry ON sweep_hit (entry_id)")
            if not self.pg:
                self.sql(f"DELETE FROM {name}")

    # ------------------------------------------------------------------ the pass
    def execute(self) -> SweepResult:
        if self.pg:
            self.sql("SELECT pg_advisory_xact_lock(:k)", {"k": SWEEP_LOCK})
        state = self.session.get(SweepState, 1)
        if state is None:
            state = SweepState(id=1, last_as_of=None, last_event_id=0, sweeps=0)
        lo = state.last_as_of
        self.temp_tables()
        self.office_id = self.sql("SELECT id FROM team WHERE code = 'office'").scalar()
        levels: dict[tuple[int, datetime], escalation.Standing] = {}

        # 1. newly overdue: due in (lo, hi], by the partial index on open orders' due time
        new_window = lo is None or self.hi > lo
        lo_scan = self._widened(lo) if lo is not None else None
        if new_window:
            self._collect(levels, self._pairs_due(lo_scan))
        # 2. entries whose next level has started
        self._collect(levels, self._pairs_rising())
        # 3. catch-up: reopened orders and resumed cases since the last sweep
        catch_tickets, catch_cases, cancelled = self._catch_up(state.last_event_id)
        if catch_tickets or catch_cases:
            self._collect(levels, self._pairs_catch_up(catch_tickets, catch_cases))
        self._store_levels(levels)

        if new_window:
            self._hits_due(lo_scan)
        self._hits_rising()
        if catch_tickets or catch_cases:
            self._hits_catch_up(catch_tickets, catch_cases)
        new_entries, raised = self._apply()
        alerts = self._escalation_alerts() if (new_entries or raised) else 0
        reminders = self._reminders(lo)
        settled = self._settle_cancelled(cancelled) if cancelled else 0

        # read after our own events (entry.*, never catch-up actions) so the next sweep
        # does not re-read them
        max_event = self.sql("SELECT coalesce(max(id), 0) FROM audit_event").scalar() or 0
        state.last_as_of = self.hi if lo is None else max(lo, self.hi)
        state.last_event_id = max(int(max_event), state.last_event_id)
        state.swept_at = self.now
        state.sweeps = (state.sweeps or 0) + 1
        self.session.add(state)
        self.session.flush()
        open_entries = self.sql(
            "SELECT count(*) FROM clear_list_entry WHERE status != 'signed_off'").scalar() or 0
        return SweepResult(as_of=self.hi, since=lo, new_entries=new_entries, raised=raised,
                           alerts_queued=alerts, reminders_queued=reminders,
                           open_entries=int(open_entries), cancelled_to_signoff=settled)

    def _widened(self, lo: datetime) -> datetime:
        """Lower bound of the due-time scan: ``lo``, or earlier when some workflow's
        level 1 starts working days after the due time."""
        ids = self.sql("SELECT id FROM workflow_version").scalars().all()
        lead = max((escalation.first_level_lead_time(self.definition(i)) for i in ids), default=0)
        return lo if lead == 0 else self.app.calendar.shift_working_days(lo, -(lead + 1))

    def _collect(self, levels: dict[tuple[int, datetime], escalation.Standing],
                 pairs: Iterable[tuple[int, datetime]]) -> None:
        for wv_id, due_at in pairs:
            key = (wv_id, due_at)
            if key not in levels:
                levels[key] = escalation.standing(self.definition(wv_id), self.app.calendar,
                                                  due_at, self.hi)

    _PAIR_COLUMNS = (sa.column("wv_id", sa.Integer), sa.column("due_at", UTCDateTime()))

    def _due_where(self, lo: datetime | None) -> tuple[str, dict[str, Any]]:
        where = f"t.status IN {OPEN} AND t.due_at <= :hi AND c.status = 'active'"
        params: dict[str, Any] = {"hi": self.hi}
        if lo is not None:
            where += " AND t.due_at > :lo"
            params["lo"] = lo
        return where, params

    def _pairs_due(self, lo: datetime | None) -> list[tuple[int, datetime]]:
        where, params = self._due_where(lo)
        rows = self.sql(
            "SELECT DISTINCT c.workflow_version_id AS wv_id, t.due_at AS due_at FROM ticket t "
            f"CROSS JOIN enterprise_case c WHERE c.id = t.case_id AND {where}",
            params, self._PAIR_COLUMNS)
        return [(r[0], r[1]) for r in rows]

    _RISING = ("e.status = 'open' AND e.next_level_at IS NOT NULL AND e.next_level_at <= :hi")

    def _pairs_rising(self) -> list[tuple[int, datetime]]:
        # orders no longer open (cancelled with their case) stop rising
        self.sql(f"UPDATE clear_list_entry SET next_level_at = NULL WHERE status = 'open' "
                 f"AND next_level_at IS NOT NULL AND next_level_at <= :hi AND EXISTS "
                 f"(SELECT 1 FROM ticket t WHERE t.id = clear_list_entry.ticket_id "
                 f"AND t.status NOT IN {OPEN})", {"hi": self.hi})
        rows = self.sql(
            "SELECT DISTINCT c.workflow_version_id AS wv_id, t.due_at AS due_at "
            "FROM clear_list_entry e CROSS JOIN ticket t CROSS JOIN enterprise_case c "
            f"WHERE t.id = e.ticket_id AND c.id = t.case_id AND {self._RISING} "
            "AND c.status = 'active'", {"hi": self.hi}, self._PAIR_COLUMNS)
        return [(r[0], r[1]) for r in rows]

    def _catch_up(self, last_event_id: int) -> tuple[list[int], list[int], list[int]]:
        rows = self.sql(
            "SELECT action, ticket_id, case_id FROM audit_event WHERE id > :since "
            "AND action IN :actions",
            {"since": max(0, last_event_id - EVENT_MARGIN), "actions": list(CATCH_UP_ACTIONS)},
        ).all()
        tickets = sorted({t for a, t, _ in rows if a == "ticket.reopen" and t is not None})
        cases = sorted({c for a, _, c in rows if a == "case.resume" and c is not None})
        cancelled = sorted({t for a, t, _ in rows if a == "ticket.cancel" and t is not None})
        return tickets, cases, cancelled

    def _settle_cancelled(self, ticket_ids: list[int]) -> int:
        """An order cancelled while on the list (its case withdrawn, its stage left) has
        nothing left to do: its entry waits for a supervisor to sign it off."""
        entry_ids = self.sql(
            "SELECT e.id FROM clear_list_entry e CROSS JOIN ticket t WHERE e.ticket_id IN :tids "
            "AND t.id = e.ticket_id AND e.status = 'open' AND t.status = 'cancelled'",
            {"tids": ticket_ids}).scalars().all()
        if not entry_ids:
            return 0
        ids = {"eids": list(entry_ids), "hi": self.hi}
        self.sql("UPDATE clear_list_entry SET status = 'awaiting_signoff', awaiting_since = :hi, "
                 "next_level_at = NULL WHERE id IN :eids", ids)
        before = self.snapshot("t.level", "'open'")
        after = self.snapshot("t.level", "'awaiting_signoff'")
        self.sql(
            "INSERT INTO audit_event (at, actor, action, entity, case_id, ticket_id, entry_id, "
            'team_id, project_id, "before", "after", note) '
            "SELECT :hi, :actor, 'entry.awaiting_signoff', 'entry', t.case_id, t.id, e.id, "
            f"t.team_id, c.project_id, {before}, {after}, :note "
            "FROM clear_list_entry e CROSS JOIN ticket t CROSS JOIN enterprise_case c "
            "WHERE e.id IN :eids AND t.id = e.ticket_id AND c.id = t.case_id",
            ids | {"actor": ACTOR, "note": "work order cancelled"})
        return len(entry_ids)

    def _catch_up_where(self, tickets: list[int], cases: list[int]) -> tuple[str, dict[str, Any]]:
        terms, params = [], {"hi": self.hi, "tids": tickets or [-1], "cids": cases or [-1]}
        terms.append("(t.id IN :tids OR t.case_id IN :cids)")
        where = (f"{terms[0]} AND t.status IN {OPEN} AND t.due_at <= :hi AND c.status = 'active' "
                 "AND NOT EXISTS (SELECT 1 FROM clear_list_entry e WHERE e.ticket_id = t.id "
                 "AND e.status != 'signed_off')")
        return where, params

    def _pairs_catch_up(self, tickets: list[int], cases: list[int]) -> list[tuple[int, datetime]]:
        where, params = self._catch_up_where(tickets, cases)
        rows = self.sql(
            "SELECT DISTINCT c.workflow_version_id AS wv_id, t.due_at AS due_at FROM ticket t "
            f"CROSS JOIN enterprise_case c WHERE c.id = t.case_id AND {where}", params,
            self._PAIR_COLUMNS)
        return [(r[0], r[1]) for r in rows]

    def _store_levels(self, levels: dict[tuple[int, datetime], escalation.Standing]) -> None:
        if levels:
            self.sql("INSERT INTO sweep_level (wv_id, due_at, level, next_level_at) "
                     "VALUES (:w, :d, :l, :n)",
                     [{"w": w, "d": d, "l": s.level, "n": s.next_level_at}  # type: ignore[arg-type]
                      for (w, d), s in levels.items()])

    def _hits_due(self, lo: datetime | None) -> None:
        where, params = self._due_where(lo)
        self.sql(
            "INSERT INTO sweep_hit (ticket_id, entry_id, old_level, new_level, next_level_at) "
            "SELECT t.id, NULL, 0, l.level, l.next_level_at FROM ticket t "
            "CROSS JOIN enterprise_case c CROSS JOIN sweep_level l "
            "WHERE c.id = t.case_id AND l.wv_id = c.workflow_version_id AND l.due_at = t.due_at "
            f"AND {where} AND l.level > 0 "
            "AND NOT EXISTS (SELECT 1 FROM clear_list_entry e WHERE e.ticket_id = t.id "
            "AND e.status != 'signed_off')", params)

    def _hits_rising(self) -> None:
        self.sql(
            "INSERT INTO sweep_hit (ticket_id, entry_id, old_level, new_level, next_level_at) "
            "SELECT t.id, e.id, e.level, l.level, l.next_level_at FROM clear_list_entry e "
            "CROSS JOIN ticket t CROSS JOIN enterprise_case c CROSS JOIN sweep_level l "
            "WHERE t.id = e.ticket_id AND c.id = t.case_id "
            "AND l.wv_id = c.workflow_version_id AND l.due_at = t.due_at "
            f"AND {self._RISING} AND c.status = 'active' AND t.status IN {OPEN} "
            "ON CONFLICT (ticket_id) DO NOTHING", {"hi": self.hi})

    def _hits_catch_up(self, tickets: list[int], cases: list[int]) -> None:
        where, params = self._catch_up_where(tickets, cases)
        self.sql(
            "INSERT INTO sweep_hit (ticket_id, entry_id, old_level, new_level, next_level_at) "
            "SELECT t.id, NULL, 0, l.level, l.next_level_at FROM ticket t "
            "CROSS JOIN enterprise_case c CROSS JOIN sweep_level l "
            "WHERE c.id = t.case_id AND l.wv_id = c.workflow_version_id AND l.due_at = t.due_at "
            f"AND {where} AND l.level > 0 ON CONFLICT (ticket_id) DO NOTHING", params)

    def _apply(self) -> tuple[int, int]:
        """Entries in, levels up, ticket levels copied, one audit event per change.

        Every statement is driven by the (small) hit table: ``CROSS JOIN`` fixes
        SQLite's join order so the million-row tables are only probed by key."""
        hits = self.sql("SELECT count(*) FROM sweep_hit").scalar() or 0
        if not hits:
            return 0, 0
        hi = {"hi": self.hi}
        new = self.sql(
            "INSERT INTO clear_list_entry (ticket_id, team_id, level, status, entered_at, "
            "level_raised_at, next_level_at, version) "
            "SELECT h.ticket_id, t.team_id, h.new_level, 'open', :hi, :hi, h.next_level_at, 1 "
            "FROM sweep_hit h CROSS JOIN ticket t WHERE t.id = h.ticket_id "
            "AND h.entry_id IS NULL ON CONFLICT (ticket_id) WHERE status != 'signed_off' "
            "DO NOTHING", hi).rowcount
        if new:
            self.sql("UPDATE sweep_hit SET entry_id = (SELECT e.id FROM clear_list_entry e "
                     "WHERE e.ticket_id = sweep_hit.ticket_id AND e.status != 'signed_off') "
                     "WHERE entry_id IS NULL")
        raised = self.sql(
            "UPDATE clear_list_entry SET level = (SELECT h.new_level FROM sweep_hit h "
            "WHERE h.entry_id = clear_list_entry.id), level_raised_at = :hi "
            "WHERE id IN (SELECT entry_id FROM sweep_hit WHERE old_level > 0 "
            "AND new_level > old_level) AND status = 'open'", hi).rowcount
        # the next instant is recomputed for every entry looked at
        self.sql("UPDATE clear_list_entry SET next_level_at = (SELECT h.next_level_at "
                 "FROM sweep_hit h WHERE h.entry_id = clear_list_entry.id) "
                 "WHERE id IN (SELECT entry_id FROM sweep_hit WHERE old_level > 0) "
                 "AND status = 'open'")
        self.sql("UPDATE ticket SET level = (SELECT h.new_level FROM sweep_hit h "
                 "WHERE h.ticket_id = ticket.id) "
                 "WHERE id IN (SELECT ticket_id FROM sweep_hit WHERE new_level > old_level)")
        before = self.snapshot("h.old_level",
                               "CASE WHEN h.old_level = 0 THEN NULL ELSE 'open' END")
        after = self.snapshot("h.new_level", "'open'")
        self.sql(
            "INSERT INTO audit_event (at, actor, action, entity, case_id, ticket_id, entry_id, "
            'team_id, project_id, "before", "after") '
            "SELECT :hi, :actor, CASE WHEN h.old_level = 0 THEN 'entry.enter' "
            "ELSE 'entry.level' END, 'entry', t.case_id, t.id, h.entry_id, t.team_id, "
            f"c.project_id, {before}, {after} "
            "FROM sweep_hit h CROSS JOIN ticket t CROSS JOIN enterprise_case c "
            "WHERE t.id = h.ticket_id AND c.id = t.case_id AND h.new_level > h.old_level",
            hi | {"actor": ACTOR})
        return int(new or 0), int(raised or 0)

    # ------------------------------------------------------------------ alerts
    def _channels_sql(self) -> tuple[str, dict[str, Any]]:
        parts = [f"SELECT CAST(:ch{i} AS VARCHAR(16)) AS name" for i in range(len(self.channels))]
        return " UNION ALL ".join(parts), {f"ch{i}": n for i, n in enumerate(self.channels)}

    def _resolve_recipients(self) -> None:
        """``sweep_tl`` rows to people in ``sweep_rcpt``, one indexed join per kind."""
        insert = "INSERT INTO sweep_rcpt (ticket_id, level, tag, login, email) "
        pick = "SELECT x.ticket_id, x.level, x.tag, u.login, u.email "
        done = " ON CONFLICT (ticket_id, level, tag, login) DO NOTHING"
        office = {"office": self.office_id}
        self.sql(insert + pick + "FROM sweep_tl x CROSS JOIN app_user u WHERE x.n_a = 1 "
                 "AND u.id = x.assignee_id AND u.active" + done)
        self.sql(insert + pick + "FROM sweep_tl x CROSS JOIN app_user u "
                 "WHERE (x.n_l = 1 OR (x.n_a = 1 AND x.assignee_id IS NULL)) "
                 "AND u.team_id = x.team_id AND u.role = 'lead' AND u.active" + done)
        self.sql(insert + pick + "FROM app_user u CROSS JOIN sweep_tl x "
                 "WHERE u.role = 'supervisor' AND u.active AND x.n_s = 1" + done)
        self.sql(insert + pick + "FROM app_user u CROSS JOIN sweep_tl x "
                 "WHERE (u.role = 'admin' OR u.team_id = :office) AND u.active AND x.n_o = 1"
                 + done, office)

    def _clear_recipients(self) -> None:
        self.sql("DELETE FROM sweep_tl")
        self.sql("DELETE FROM sweep_rcpt")


    @staticmethod
    def _flags(notify: Iterable[str]) -> dict[str, int]:
        kinds = set(notify)
        return {"a": int(escalation.ASSIGNEE in kinds), "l": int(escalation.TEAM_LEAD in kinds),
                "s": int(escalation.SUPERVISORS in kinds),
                "o": int(escalation.COMMAND_OFFICE in kinds)}

    def _escalation_alerts(self) -> int:
        wv_ids = self.sql("SELECT DISTINCT c.workflow_version_id FROM sweep_hit h "
                          "CROSS JOIN ticket t CROSS JOIN enterprise_case c "
                          "WHERE t.id = h.ticket_id AND c.id = t.case_id").scalars().all()
        rows = []
        for wv_id in wv_ids:
            for level in self.definition(wv_id).levels:
                rows.append({"w": wv_id, "lv": level.level, "zh": level.label_zh,
                             "en": level.label_en} | self._flags(level.notify))
        if not rows:
            return 0
        self.sql("INSERT INTO sweep_policy (wv_id, level, label_zh, label_en, n_assignee, "
                 "n_lead, n_sup, n_office) VALUES (:w, :lv, :zh, :en, :a, :l, :s, :o)", rows)
        channels, ch_params = self._channels_sql()
        # lean rows: the body is rendered when the alert is delivered (services.alerts)
        subject = "'【' || p.label_zh || '】工单 #' || t.id || ' ' || coalesce(t.title_zh, t.title)"
        payload = self.json("'ticket_id'", "t.id", "'level'", "p.level")
        self._clear_recipients()
        self.sql(
            "INSERT INTO sweep_tl (ticket_id, level, tag, assignee_id, team_id, n_a, n_l, n_s, "
            "n_o) SELECT h.ticket_id, p.level, '', t.assignee_id, t.team_id, p.n_assignee, "
            "p.n_lead, p.n_sup, p.n_office FROM sweep_hit h CROSS JOIN ticket t "
            "CROSS JOIN enterprise_case c CROSS JOIN sweep_policy p "
            "WHERE t.id = h.ticket_id AND c.id = t.case_id AND p.wv_id = c.workflow_version_id "
            "AND p.level > h.old_level AND p.level <= h.new_level")
        self._resolve_recipients()
        return int(self.sql(
            "INSERT INTO alert (kind, dedup_key, ticket_id, level, recipient, channel, status, "
            "attempts, subject, body, payload, created_at, next_attempt_at) "
            "SELECT 'escalation', 'esc:' || t.id || ':' || p.level, t.id, p.level, r.login, "
            f"ch.name, 'pending', 0, {subject}, '', {payload}, :now, :now "
            "FROM sweep_rcpt r CROSS JOIN ticket t CROSS JOIN enterprise_case c "
            f"CROSS JOIN sweep_policy p CROSS JOIN ({channels}) ch "
            "WHERE t.id = r.ticket_id AND c.id = t.case_id AND p.wv_id = c.workflow_version_id "
            "AND p.level = r.level AND (ch.name <> 'email' OR r.email IS NOT NULL) "
            "ON CONFLICT (dedup_key, recipient, channel) DO NOTHING",
            {"now": self.now} | ch_params,
        ).rowcount or 0)

    def _reminders(self, lo: datetime | None) -> int:
        """Reminders whose instant falls in (lo, hi], for orders not yet due."""
        if lo is not None and lo >= self.hi:
            return 0
        ids = self.sql("SELECT id FROM workflow_version").scalars().all()
        policies = {i: self.definition(i).reminders for i in ids}
        all_reminders = [r for rs in policies.values() for r in rs]
        if not all_reminders:
            return 0
        cal = self.app.calendar
        bound = max(escalation.reminder_due_bound(cal, r, self.hi) for r in all_reminders)
        window = {"hi": self.hi, "bound": bound}
        # distinct due times straight from the partial index, then only those that matter
        dues = self.sql(f"SELECT DISTINCT due_at FROM ticket t WHERE t.status IN {OPEN} "
                        "AND t.due_at > :hi AND t.due_at <= :bound", window,
                        (sa.column("due_at", UTCDateTime()),)).scalars().all()

        def falls(due_at: datetime, reminder: Any) -> bool:
            at = escalation.reminder_at(cal, reminder, due_at)
            return (lo is None or at > lo) and at <= self.hi

        candidates = [d for d in dues if any(falls(d, r) for r in all_reminders)]
        if not candidates:
            return 0
        rows = []
        for wv_id, reminders in policies.items():
            for i, reminder in enumerate(reminders):
                for due_at in candidates:
                    if falls(due_at, reminder):
                        rows.append({"w": wv_id, "d": due_at,
                                     "tag": f"{i}:{due_at.strftime('%Y%m%dT%H%M%S')}"}
                                    | self._flags(reminder.notify)
                                    | {"di": due_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
        if not rows:
            return 0
        self.sql("INSERT INTO sweep_remind (wv_id, due_at, tag, n_assignee, n_lead, n_sup, "
                 "n_office, due_iso) VALUES (:w, :d, :tag, :a, :l, :s, :o, :di)",
                 rows)
        channels, ch_params = self._channels_sql()
        subject = "'【即将到期】工单 #' || t.id || ' ' || coalesce(t.title_zh, t.title)"
        payload = self.json("'ticket_id'", "t.id", "'due_at'", "p.due_iso")
        self._clear_recipients()
        self.sql(
            "INSERT INTO sweep_tl (ticket_id, level, tag, assignee_id, team_id, n_a, n_l, n_s, "
            "n_o) SELECT t.id, 0, p.tag, t.assignee_id, t.team_id, p.n_assignee, p.n_lead, "
            "p.n_sup, p.n_office FROM ticket t CROSS JOIN enterprise_case c "
            "CROSS JOIN sweep_remind p WHERE c.id = t.case_id "
            "AND p.wv_id = c.workflow_version_id AND p.due_at = t.due_at "
            f"AND t.status IN {OPEN} AND t.due_at IN :dues AND c.status = 'active'",
            {"dues": candidates})
        self._resolve_recipients()
        return int(self.sql(
            "INSERT INTO alert (kind, dedup_key, ticket_id, level, recipient, channel, status, "
            "attempts, subject, body, payload, created_at, next_attempt_at) "
            "SELECT 'reminder', 'remind:' || t.id || ':' || r.tag, t.id, NULL, r.login, "
            f"ch.name, 'pending', 0, {subject}, '', {payload}, :now, :now "
            "FROM sweep_rcpt r CROSS JOIN ticket t CROSS JOIN enterprise_case c "
            f"CROSS JOIN sweep_remind p CROSS JOIN ({channels}) ch "
            "WHERE t.id = r.ticket_id AND c.id = t.case_id "
            "AND p.wv_id = c.workflow_version_id AND p.due_at = t.due_at AND p.tag = r.tag "
            "AND (ch.name <> 'email' OR r.email IS NOT NULL) "
            "ON CONFLICT (dedup_key, recipient, channel) DO NOTHING",
            {"now": self.now} | ch_params,
        ).rowcount or 0)

