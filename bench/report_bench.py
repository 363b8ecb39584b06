"""How long the supervisor reports take on a given database.

``measure(db_url)`` times ``report weekly`` (by team and by person) and ``report
progress`` (by project and by town) the way the CLI runs them: a fresh engine, one
read-only transaction per report. The clock is set to the newest audit event, so the
default week is the last complete week of the data set whatever its dates are.

``python -m bench.report_bench URL [--generate]`` prints the figures; ``--generate``
first fills an *empty* database with a synthetic city (100,000 cases, 1,000,000 work
orders, a year of events) straight through bulk inserts, for trying the reports
without the demo.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from caseflow.clock import SHANGHAI, FixedClock
from caseflow.domain.calendar import end_of_day
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.persistence.models import (
    AuditEvent,
    Case,
    ClearListEntry,
    Project,
    Team,
    Ticket,
    User,
    WorkflowVersion,
)
from caseflow.services import reports
from caseflow.services.app import App


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(first run, best run) in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times[0], min(times), result


def measure(db_url: str, repeat: int = 3) -> dict[str, Any]:
    """Seconds per report on ``db_url`` (first and best of ``repeat`` runs)."""
    app = App.from_settings(database_url=db_url)
    try:
        with app.engine.connect() as conn:
            newest = conn.execute(sa.select(sa.func.max(AuditEvent.at))).scalar()
            counts = {name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                      for name, table in (("cases", Case), ("work_orders", Ticket),
                                          ("events", AuditEvent), ("entries", ClearListEntry))}
        if newest is None:
            raise SystemExit(f"{db_url}: no audit events to report on")
        newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
        app.clock = FixedClock(newest)
        year = newest.astimezone(SHANGHAI).year
        result: dict[str, Any] = {"database": app.engine.dialect.name, **counts,
                                  "as_of": newest.isoformat()}
        for label, fn in [
            ("weekly_team", lambda: reports.weekly(app, by="team")),
            ("weekly_town", lambda: reports.weekly(app, by="town")),
            ("weekly_person", lambda: reports.weekly(app, by="person")),
            ("progress_project", lambda: reports.progress(app, year, by="project")),
            ("progress_town", lambda: reports.progress(app, year, by="town")),
            ("burndown_30d", lambda: reports.burndown(app, 30)),
        ]:
            first, best, value = _timed(fn, repeat)
            result[f"{label}_first_s"] = round(first, 3)
            result[f"{label}_best_s"] = round(best, 3)
            if label == "weekly_team":
                result["week"] = value.week
        result["weekly_s"] = result["weekly_team_first_s"]
        result["progress_s"] = result["progress_project_first_s"]
        return result
    finally:
        app.engine.dispose()


# --------------------------------------------------------------------------- synthetic city

TEAMS = ["office", "negotiation", "relocation", "demolition", "investment"]
TOWNS = ["神湾镇", "小榄镇", "古镇镇", "横栏镇", "桐乡市"]
PATHS = {
    "gongai": [("relocate", "negotiate", "relocate"), ("demolish", "relocate", "demolish"),
               ("build", "demolish", "build"), ("attract", "build", "attract"),
               ("complete", "attract", "done")],
    "tuisan": [("sign_exit", "rectify", "sign_exit"), ("demolish", "sign_exit", "demolish"),
               ("reclaim", "demolish", "reclaim"), ("complete_reclaim", "reclaim", "done")],
}
BATCH = 20_000


def generate(db_url: str, cases: int = 100_000, orders_per_case: int = 10,
             now: datetime | None = None, seed: int = 7) -> dict[str, int]:
    """Fill an empty caseflow database with a year of synthetic activity."""
    rng = random.Random(seed)
    now = now or datetime(2026, 11, 21, 12, 0, tzinfo=SHANGHAI).astimezone(UTC)
    year_start = datetime(now.astimezone(SHANGHAI).year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    span = (now - year_start).total_seconds()
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    app = App.from_settings(database_url=db_url)
    events: list[dict[str, Any]] = []
    totals = {"events": 0}

    def flush_events(conn: sa.Connection, force: bool = False) -> None:
        if events and (force or len(events) >= BATCH):
            conn.execute(AuditEvent.__table__.insert(), events)  # type: ignore[attr-defined]
            totals["events"] += len(events)
            events.clear()

    def event(at: datetime, actor: str, action: str, entity: str, **kw: Any) -> None:
        events.append({"at": at, "actor": actor, "action": action, "entity": entity,
                       "case_id": kw.get("case_id"), "ticket_id": kw.get("ticket_id"),
                       "entry_id": kw.get("entry_id"), "team_id": kw.get("team_id"),
                       "project_id": kw.get("project_id"), "before": kw.get("before"),
                       "after": kw.get("after"), "note": None})

    with engine.begin() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(Case)).scalar():
            raise SystemExit(f"{db_url} already holds cases; generate into an empty database")
        created = year_start - timedelta(days=30)
        conn.execute(Team.__table__.insert(), [  # type: ignore[attr-defined]
            {"id": i + 1, "code": code, "name": code, "created_at": created}
            for i, code in enumerate(TEAMS)])
        users, members = [], {}
        for t, code in enumerate(TEAMS, start=1):
            members[t] = []
            for n in range(12):
                uid = len(users) + 1
                login = f"{code[:3]}{n:02d}"
                users.append({"id": uid, "login": login, "name": login,
                              "role": "lead" if n == 0 else "member", "team_id": t,
                              "email": None, "active": True, "created_at": created})
                members[t].append((uid, login))
        conn.execute(User.__table__.insert(), users)  # type: ignore[attr-defined]
        versions = {}
        for i, name in enumerate(("gongai", "tuisan"), start=1):
            d = app.workflows.get(name)
            conn.execute(WorkflowVersion.__table__.insert(), [{  # type: ignore[attr-defined]
                "id": i, "name": name, "version": d.version, "digest": d.digest,
                "source": d.source, "registered_at": created}])
            versions[name] = i
        project_rows = []
        for p in range(20):
            workflow = "tuisan" if p % 4 == 3 else "gongai"
            project_rows.append({"id": p + 1, "code": f"P{p + 1:02d}", "name": f"园区{p + 1}",
                                 "town": TOWNS[p % 5], "workflow": workflow, "mode": None,
                                 "area_mu": 3000.0, "target_mu": float(rng.randint(5, 15) * 100),
                                 "created_at": created})
        conn.execute(Project.__table__.insert(), project_rows)  # type: ignore[attr-defined]

    ticket_id = entry_id = 0
    case_batch: list[dict[str, Any]] = []
    ticket_batch: list[dict[str, Any]] = []
    entry_batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for cid in range(1, cases + 1):
            project = project_rows[rng.randrange(20)]
            pid, workflow = project["id"], project["workflow"]
            team = rng.randint(2, 4)
            opened = year_start + timedelta(seconds=rng.uniform(0, span * 0.9))
            stage, at = PATHS[workflow][0][1], opened
            event(opened, "lead", "case.open", "case", case_id=cid, team_id=team,
                  project_id=pid, after={"stage": stage})
            steps = rng.choices(range(len(PATHS[workflow]) + 1), k=1,
                                weights=[3, 3, 3, 2, 1, 1][:len(PATHS[workflow]) + 1])[0]
            for trigger, source, dest in PATHS[workflow][:steps]:
                at = at + timedelta(days=rng.uniform(5, 60))
                if at >= now:
                    break
                event(at, "lead", f"case.{trigger}", "case", case_id=cid, team_id=team,
                      project_id=pid, before={"stage": source, "status": "active"},
                      after={"stage": dest, "status": "done" if dest == "done" else "active"})
                stage = dest
            case_batch.append({
                "id": cid, "project_id": pid, "workflow_version_id": versions[workflow],
                "name": f"企业{cid}", "credit_code": None,
                "area_mu": round(rng.uniform(1, 30), 2), "team_id": team, "owner": None,
                "address": None, "contact": None, "stage": stage,
                "status": "done" if stage == "done" else "active", "held_from": None,
                "stage_entered_at": at, "created_at": opened, "updated_at": at, "version": 1})
            for _ in range(orders_per_case):
                ticket_id += 1
                t_team = rng.randint(1, 5)
                t_open = opened + timedelta(seconds=rng.uniform(0, (now - opened).total_seconds()))
                due = end_of_day(t_open.astimezone(SHANGHAI).date()
                                 + timedelta(days=rng.randint(5, 30)))
                uid, login = rng.choice(members[t_team])
                assignee = uid if rng.random() < 0.7 else None
                row = {"id": ticket_id, "case_id": cid, "stage": stage, "template_key": None,
                       "title": "order", "title_zh": None, "required": False, "records": None,
                       "team_id": t_team, "assignee_id": assignee, "status": "open",
                       "due_rule": None, "due_at": due, "opened_at": t_open, "started_at": None,
                       "closed_at": None, "closed_by": None, "close_note": None, "level": 0,
                       "version": 1}
                event(t_open, "lead", "ticket.open", "ticket", case_id=cid, ticket_id=ticket_id,
                      team_id=t_team, project_id=pid,
                      after={"status": "open", "due_at": due.isoformat(), "assignee": None})
                snap = {"status": "open", "assignee_id": assignee, "due_at": due.isoformat()}
                if rng.random() < 0.03 and t_open + timedelta(days=2) < min(due, now):
                    new_due = due + timedelta(days=10)
                    event(t_open + timedelta(days=2), "lead", "ticket.extend", "ticket",
                          case_id=cid, ticket_id=ticket_id, team_id=t_team, before=dict(snap),
                          after=snap | {"due_at": new_due.isoformat()})
                    due = row["due_at"] = new_due
                    snap["due_at"] = due.isoformat()
                closed = t_open + timedelta(days=rng.expovariate(1 / 14))
                if closed < now and rng.random() < 0.92:
                    row.update(status="closed", closed_at=closed, closed_by=login,
                               assignee_id=uid)
                    event(closed, login, "ticket.close", "ticket", case_id=cid,
                          ticket_id=ticket_id, team_id=t_team, before=dict(snap),
                          after=snap | {"status": "closed", "assignee_id": uid,
                                        "on_time": closed <= due})
                    reopened = closed + timedelta(days=1)
                    if rng.random() < 0.005 and reopened < now:
                        row.update(status="open", closed_at=None, closed_by=None)
                        event(reopened, "sup", "ticket.reopen", "ticket", case_id=cid,
                              ticket_id=ticket_id, team_id=t_team,
                              before=snap | {"status": "closed", "assignee_id": uid},
                              after=snap | {"status": "open", "assignee_id": uid})
                entered = due + timedelta(days=3)
                finished = row["closed_at"] or now
                if entered < finished and entered < now:
                    entry_id += 1
                    signed = (row["closed_at"] + timedelta(days=2)) if row["closed_at"] else None
                    signed = signed if signed and signed < now else None
                    entry_batch.append({
                        "id": entry_id, "ticket_id": ticket_id, "team_id": t_team, "level": 1,
                        "status": "signed_off" if signed else "open", "entered_at": entered,
                        "level_raised_at": None, "next_level_at": None, "awaiting_since": None,
                        "signed_off_at": signed, "signed_off_by": "sup" if signed else None,
                        "note": None, "version": 1})
                    event(entered, "scheduler", "entry.enter", "entry", case_id=cid,
                          ticket_id=ticket_id, entry_id=entry_id, team_id=t_team,
                          after={"level": 1})
                    if signed:
                        event(signed, "sup", "entry.signed_off", "entry", case_id=cid,
                              ticket_id=ticket_id, entry_id=entry_id, team_id=t_team)
                ticket_batch.append(row)
            if len(ticket_batch) >= BATCH:
                conn.execute(Case.__table__.insert(), case_batch)  # type: ignore[attr-defined]
                conn.execute(Ticket.__table__.insert(), ticket_batch)  # type: ignore[attr-defined]
                if entry_batch:
                    conn.execute(ClearListEntry.__table__.insert(),  # type: ignore[attr-defined]
                                 entry_batch)
                case_batch.clear()
                ticket_batch.clear()
                entry_batch.clear()
            flush_events(conn)
        if case_batch:
            conn.execute(Case.__table__.insert(), case_batch)  # type: ignore[attr-defined]
        if ticket_batch:
            conn.execute(Ticket.__table__.insert(), ticket_batch)  # type: ignore[attr-defined]
        if entry_batch:
            conn.execute(ClearListEntry.__table__.insert(), entry_batch)  # type: ignore[attr-defined]
        flush_events(conn, force=True)
        if engine.dialect.name == "postgresql":
            for table in ("team", "app_user", "workflow_version", "project", "enterprise_case",
                          "ticket", "clear_list_entry", "audit_event"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    cluster_events(engine)
    engine.dispose()
    app.engine.dispose()
    return {"cases": cases, "work_orders": ticket_id, "entries": entry_id, **totals}


def cluster_events(engine: sa.Engine) -> None:
    """Store the events in time order, as an append-only audit log is in real life.

    The generator writes them case by case, which scatters one week's events over the
    whole table; a real log (and the demo's simulation) appends them as they happen.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(sa.text("CLUSTER audit_event USING ix_audit_at"))
            conn.execute(sa.text("ANALYZE"))
        return
    columns = ", ".join(c.name for c in AuditEvent.__table__.columns  # type: ignore[attr-defined]
                        if c.name != "id")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE sorted_events AS "
                             "SELECT * FROM audit_event ORDER BY at, id")
        conn.exec_driver_sql("DELETE FROM audit_event")
        conn.exec_driver_sql(f"INSERT INTO audit_event ({columns}) SELECT {columns} "
                             "FROM sorted_events ORDER BY rowid")
        conn.exec_driver_sql("DROP TABLE sorted_events")
    raw = engine.raw_connection()  # autocommit (see persistence.db): VACUUM needs no BEGIN
    try:
        raw.execute("VACUUM")  # type: ignore[attr-defined]
        raw.execute("ANALYZE")  # type: ignore[attr-defined]
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_bench", description=__doc__)
    parser.add_argument("db_url")
    parser.add_argument("--generate", action="store_true",
                        help="first fill the (empty) database with a synthetic city")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.generate:
        started = time.perf_counter()
        made = generate(args.db_url, cases=args.cases)
        made["seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps({"generated": made}, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(measure(args.db_url, args.repeat), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

