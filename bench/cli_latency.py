"""How long a person waits for ``caseflow ticket list --mine`` and ``ticket close``.

Builds (unless already there) a database with 20,000 cases and their ~80,000
first-stage work orders plus 20,000 ad-hoc ones (100,000 in all) through the
services (``add_cases``), assigns 50 to one member, then runs the real command as
separate processes, as a user would, and reports wall times in milliseconds. Given a
database that is already populated (``make bench`` passes a copy of the city data
set), it times the member with the most open work orders there instead.

    python -m bench.cli_latency [DB_URL]        (default: a temporary SQLite file)

``measure(db_url)`` is what ``make bench`` calls.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = 20_000
MEMBER = "bench_member"
ASSIGNED = 50
TARGET_S = 0.5
RUNNER = "import sys; from caseflow.adapters.cli.main import main; sys.exit(main(sys.argv[1:]))"


def build(db_url: str, cases: int = CASES) -> dict[str, Any]:
    """Fill an empty database; return the member's login and open order ids."""
    from caseflow.clock import SystemClock
    from caseflow.services import directory, projects, setup, tickets
    from caseflow.services.app import App
    from caseflow.services.cases import NewCase, add_cases

    app = App.from_settings(database_url=db_url, clock=SystemClock())
    try:
        busiest = _busiest_member(app)
        if busiest is not None:  # a populated town or city (the benchmarks' city data set)
            member = directory.resolve_actor(app, busiest)
            open_ids = [v.id for v in tickets.list_tickets(app, member, scope="mine")]
            return {"login": busiest, "open_ids": open_ids, "orders": _count_orders(app),
                    "build_s": 0.0}
        setup.init(app, "bench_admin", "Bench admin")
        admin = directory.resolve_actor(app, "bench_admin")
        mine = tickets.list_tickets(app, admin, scope="all", limit=1) \
            if _has_cases(app) else None
        if not mine:
            for code, name in [("office", "指挥部办公室"), ("negotiation", "谈判专班"),
                               ("relocation", "腾挪安置专班")]:
                directory.add_team(app, admin, code, name)
            directory.add_user(app, admin, "bench_lead", "李组长", "lead", team="negotiation")
            directory.add_user(app, admin, MEMBER, "张三", "member", team="negotiation")
            projects.add_project(app, admin, "BENCH", "基准园区", "基准镇", "gongai")
            started = time.perf_counter()
            ids = add_cases(app, admin, "BENCH",
                            [NewCase(name=f"企业{n:05d}", area_mu=1 + n % 40,
                                     team="negotiation") for n in range(cases)])
            built_s = time.perf_counter() - started
            _ad_hoc_orders(app, ids)
            lead = directory.resolve_actor(app, "bench_lead")
            team_orders = tickets.list_tickets(app, lead, scope="team", limit=ASSIGNED)
            for view in team_orders:
                tickets.assign(app, lead, view.id, MEMBER)
        else:
            built_s = 0.0
        member = directory.resolve_actor(app, MEMBER)
        open_ids = [v.id for v in tickets.list_tickets(app, member, scope="mine")]
        return {"login": MEMBER, "open_ids": open_ids, "orders": _count_orders(app),
                "build_s": round(built_s, 2)}
    finally:
        app.engine.dispose()


def _busiest_member(app: Any) -> str | None:
    """In a database someone else filled: the member with the most open orders (the
    longest ``--mine`` list), or None when the database is empty or has no such member."""
    from sqlalchemy import inspect, text

    if not inspect(app.engine).has_table("app_user"):
        return None
    with app.engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM app_user WHERE login = 'bench_admin'")).first():
            return None  # built by this module: its own member is used
        return conn.execute(text(
            "SELECT u.login FROM ticket t JOIN app_user u ON u.id = t.assignee_id "
            "WHERE t.status IN ('open', 'in_progress') AND u.role = 'member' AND u.active "
            "GROUP BY u.login ORDER BY count(*) DESC, u.login LIMIT 1")).scalar()


def _has_cases(app: Any) -> bool:
    from sqlalchemy import text

    with app.engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM enterprise_case")).scalar())


def _count_orders(app: Any) -> int:
    from sqlalchemy import text

    with app.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM ticket")).scalar() or 0)


def _ad_hoc_orders(app: Any, case_ids: list[int]) -> None:
    """Top up to 100,000 orders: closed ad-hoc orders, as a year of work leaves behind.

    Inserted in bulk through the table (one transaction); the services would take
    minutes for this many single orders and the benchmark is about reading them.
    """
    from datetime import timedelta

    from caseflow.persistence.models import Ticket

    missing = 100_000 - _count_orders(app)
    if missing <= 0:
        return
    now = app.clock.now()
    rows = [{"case_id": case_ids[n % len(case_ids)], "stage": "negotiate", "title": "补充材料",
             "title_zh": "补充材料", "required": False, "status": "closed", "team_id": None,
             "due_at": now + timedelta(days=5), "opened_at": now - timedelta(days=30),
             "closed_at": now - timedelta(days=1), "closed_by": "bench_admin", "level": 0,
             "version": 1} for n in range(missing)]
    with app.engine.begin() as conn:
        conn.execute(Ticket.__table__.insert(), rows)  # type: ignore[attr-defined]


def _run(db_url: str, login: str, *args: str) -> tuple[float, float]:
    """Run the command as its own process; return (wall, CPU) seconds.

    Bytecode caching is left on (as for an installed caseflow), whatever the
    caller's PYTHONDONTWRITEBYTECODE says. CPU time (user + system) is reported
    too because wall time on a shared machine also measures the neighbours.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT), CASEFLOW_LANG="zh_CN", COLUMNS="80")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", RUNNER, "--db", db_url, "--user", login,
                             *args], capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"caseflow {' '.join(args)} failed: {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    wall = sorted(w * 1000 for w, _cpu in samples)
    cpu = sorted(c * 1000 for _wall, c in samples)
    return {"min_ms": round(wall[0]), "median_ms": round(statistics.median(wall)),
            "max_ms": round(wall[-1]), "cpu_min_ms": round(cpu[0]),
            "cpu_median_ms": round(statistics.median(cpu)), "runs": len(wall)}


def measure(db_url: str | None = None, runs: int = 10) -> dict[str, Any]:
    """Build the database if needed, then time both commands ``runs`` times."""
    tmp = None
    if db_url is None:
        tmp = tempfile.TemporaryDirectory(prefix="caseflow-bench-")
        db_url = f"sqlite:///{tmp.name}/bench.db"
    try:
        data = build(db_url)
        login, open_ids = data["login"], data["open_ids"]
        if len(open_ids) < runs:
            raise RuntimeError(f"only {len(open_ids)} open orders left for {login}; "
                               "rebuild the benchmark database")
        _run(db_url, login, "ticket", "list", "--mine")  # warm the OS file cache
        listing = [_run(db_url, login, "ticket", "list", "--mine") for _ in range(runs)]
        closing = [_run(db_url, login, "ticket", "close", str(ticket_id), "--note", "bench")
                   for ticket_id in open_ids[:runs]]
        result = {
            "database": db_url.split("://")[0], "orders": data["orders"],
            "assigned_to_member": len(open_ids), "build_s": data["build_s"],
            "ticket_list_mine": _summary(listing), "ticket_close": _summary(closing),
            "target_ms": int(TARGET_S * 1000), "load_average": os.getloadavg()[0],
        }
        result["ok"] = max(result["ticket_list_mine"]["median_ms"],
                           result["ticket_close"]["median_ms"]) <= TARGET_S * 1000
        return result
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
