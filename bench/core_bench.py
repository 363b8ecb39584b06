"""Issue 2's figures (bulk case creation, one ``advance``) and the raw SQLite
baseline beside them, plus the import (issue 3) and demo (issue 6) wall times."""

from __future__ import annotations

import csv
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from caseflow.clock import FixedClock
from caseflow.config import Settings, bundled_workflows_dir
from caseflow.domain.credit_code import make_credit_code
from caseflow.persistence import migrate
from caseflow.persistence.db import make_engine
from caseflow.services import cases, directory, projects, tickets
from caseflow.services.app import App

BATCH = 10_000
ADVANCES = 300
RAW_ROWS = 300_000


def _app(path: Path) -> App:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    settings = Settings(database_url=url, config_path=path.parent / "none.toml",
                        workflow_dirs=[bundled_workflows_dir()])
    return App(engine=engine, settings=settings,
               clock=FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)))


def _rows(rng: random.Random, n: int) -> list[cases.NewCase]:
    codes: set[str] = set()
    rows = []
    for i in range(n):
        code = make_credit_code(rng)
        while code in codes:
            code = make_credit_code(rng)
        codes.add(code)
        rows.append(cases.NewCase(name=f"中山市基准五金制品有限公司{i}", credit_code=code,
                                  area_mu=round(rng.uniform(1, 30), 2)))
    return rows


def measure_core(workdir: Path) -> dict[str, float]:
    app = _app(workdir / "core.db")
    directory.add_user(app, None, "admin", "管理员", "admin")
    admin = directory.resolve_actor(app, "admin")
    for code in ("office", "negotiation", "relocation", "demolition", "investment"):
        directory.add_team(app, admin, code, code)
    projects.add_project(app, admin, "B01", "基准项目", "神湾镇", "gongai", area_mu=999.0)
    rng = random.Random(1)
    rows = _rows(rng, BATCH)
    began = time.perf_counter()
    ids = cases.add_cases(app, admin, "B01", rows)
    took = time.perf_counter() - began
    written = _count(app, "enterprise_case") + _count(app, "ticket") + _count(app, "audit_event")
    # advance: close the required orders of some cases (not timed), then time each move
    sample = ids[:ADVANCES]
    for view in tickets.list_tickets(app, admin, scope="all", limit=None):
        if view.case_id in set(sample) and view.required:
            tickets.close(app, admin, view.id, "done")
    latencies = []
    for case_id in sample:
        t0 = time.perf_counter()
        cases.advance(app, admin, case_id, note="bench", open_orders="cancel")
        latencies.append(time.perf_counter() - t0)
    app.engine.dispose()
    latencies.sort()
    return {
        "cases_per_s": BATCH / took,
        "service_rows_per_s": written / took,
        "advance_p50_ms": statistics.median(latencies) * 1000,
        "advance_p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def _count(app: App, table: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def measure_raw_sqlite(workdir: Path) -> dict[str, float]:
    """Plain sqlite3 executemany into a table shaped like ``ticket`` (same pragmas)."""
    con = sqlite3.connect(workdir / "raw.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, case_id INT, title TEXT, status TEXT, "
                "team_id INT, due_at TEXT, opened_at TEXT, level INT, version INT)")
    rows = [(i, i // 4, "拆除前安全检查", "open", i % 5, "2026-03-09 15:59:59.000000",
             "2026-03-02 01:00:00.000000", 0, 1) for i in range(1, RAW_ROWS + 1)]
    began = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?)", rows)
    con.execute("COMMIT")
    took = time.perf_counter() - began
    # the same work as one advance by hand: read the case, update it, insert four
    # orders and six events, commit
    con.execute("CREATE INDEX t_case ON t (case_id)")
    con.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, stage TEXT, version INT)")
    con.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, at TEXT, action TEXT, after TEXT)")
    con.executemany("INSERT INTO c VALUES (?, 'negotiate', 1)", [(i,) for i in range(1, 1001)])
    latencies = []
    for case_id in range(1, ADVANCES + 1):
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("SELECT stage, version FROM c WHERE id = ?", (case_id,)).fetchone()
        con.execute("SELECT count(*) FROM t WHERE case_id = ? AND status = 'open'",
                    (case_id,)).fetchone()
        con.execute("UPDATE c SET stage = 'relocate', version = version + 1 "
                    "WHERE id = ? AND version = 1", (case_id,))
        con.executemany("INSERT INTO t (case_id, title, status, team_id, due_at, opened_at, "
                        "level, version) VALUES (?, '安排企业入驻腾挪园厂房', 'open', 3, "
                        "'2026-03-23 15:59:59.000000', '2026-03-02 01:00:00.000000', 0, 1)",
                        [(case_id,)] * 4)
        con.executemany("INSERT INTO e (at, action, after) VALUES (?, ?, ?)",
                        [("2026-03-02 01:00:00.000000", "ticket.open", '{"status": "open"}')] * 6)
        con.execute("COMMIT")
        latencies.append(time.perf_counter() - t0)
    con.close()
    return {"raw_rows_per_s": RAW_ROWS / took,
            "raw_advance_p50_ms": statistics.median(latencies) * 1000}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from caseflow.adapters.cli.main import run; run()", *args],
        capture_output=True, text=True, timeout=600)


def measure_import(workdir: Path) -> dict[str, float] | None:
    """``caseflow case import`` of 10,000 rows, wall time; None when the command is absent."""
    db = f"sqlite:///{workdir / 'import.db'}"
    if _cli("--db", db, "init", "--admin", "admin").returncode:
        return None
    if _cli("--db", db, "--user", "admin", "project", "add", "IMP", "--name", "导入项目",
            "--town", "小榄镇", "--workflow", "gongai").returncode:
        return None
    path = workdir / "cases.csv"
    rng = random.Random(2)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "credit_code", "area_mu"])
        for row in _rows(rng, BATCH):
            out.writerow([row.name, row.credit_code, row.area_mu])
    began = time.perf_counter()
    done = _cli("--db", db, "--user", "admin", "case", "import", str(path), "--project", "IMP")
    took = time.perf_counter() - began
    return {"import_10k_s": took} if done.returncode == 0 else None


def measure_demo(workdir: Path) -> dict[str, float]:
    began = time.perf_counter()
    done = _cli("demo", "--db", f"sqlite:///{workdir / 'demo.db'}")
    took = time.perf_counter() - began
    if done.returncode:
        raise RuntimeError(f"caseflow demo failed: {done.stderr[-500:]}")
    return {"demo_s": took}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(measure_core(Path(tmp)), measure_raw_sqlite(Path(tmp)))
