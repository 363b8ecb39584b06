"""The city data set on PostgreSQL: whole commands beside a psycopg floor, and the
plans of every read statement checked with EXPLAIN.

Runs only when ``make bench`` is given a PostgreSQL database it may fill
(``--pg URL`` or ``CASEFLOW_BENCH_PG``; e.g. ``postgresql+psycopg://postgres@127.0.0.1
:5432/bench_speed``, never the tests' database). The database is created if missing and
the city data set generated into it once (a marker table remembers the generator
version). The plans go to ``bench/data/plans-pg.txt``; a sequential scan of one of the
big tables (work orders, events, entries, cases) in a read path is reported.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.commands import (
    CLEAR_PAGE_SQL,
    CLEAR_SELECT,
    LANG,
    MINE_SQL,
    PROGRESS_SQL,
    City,
)
from bench.harness import Context, Row, caseflow_argv, cpus, register, walls

BIG_TABLES = {"ticket", "audit_event", "clear_list_entry", "enterprise_case", "alert"}
PLANS = Path(__file__).resolve().parent / "data" / "plans-pg.txt"

PG_FLOOR = """\
import sys, psycopg
with psycopg.connect(sys.argv[1]) as conn:
    rows = conn.execute(sys.argv[2], tuple(sys.argv[3:])).fetchall()
out = sys.stdout
for row in rows:
    out.write("\\t".join(map(str, row)))
    out.write("\\n")
"""


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def ensure_city(url: str, say: Callable[[str], Any]) -> None:
    """Create the database if missing and fill it with the city data set once."""
    from caseflow.adapters.demo import city

    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": parsed.database}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            marker = conn.execute(sa.text(
                "SELECT to_regclass('bench_city') IS NOT NULL")).scalar()
            version = conn.execute(sa.text("SELECT version FROM bench_city")).scalar() \
                if marker else None
            if version == city.GENERATOR_VERSION:
                return
            say("  building the city data set on PostgreSQL (once)…")
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()
    report = city.generate(url, progress=say)
    say("  " + report.summary())
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE bench_city (version integer)"))
            conn.execute(sa.text("INSERT INTO bench_city VALUES (:v)"),
                         {"v": city.GENERATOR_VERSION})
    finally:
        engine.dispose()


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


@register("postgresql", order=60)
def pg_rows(ctx: Context) -> list[Row]:
    if not ctx.pg_url:
        ctx.say("  no --pg database given: PostgreSQL rows left out")
        return []
    try:
        ensure_city(ctx.pg_url, ctx.say)
    except sa.exc.OperationalError as exc:  # no server here: the SQLite rows still count
        ctx.say(f"  PostgreSQL not reachable ({str(exc.orig).strip()[:80]}): rows left out")
        return []
    city = City(ctx.city)  # same generator, same seed: the same people and ids
    libpq = _libpq(ctx.pg_url)
    rows: list[Row] = []

    def pair(key: str, what: str, args: list[str], user: str, sql: str,
             params: tuple[str, ...] = (), *, target_ratio: float | None = None,
             target_s: float | None = None, runs: int | None = None) -> None:
        found = ctx.interleave({
            "cmd": lambda _n: ctx.process(caseflow_argv(ctx.pg_url or "", user, *args),
                                          env=LANG),
            "floor": lambda _n: ctx.process([sys.executable, "-c", PG_FLOOR, libpq, _pg(sql),
                                             *params]),
        }, runs=runs)
        row = Row(key, what, samples=walls(found["cmd"]), floor=walls(found["floor"]),
                  floor_cpu=cpus(found["floor"]),
                  cpu=cpus(found["cmd"]), floor_what="python + psycopg, same query",
                  target_ratio=target_ratio, target_s=target_s, database="postgresql")
        rows.append(row)
        ctx.say(f"  {what} (PostgreSQL): {row.median:.3f} s"
                + (f" {row.ratio:.1f}×" if row.ratio else ""))

    pair("pg_ticket_list_mine", f"ticket list --mine ({city.member_open} open)",
         ["ticket", "list", "--mine"], city.member, MINE_SQL, (city.member,), target_ratio=8)
    pair("pg_clearlist", f"clearlist (first 100 of {city.entries:,})", ["clearlist"],
         city.supervisor, CLEAR_PAGE_SQL, target_ratio=25)
    pair("pg_clearlist_json", f"clearlist --json (all {city.entries:,} entries)",
         ["clearlist", "--json"], city.supervisor, CLEAR_SELECT, target_s=3.0,
         runs=max(3, ctx.runs // 3))
    pair("pg_report_progress", "report progress (by town)", ["report", "progress"],
         city.supervisor, PROGRESS_SQL, target_ratio=25)
    rows.append(check_plans(ctx, city))
    return rows


# --------------------------------------------------------------------------- plans

def _read_paths(app: Any, city: City) -> Iterator[tuple[str, Callable[[], Any]]]:
    from caseflow.services import alerts, case_reads, clearlist, directory, reports, tickets

    member = directory.resolve_actor(app, city.member)
    yield "ticket list --mine", lambda: tickets.list_tickets(app, member, scope="mine")
    yield "ticket show", lambda: tickets.show_ticket(app, city.open_ids[0])
    yield "case show", lambda: case_reads.show_case(app, city.case_id)
    yield "case list", lambda: case_reads.page_cases(app, city.project, limit=100)
    yield "clearlist", lambda: clearlist.list_entries(app, limit=100)
    yield "alerts list", lambda: alerts.list_alerts(app, limit=100)
    yield "report progress", lambda: reports.progress(app, 2026, by="town")
    yield "report weekly", lambda: reports.weekly(app, by="team")
    yield "report burndown", lambda: reports.burndown(app, 30)


def check_plans(ctx: Context, city: City) -> Row:
    """Run the read paths once on PostgreSQL, EXPLAIN each statement they sent, and
    list the sequential scans of big tables; the plans are written for reading."""
    from caseflow.adapters.demo.city import REFERENCE
    from caseflow.clock import FixedClock
    from caseflow.services.app import App

    app = App.from_settings(database_url=ctx.pg_url, clock=FixedClock(REFERENCE))
    seen: list[tuple[str, str, Any]] = []
    current = {"path": ""}

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            seen.append((current["path"], statement, parameters))

    sa.event.listen(app.engine, "before_cursor_execute", capture)
    try:
        for path, run in _read_paths(app, city):
            current["path"] = path
            run()
    finally:
        sa.event.remove(app.engine, "before_cursor_execute", capture)
    scans: list[str] = []
    text: list[str] = []
    worst = 0.0
    with app.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for path, statement, parameters in seen:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            plan = cursor.fetchone()[0][0]
            cursor.close()
            worst = max(worst, plan.get("Execution Time", 0.0) / 1000)
            for node in _nodes(plan["Plan"]):
                if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in \
                        BIG_TABLES:
                    scans.append(f"{path}: seq scan of {node['Relation Name']} "
                                 f"({node.get('Actual Rows', '?')} rows)")
            text.append(f"-- {path}\n{statement}\n{json.dumps(plan, indent=1)[:4000]}\n")
        raw.rollback()
    app.engine.dispose()
    PLANS.parent.mkdir(exist_ok=True)
    PLANS.write_text("\n".join(text), encoding="utf-8")
    note = "; ".join(sorted(set(scans))) or "no sequential scan of a big table"
    ctx.say(f"  plans: {len(seen)} statements, slowest {worst * 1000:.0f} ms; {note}")
    return Row("pg_plans", f"EXPLAIN ANALYZE of {len(seen)} read statements, slowest",
               samples=[worst], kind="in-process", database="postgresql",
               note=note[:300], target_s=None)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)
