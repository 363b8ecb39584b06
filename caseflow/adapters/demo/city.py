"""The city-scale data set: 100,000 cases, about 1,000,000 work orders and a year of
audit history, written with bulk inserts in large batches.

This is for the benchmarks (``make bench``) and for trying caseflow at a city's size.
Going through the services one case at a time would take far too long, so rows are
generated directly for the real tables (created by the migrations), consistent with
what the services would have written: every work order has its ``ticket.open`` event,
every closed one its ``ticket.close`` (with ``on_time``), every cancelled one its
``ticket.cancel``, every stage move its ``case.<trigger>``; overdue open orders sit on
the clear-to-zero list as a sweep would have put them, older late ones signed off.

The reference instant ("now" of the data set) is ``REFERENCE``: open orders fall due
over the 30 days before it and the 60 days after, so a sweep run later finds new
overdue orders in proportion to the time passed.
"""

from __future__ import annotations

import json
import random
import time as walltime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from caseflow.adapters.demo import names
from caseflow.config import Settings, bundled_workflows_dir
from caseflow.domain.credit_code import make_credit_code
from caseflow.domain.work_order import Snapshot
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.persistence.workflow_files import WorkflowCatalog

REFERENCE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
TOWNS = 24              # Zhongshan has 23 towns and streets, give or take
PROJECTS_PER_TOWN = 25
BATCH = 50_000
GENERATOR_VERSION = 2   # bump when the data set changes, so caches are rebuilt

# share of cases by current stage (gongai); about ten work orders per case overall
STAGE_MIX = [("negotiate", 0.20), ("relocate", 0.27), ("demolish", 0.30), ("build", 0.18),
             ("attract", 0.05)]
TRIGGER_INTO = {"relocate": "relocate", "demolish": "demolish", "build": "build",
                "attract": "attract", "done": "complete"}


@dataclass
class CityReport:
    database_url: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:,}" for k, v in self.counts.items())
        return f"city-scale data set in {self.seconds:.1f} s: {parts} ({self.database_url})"


def default_database_url() -> str:
    from platformdirs import user_cache_dir

    path = Path(user_cache_dir("caseflow")) / "demo-city.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


class _Writer:
    """Bulk ``executemany`` on the driver, values already in the column's stored form."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.counts: dict[str, int] = {}

    def ts(self, when: datetime | None) -> Any:
        if when is None:
            return None
        if self.sqlite:  # SQLAlchemy's SQLite DATETIME form, naive UTC
            return when.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return when

    def insert(self, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join([self.mark] * len(columns))})")
        n, batch = 0, []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self.conn.exec_driver_sql(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            self.conn.exec_driver_sql(sql, batch)
            n += len(batch)
        self.counts[table] = self.counts.get(table, 0) + n
        return n


def generate(url: str, *, seed: int = 2026, cases: int = 100_000,
             progress: Callable[[str], Any] | None = None) -> CityReport:
    """Write the data set into an empty database at ``url`` (schema by the migrations)."""
    began = walltime.perf_counter()
    say = progress or (lambda _msg: None)
    engine = make_engine(url)
    try:
        if migrate.current_revision(engine) is not None:
            with engine.connect() as conn:
                if conn.execute(sa.text("SELECT count(*) FROM app_user")).scalar_one():
                    from caseflow.errors import Refused

                    raise Refused("the database already holds caseflow data; the city-scale "
                                  "data set is written only into an empty one")
        migrate.upgrade(engine)
        catalog = WorkflowCatalog(Settings(database_url=url, config_path=Path("/nonexistent"),
                                           workflow_dirs=[bundled_workflows_dir()]).workflow_dirs)
        definition = catalog.get("gongai")
        rng = random.Random(seed)
        with engine.begin() as conn:
            w = _Writer(conn)
            rebuild = _drop_secondary_indexes(conn)
            _write_all(w, definition, rng, cases, say)
            say(f"  indexing ({len(rebuild)} indexes)")
            for ddl in rebuild:
                conn.exec_driver_sql(ddl)
            if conn.dialect.name == "postgresql":
                for table in ("team", "app_user", "workflow_version", "project",
                              "enterprise_case", "ticket", "clear_list_entry", "audit_event"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}")
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(sa.engine.make_url(url).database or "") as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return CityReport(url, w.counts, walltime.perf_counter() - began)


def _drop_secondary_indexes(conn: sa.Connection) -> list[str]:
    """On SQLite, loading rows and indexing them afterwards is several times faster
    than keeping every index up to date row by row; returns the DDL to rebuild them
    (exactly as the migrations created them)."""
    if conn.dialect.name != "sqlite":
        return []
    conn.exec_driver_sql("PRAGMA cache_size=-400000")  # 400 MB for the bulk load
    rows: Any = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('ticket', 'audit_event', 'enterprise_case', 'clear_list_entry')"
    ).all()
    for name, _sql in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def _write_all(w: _Writer, definition: Any, rng: random.Random, n_cases: int,
               say: Callable[[str], Any]) -> None:
    start = REFERENCE - timedelta(days=365)
    ts = w.ts
    # --- teams and staff: one office and four task forces in every town
    teams: list[tuple[Any, ...]] = []
    users: list[tuple[Any, ...]] = []
    team_ids: dict[tuple[int, str], int] = {}
    members: dict[int, list[int]] = {}
    taken: set[str] = {"admin"}
    users.append((1, "admin", "系统管理员", "admin", None, None, True, ts(start)))
    for town in range(TOWNS):
        for code, name in names.TEAMS:
            tid = len(teams) + 1
            teams.append((tid, f"t{town + 1:02d}-{code}", f"{town + 1:02d}镇{name}", ts(start)))
            team_ids[(town, code)] = tid
            members[tid] = []
            lead_n, member_n, sup_n = names.SHENWAN_STAFF[code]
            for role, count in (("lead", lead_n), ("member", member_n), ("supervisor", sup_n)):
                for _ in range(count):
                    login, person = names.person(rng, taken)
                    uid = len(users) + 1
                    users.append((uid, login, person, role, tid, f"{login}@city.gov.example",
                                  True, ts(start)))
                    if role == "member":
                        members[tid].append(uid)
    w.insert("team", ("id", "code", "name", "created_at"), iter(teams))
    w.insert("app_user", ("id", "login", "name", "role", "team_id", "email", "active",
                          "created_at"), iter(users))
    w.insert("workflow_version", ("id", "name", "version", "digest", "source", "registered_at"),
             iter([(1, definition.name, definition.version, definition.digest,
                    definition.source, ts(start))]))
    projects: list[tuple[Any, ...]] = []
    for town in range(TOWNS):
        for p in range(PROJECTS_PER_TOWN):
            area = round(rng.uniform(40, 500), 2)
            projects.append((len(projects) + 1, f"C{town + 1:02d}P{p + 1:02d}",
                             f"{town + 1:02d}镇第{p + 1}片区低效工业园改造项目",
                             f"{town + 1:02d}镇",
                             "gongai", rng.choice(("工改工", "工改M0", "村企合作", "镇企合作")),
                             area, round(area * 0.3, 2), ts(start)))
    w.insert("project", ("id", "code", "name", "town", "workflow", "mode", "area_mu",
                         "target_mu", "created_at"), iter(projects))
    say(f"  {len(teams)} teams, {len(users)} staff, {len(projects)} projects")

    stage_names = [s for s, _ in STAGE_MIX]
    weights = [p for _, p in STAGE_MIX]
    stages = {s.name: s for s in definition.stages}
    case_rows: list[tuple[Any, ...]] = []
    ticket_rows: list[tuple[Any, ...]] = []
    entry_rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    codes: set[str] = set()
    tid = 0
    event_id = 0

    def event(at: datetime, actor: str, action: str, entity: str, case_id: int,
              ticket_id: int | None, entry_id: int | None, team_id: int | None,
              project_id: int, before: Any, after: Any, note: str | None) -> None:
        nonlocal event_id
        event_id += 1
        events.append((event_id, ts(at), actor, action, entity, case_id, ticket_id, entry_id,
                       team_id, project_id, json.dumps(before) if before is not None else None,
                       json.dumps(after, ensure_ascii=False) if after is not None else None,
                       note))

    def flush(final: bool = False) -> None:
        if len(ticket_rows) >= BATCH or final:
            w.insert("enterprise_case", CASE_COLUMNS, iter(case_rows))
            w.insert("ticket", TICKET_COLUMNS, iter(ticket_rows))
            w.insert("clear_list_entry", ENTRY_COLUMNS, iter(entry_rows))
            w.insert("audit_event", EVENT_COLUMNS, iter(events))
            case_rows.clear()
            ticket_rows.clear()
            entry_rows.clear()
            events.clear()

    for case_id in range(1, n_cases + 1):
        town = rng.randrange(TOWNS)
        project_id = town * PROJECTS_PER_TOWN + rng.randrange(PROJECTS_PER_TOWN) + 1
        office = team_ids[(town, "office")]
        current = rng.choices(stage_names, weights)[0]
        path = stage_names[:stage_names.index(current) + 1]
        opened = start + timedelta(days=rng.uniform(0, 330), minutes=rng.randrange(480))
        code = make_credit_code(rng)
        while code in codes:
            code = make_credit_code(rng)
        codes.add(code)
        name = f"中山市{rng.choice(names._BRAND_CHARS)}{rng.choice(names._BRAND_CHARS)}" \
               f"{rng.choice(names._ZS_TRADES)}有限公司{case_id}"
        event(opened, "admin", "case.open", "case", case_id, None, None, office, project_id,
              None, {"name": name, "credit_code": code, "stage": path[0]}, None)
        entered = opened
        for i, stage_name in enumerate(path):
            is_current = i == len(path) - 1
            stage = stages[stage_name]
            if i > 0:
                event(entered, "lead", f"case.{TRIGGER_INTO[stage_name]}", "case", case_id, None,
                      None, office, project_id, {"stage": path[i - 1]}, {"stage": stage_name},
                      None)
            # how long this stage took (or has run so far)
            span = timedelta(days=rng.uniform(10, 45))
            if is_current:
                # the current stage started so that its orders fall due around REFERENCE
                entered = min(entered, REFERENCE - timedelta(days=rng.uniform(1, 40)))
            for t in stage.templates:
                tid += 1
                team = team_ids.get((town, t.team or ""), office)
                days = t.due.amount * (1.4 if t.due.working else 1.0)
                due = entered + timedelta(days=days)
                if is_current:
                    due = REFERENCE + timedelta(days=rng.uniform(-30, 60))
                assignee = rng.choice(members[team]) if members[team] and \
                    rng.random() < 0.7 else None
                status, closed_at, closed_by, level = "open", None, None, 0
                if not is_current or rng.random() < 0.35:
                    if t.required or rng.random() < 0.6:
                        status = "closed"
                        late = rng.random() < 0.12
                        closed_at = due + timedelta(days=rng.uniform(0.5, 8)) if late else \
                            entered + (due - entered) * rng.uniform(0.3, 0.98)
                        if closed_at > REFERENCE:
                            closed_at = REFERENCE - timedelta(hours=rng.uniform(1, 48))
                        closed_by = "member"
                    else:
                        status, closed_at, closed_by = "cancelled", entered + span, "lead"
                elif rng.random() < 0.3:
                    status = "in_progress"
                if status in ("open", "in_progress") and due < REFERENCE:
                    level = 1 + (REFERENCE - due > timedelta(days=4)) \
                        + (REFERENCE - due > timedelta(days=10))
                version = 1 + (status != "open") + (assignee is not None)
                ticket_rows.append((
                    tid, case_id, stage_name, t.key, t.title_en, t.title_zh, t.required,
                    t.records, team, assignee, status, str(t.due), ts(due), ts(entered),
                    ts(entered) if status == "in_progress" else None, ts(closed_at), closed_by,
                    "已办结" if status == "closed" else None, level, version))
                # the one event shape (domain.work_order): complete snapshots before/after
                event(entered, "admin" if i == 0 else "lead", "ticket.open", "ticket", case_id,
                      tid, None, team, project_id, None,
                      Snapshot("open", assignee, due, 0, None, version - (status != "open"))
                      .as_json() | {"title": t.title_en}, None)
                if status in ("closed", "cancelled"):
                    late = status == "closed" and closed_at is not None and closed_at > due
                    before = Snapshot("open", assignee, due, 0, "open" if late else None,
                                      version - 1)
                    after = Snapshot(status, assignee, due, 0,
                                     "awaiting_signoff" if late else None, version)
                if status == "closed" and closed_at is not None:
                    on_time = closed_at <= due
                    event(closed_at, "member", "ticket.close", "ticket", case_id, tid, None, team,
                          project_id, before.as_json(), after.as_json() | {"on_time": on_time},
                          "已办结")
                    if not on_time:  # it was on the list, and has been signed off
                        _entry(entry_rows, event, w, len(entry_rows) + tid, tid, team, due,
                               closed_at, case_id, project_id, signed=True)
                elif status == "cancelled":
                    event(closed_at or entered, "lead", "ticket.cancel", "ticket", case_id, tid,
                          None, team, project_id, before.as_json(), after.as_json(),
                          f"case {TRIGGER_INTO.get(path[min(i + 1, len(path) - 1)], 'move')}")
                elif level:
                    _entry(entry_rows, event, w, tid, tid, team, due, None, case_id, project_id,
                           signed=False, level=level)
            if not is_current:
                entered = entered + span
        case_rows.append((case_id, project_id, 1, name, code, round(rng.uniform(1, 30), 2),
                          office, current, "active", ts(entered), ts(opened), ts(entered),
                          len(path)))
        flush()
        if case_id % 20_000 == 0:
            say(f"  {case_id:,} cases, {tid:,} work orders")
    flush(final=True)


def _entry(rows: list[tuple[Any, ...]], event: Callable[..., None], w: _Writer, entry_id: int,
           ticket_id: int, team: int, due: datetime, closed_at: datetime | None, case_id: int,
           project_id: int, *, signed: bool, level: int = 1) -> None:
    """A clear-list entry as the sweep and a supervisor would have left it. Entry ids
    are the ticket's id (one entry per ticket, ever), so they never collide."""
    entry_id = ticket_id
    signed_at = closed_at + timedelta(days=1) if signed and closed_at else None
    rows.append((entry_id, ticket_id, team, level, "signed_off" if signed else "open",
                 w.ts(due), None, None if signed else w.ts(due + timedelta(days=14)),
                 w.ts(closed_at), w.ts(signed_at), "supervisor" if signed else None,
                 "经督查组复核，同意销号" if signed else None, 3 if signed else 1))
    event(due, "scheduler", "entry.enter", "entry", case_id, ticket_id, entry_id, team,
          project_id, None, {"level": level}, None)
    if signed and signed_at is not None:
        event(signed_at, "supervisor", "entry.signed_off", "entry", case_id, ticket_id,
              entry_id, team, project_id, {"status": "awaiting_signoff"},
              {"status": "signed_off"}, "经督查组复核，同意销号")


CASE_COLUMNS = ("id", "project_id", "workflow_version_id", "name", "credit_code", "area_mu",
                "team_id", "stage", "status", "stage_entered_at", "created_at", "updated_at",
                "version")
TICKET_COLUMNS = ("id", "case_id", "stage", "template_key", "title", "title_zh", "required",
                  "records", "team_id", "assignee_id", "status", "due_rule", "due_at",
                  "opened_at", "started_at", "closed_at", "closed_by", "close_note", "level",
                  "version")
ENTRY_COLUMNS = ("id", "ticket_id", "team_id", "level", "status", "entered_at",
                 "level_raised_at", "next_level_at", "awaiting_since", "signed_off_at",
                 "signed_off_by", "note", "version")
EVENT_COLUMNS = ("id", "at", "actor", "action", "entity", "case_id", "ticket_id", "entry_id",
                 "team_id", "project_id", "before", "after", "note")
