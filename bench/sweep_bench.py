"""Escalation sweep benchmark: 1,000,000 work orders, 10,000 newly overdue.

``measure()`` builds (once, then reuses a copy of) an SQLite database with a
million work orders by raw bulk SQL (a recursive CTE; the services would take
minutes and are measured elsewhere), sweeps it once as of Monday 2 March 2026 09:00
(untimed: the scheduler's previous run), then times, as the scheduler would run it:

- ``sweep_new_s``: the sweep as of a day later, when 10,000 orders have gone overdue
  (entries, audit events, alerts and the reminders that fell due); target ≤ 1 s;
- ``sweep_nothing_s``: the next sweep five minutes later, with nothing new; ≤ 50 ms;
- ``raw_sqlite_s``: the bare indexed INSERT ... SELECT of the same 10,000 entries in
  sqlite3, rolled back, for comparison.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from caseflow.clock import FixedClock
from caseflow.config import Settings, bundled_workflows_dir
from caseflow.domain.calendar import WorkCalendar
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.persistence.workflow_files import WorkflowCatalog
from caseflow.services.app import App
from caseflow.services.sweep import sweep

LAST_SWEEP = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 2 March 09:00 Shanghai
SWEEP_AT = LAST_SWEEP + timedelta(days=1)  # Tue 3 March 09:00: Monday's orders are overdue
NEW_DUE = "2026-03-02 15:59:59.000000"  # end of Monday 2 March, Shanghai, as stored
TEAMS = 5
PER_TEAM = 10  # a lead and nine members
TARGET_NEW_S, TARGET_NOTHING_S = 1.0, 0.050


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(engine: Engine, orders: int = 1_000_000, newly_overdue: int = 10_000,
          cases: int | None = None, already_overdue: int | None = None) -> None:
    """Fill an empty, migrated SQLite database: teams, users, one project and workflow
    version, ``cases`` cases (default a tenth of the orders; 1 % on hold, none of them
    among the newly overdue) and ``orders`` work orders: ``newly_overdue`` due at the
    end of 2 March, ``already_overdue`` (default twice as many) due in the past weeks,
    40 % closed, the rest open and due over the next 300 days."""
    cases = cases or max(orders // 10, newly_overdue + 2)
    already_overdue = newly_overdue * 2 if already_overdue is None else already_overdue
    definition = WorkflowCatalog([bundled_workflows_dir()]).get("gongai")
    created = _stamp(datetime(2026, 1, 5, 1, tzinfo=UTC))
    closed_until = newly_overdue + already_overdue + int(orders * 0.4)
    with engine.begin() as conn:
        run = conn.exec_driver_sql
        run("INSERT INTO team (id, code, name, created_at) VALUES "
            + ", ".join(f"({t}, 'team{t}', '专班{t}', '{created}')" for t in range(1, TEAMS + 1)))
        users = []
        for t in range(1, TEAMS + 1):
            for i in range(PER_TEAM):
                uid = (t - 1) * PER_TEAM + i + 1
                role = "lead" if i == 0 else "member"
                users.append(f"({uid}, 'u{uid}', '用户{uid}', '{role}', {t}, 1, '{created}')")
        n = TEAMS * PER_TEAM
        users.append(f"({n + 1}, 'sup', '督查', 'supervisor', NULL, 1, '{created}')")
        users.append(f"({n + 2}, 'root', '管理员', 'admin', NULL, 1, '{created}')")
        run("INSERT INTO app_user (id, login, name, role, team_id, active, created_at) VALUES "
            + ", ".join(users))
        conn.execute(sa.text(
            "INSERT INTO workflow_version (id, name, version, digest, source, registered_at) "
            "VALUES (1, 'gongai', :v, :d, :s, :at)"),
            {"v": definition.version, "d": definition.digest, "s": definition.source,
             "at": created})
        run("INSERT INTO project (id, code, name, town, workflow, created_at) "
            f"VALUES (1, 'BENCH', '压测园区', '神湾镇', 'gongai', '{created}')")
        run(f"""WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {cases})
            INSERT INTO enterprise_case (id, project_id, workflow_version_id, name, team_id, stage,
                status, stage_entered_at, created_at, updated_at, version)
            SELECT x, 1, 1, '企业' || x, (x % {TEAMS}) + 1, 'negotiate',
                CASE WHEN x % 100 = 0 AND x > {newly_overdue + 1} THEN 'on_hold' ELSE 'active' END,
                '{created}', '{created}', '{created}', 1 FROM s""")
        run(f"""WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {orders})
            INSERT INTO ticket (id, case_id, stage, template_key, title, title_zh, required,
                team_id, assignee_id, status, due_rule, due_at, opened_at, closed_at, level,
                version)
            SELECT x, (x % {cases}) + 1, 'negotiate', 'bench', 'Bench order ' || x,
                '压测工单' || x, 0, (x % {TEAMS}) + 1,
                CASE WHEN x % 10 = 0 THEN NULL
                     ELSE (x % {TEAMS}) * {PER_TEAM} + 2 + ((x / {TEAMS}) % {PER_TEAM - 1}) END,
                CASE WHEN x > {newly_overdue + already_overdue} AND x <= {closed_until}
                     THEN 'closed' ELSE 'open' END,
                '10wd',
                CASE WHEN x <= {newly_overdue} THEN '{NEW_DUE}'
                     WHEN x <= {newly_overdue + already_overdue}
                     THEN strftime('%Y-%m-%d %H:%M:%S', '2026-02-27 15:59:59',
                                   '-' || (x % 20) || ' days') || '.000000'
                     WHEN x <= {closed_until}
                     THEN strftime('%Y-%m-%d %H:%M:%S', '2026-02-20 15:59:59',
                                   '-' || (x % 40) || ' days') || '.000000'
                     ELSE strftime('%Y-%m-%d %H:%M:%S', '2026-03-03 15:59:59',
                                   '+' || (x % 300) || ' days') || '.000000' END,
                '{created}',
                CASE WHEN x > {newly_overdue + already_overdue} AND x <= {closed_until}
                     THEN '{created}' END,
                0, 1 FROM s""")
        run("ANALYZE")


def _app(engine: Engine, url: str) -> App:
    settings = Settings(database_url=url, config_path=Path("/nonexistent/caseflow.toml"),
                        workflow_dirs=[bundled_workflows_dir()])
    return App(engine=engine, settings=settings, clock=FixedClock(SWEEP_AT),
               calendar=WorkCalendar())


def _checkpoint(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


def prepare(path: Path, orders: int, newly_overdue: int) -> None:
    """Build the database at ``path`` and run the previous (untimed) sweep."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        build(engine, orders=orders, newly_overdue=newly_overdue)
        sweep(_app(engine, url), LAST_SWEEP, channels=["log"])
        _checkpoint(engine)
    finally:
        engine.dispose()


def _raw_pass(path: Path) -> float:
    """The same indexed pass in bare sqlite3: insert the newly overdue entries, roll back."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()
        con.execute(
            "INSERT INTO clear_list_entry (ticket_id, team_id, level, status, entered_at, "
            "level_raised_at, next_level_at, version) "
            "SELECT t.id, t.team_id, 1, 'open', ?, ?, NULL, 1 FROM ticket t "
            "JOIN enterprise_case c ON c.id = t.case_id "
            "WHERE t.status IN ('open', 'in_progress') AND t.due_at > ? AND t.due_at <= ? "
            "AND c.status = 'active' ON CONFLICT (ticket_id) WHERE status != 'signed_off' "
            "DO NOTHING",
            (_stamp(SWEEP_AT), _stamp(SWEEP_AT), _stamp(LAST_SWEEP), _stamp(SWEEP_AT)))
        elapsed = time.perf_counter() - started
        con.execute("ROLLBACK")
        return elapsed
    finally:
        con.close()


def measure(target: str | Engine | None = None, *, orders: int = 1_000_000,
            newly_overdue: int = 10_000, workdir: Path | None = None) -> dict[str, Any]:
    """Time the sweeps described in the module docstring; returns the figures.

    ``target`` is an SQLite URL or engine to use as is (built there when empty), or
    None for a cached database under the temp directory, copied fresh for each run.
    """
    if target is None:
        base_dir = workdir or Path(tempfile.gettempdir()) / "caseflow-bench"
        base_dir.mkdir(parents=True, exist_ok=True)
        base = base_dir / f"sweep-{orders}-{newly_overdue}.db"
        started = time.perf_counter()
        if not base.exists():
            partial = base.with_suffix(".building")
            for leftover in base_dir.glob(partial.name + "*"):
                leftover.unlink()
            prepare(partial, orders, newly_overdue)
            partial.rename(base)
        build_s = time.perf_counter() - started
        work = base_dir / "sweep-work.db"
        for leftover in base_dir.glob("sweep-work.db*"):
            leftover.unlink()
        shutil.copy(base, work)
        url = f"sqlite:///{work}"
        engine = make_engine(url)
        owned = True
    else:
        engine = make_engine(target) if isinstance(target, str) else target
        url = str(engine.url)
        owned = isinstance(target, str)
        started = time.perf_counter()
        migrate.upgrade(engine)
        with engine.connect() as conn:
            empty = not conn.exec_driver_sql("SELECT count(*) FROM ticket").scalar()
        if empty:
            build(engine, orders=orders, newly_overdue=newly_overdue)
            sweep(_app(engine, url), LAST_SWEEP, channels=["log"])
        build_s = time.perf_counter() - started
        work = Path(engine.url.database or "")
    try:
        app = _app(engine, url)
        raw_s = _raw_pass(work) if work.name else float("nan")
        sweep(app, LAST_SWEEP, channels=["log"])  # warm: parses the workflow, nothing new
        started = time.perf_counter()
        first = sweep(app, SWEEP_AT, channels=["log"])
        new_s = time.perf_counter() - started
        nothing: list[float] = []
        for minutes in range(5, 30, 5):
            started = time.perf_counter()
            quiet = sweep(app, SWEEP_AT + timedelta(minutes=minutes), channels=["log"])
            nothing.append(time.perf_counter() - started)
            assert quiet.new_entries == 0 and quiet.alerts_queued == 0
        with engine.connect() as conn:
            total = conn.exec_driver_sql("SELECT count(*) FROM ticket").scalar()
    finally:
        if owned:
            engine.dispose()
    nothing_s = statistics.median(nothing)
    return {
        "orders": int(total or 0),
        "newly_overdue": first.new_entries,
        "alerts_queued": first.alerts_queued,
        "reminders_queued": first.reminders_queued,
        "open_entries": first.open_entries,
        "sweep_new_s": round(new_s, 4),
        "sweep_nothing_s": round(nothing_s, 4),
        "raw_sqlite_s": round(raw_s, 4),
        "build_s": round(build_s, 2),
        "target_new_s": TARGET_NEW_S,
        "target_nothing_s": TARGET_NOTHING_S,
        "ok": new_s <= TARGET_NEW_S and nothing_s <= TARGET_NOTHING_S,
    }


def report(figures: dict[str, Any]) -> str:
    return (
        f"sweep over {figures['orders']:,} work orders: "
        f"{figures['newly_overdue']:,} newly overdue in {figures['sweep_new_s'] * 1000:.0f} ms "
        f"(target ≤ {figures['target_new_s'] * 1000:.0f} ms; raw sqlite3 indexed pass "
        f"{figures['raw_sqlite_s'] * 1000:.0f} ms), {figures['alerts_queued']:,} alerts and "
        f"{figures['reminders_queued']:,} reminders queued; nothing new in "
        f"{figures['sweep_nothing_s'] * 1000:.1f} ms (target ≤ "
        f"{figures['target_nothing_s'] * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    print(report(measure()))
