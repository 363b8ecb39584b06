"""A process killed (SIGKILL) in the middle of a large import leaves nothing half
written, and running the import again stores it exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa

from caseflow.services.app import App
from tests.conftest import Town

ROWS = 6000
IMPORT = textwrap.dedent("""
    import random, sys
    from caseflow.domain.credit_code import make_credit_code
    from caseflow.services import cases, directory
    from tests.reliability.workers import app_for

    app = app_for(sys.argv[1])
    admin = directory.resolve_actor(app, "root")
    rng = random.Random(42)  # the same file every run
    codes = []
    while len(codes) < int(sys.argv[2]):
        code = make_credit_code(rng)
        if code not in codes:
            codes.append(code)
    rows = [cases.NewCase(f"中山市批量导入灯饰有限公司{i}", code, 5.0, team="negotiation")
            for i, code in enumerate(codes)]
    print("begin", flush=True)
    try:
        ids = cases.add_cases(app, admin, "SW01", rows, note="batch import")
    except Exception as error:
        print("refused", error, flush=True)
        sys.exit(1)
    print("done", len(ids), flush=True)
""")


def _start(url: str, root: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.Popen([sys.executable, "-c", IMPORT, url, str(ROWS)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _counts(app: App) -> tuple[int, int, int]:
    with app.engine.connect() as conn:
        def one(sql: str) -> int:
            return int(conn.execute(sa.text(sql)).scalar_one())
        return (one("SELECT count(*) FROM enterprise_case"),
                one("SELECT count(*) FROM ticket"),
                one("SELECT count(*) FROM audit_event "
                    "WHERE action IN ('case.open', 'ticket.open')"))


def test_killed_import_leaves_nothing_and_rerun_completes_once(app: App, town: Town) -> None:
    root = Path(__file__).resolve().parents[2]
    url = app.engine.url.render_as_string(hide_password=False)
    app.engine.dispose()
    before = _counts(app)

    proc = _start(url, root)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "begin"
    time.sleep(0.6)  # well inside the transaction: the whole batch takes seconds
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert _counts(app) == before  # no partial rows: no cases, orders or events

    proc = _start(url, root)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"done {ROWS}" in out
    cases_, orders, events = _counts(app)
    assert cases_ - before[0] == ROWS
    per_case = (orders - before[1]) / ROWS
    assert per_case == 4  # gongai's negotiate stage opens four work orders
    assert events - before[2] == ROWS * 5

    proc = _start(url, root)  # the same file again: refused, nothing doubled
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1 and "already belongs to case" in out
    assert _counts(app) == (cases_, orders, events)
