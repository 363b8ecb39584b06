"""Random lives of a few work orders keep the four promises the reports rest on.

Hypothesis drives sequences of open / start / close / reopen / extend / assign /
sweep / sign-off / reject / advance / hold (and resume) over a few orders of two
cases, with time passing between steps, and after every step checks:

1. the weekly figures of every finished week are what they were when it finished;
2. after a sweep, each overdue open order of an active case has exactly one open
   clear-list entry (and no order ever has two live entries);
3. every work order's last audit snapshot matches its row (status, assignee, due,
   level, version, and whether its entry is live);
4. at the end, ``export`` → ``import-dump`` reproduces the database row for row.

SQLite only (a fresh copy of the migrated template per example), and a modest
number of examples so the suite stays fast on two cores.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.clock import SHANGHAI, FixedClock, local_date
from caseflow.domain.work_order import OPEN_STATUSES, SNAPSHOT_KEYS
from caseflow.errors import CaseflowError
from caseflow.persistence import tables as t
from caseflow.services import cases, clearlist, directory, dump, projects, reports, tickets
from caseflow.services.app import App
from caseflow.services.sweep import sweep
from tests.conftest import make_app

ACTIONS = ("open", "start", "close", "reopen", "extend", "assign", "sweep", "signoff",
           "reject", "advance", "hold")
# a Friday: a few steps in, week 2026-W10 has finished and is compared from then on
START = datetime(2026, 3, 6, 9, 0, tzinfo=SHANGHAI)

step = st.tuples(
    st.sampled_from(ACTIONS),
    st.integers(min_value=0, max_value=5),      # which order / case / entry
    st.integers(min_value=0, max_value=3),      # a choice (assignee, advance mode, ...)
    st.integers(min_value=1, max_value=60),     # hours that pass before the step
)


class Town:
    """Two cases in one project, three people who may act, a supervisor."""

    def __init__(self, app: App) -> None:
        self.app = app
        directory.add_user(app, None, "root", "管理员", "admin")
        r = directory.resolve_actor
        self.admin = r(app, "root")
        for code, name in [("office", "指挥部办公室"), ("negotiation", "谈判专班")]:
            directory.add_team(app, self.admin, code, name)
        directory.add_user(app, self.admin, "lead1", "李组长", "lead", team="negotiation")
        directory.add_user(app, self.admin, "zhang", "张三", "member", team="negotiation")
        directory.add_user(app, self.admin, "sup", "陈督查", "supervisor")
        projects.add_project(app, self.admin, "SW01", "神湾镇定溪工业园", "神湾镇", "gongai",
                             area_mu=300.0, target_mu=250.0)
        self.lead, self.member, self.sup = r(app, "lead1"), r(app, "zhang"), r(app, "sup")
        self.cases = [cases.add_case(app, self.lead, "SW01", cases.NewCase(
            name=name, team="negotiation")).id for name in ("定溪五金厂", "定溪灯饰厂")]


def _orders(app: App) -> list[Any]:
    with app.engine.connect() as conn:
        return list(conn.execute(sa.select(t.ticket).order_by(t.ticket.c.id)))


def _entries(app: App) -> list[Any]:
    with app.engine.connect() as conn:
        return list(conn.execute(sa.select(t.clear_list_entry).order_by(t.clear_list_entry.c.id)))


def _pick(rows: list[Any], n: int) -> Any:
    return rows[n % len(rows)] if rows else None


def _act(town: Town, clock: FixedClock, action: str, n: int, choice: int) -> None:
    app = town.app
    orders = _orders(app)
    order = _pick(orders, n)
    worker = (town.member, town.lead)[choice % 2]
    if action == "open":
        due = local_date(clock.now()) + timedelta(days=1 + choice * 2)
        tickets.add_ticket(app, worker, town.cases[n % 2], "补充材料", due_on=due)
    elif action == "start" and order is not None:
        tickets.start(app, worker, order.id)
    elif action == "close" and order is not None:
        tickets.close(app, worker, order.id, "已办结")
    elif action == "reopen" and order is not None:
        tickets.reopen(app, (town.sup, town.lead)[choice % 2], order.id, "复查未整改")
    elif action == "extend" and order is not None:
        day = local_date(order.due_at) + timedelta(days=1 + choice)
        tickets.extend(app, town.lead, order.id, day, "企业申请延期")
    elif action == "assign" and order is not None:
        tickets.assign(app, town.lead, order.id, ("zhang", "lead1")[choice % 2])
    elif action == "sweep":
        sweep(app, channels=["log"])
    elif action in ("signoff", "reject"):
        entry = _pick([e for e in _entries(app) if e.status == "awaiting_signoff"], n)
        if entry is not None and action == "signoff":
            clearlist.signoff(app, town.sup, entry.id, "现场核实")
        elif entry is not None:
            clearlist.reject(app, town.sup, entry.id, "材料不全")
    elif action == "advance":
        mode = ("refuse", "cancel", "keep", "keep")[choice]
        cases.advance(app, town.lead, town.cases[n % 2], note="进入下一环节", open_orders=mode)
    elif action == "hold":
        case_id = town.cases[n % 2]
        if cases.show_case(app, case_id, with_history=False).status == "on_hold":
            cases.resume(app, town.lead, case_id)
        else:
            cases.hold(app, town.lead, case_id, "企业诉讼中")


def _finished_weeks(app: App) -> list[str]:
    now = app.clock.now()
    week = reports.Week.containing(START.date())
    labels = []
    while week.end <= now:
        labels.append(week.label)
        week = reports.Week.containing(week.monday + timedelta(days=7))
    return labels


def _weekly(app: App, label: str) -> list[dict[str, Any]]:
    return [asdict(r) for r in reports.weekly(app, label, by="team").rows]


def _check_snapshots(app: App) -> None:
    with app.engine.connect() as conn:
        events = conn.execute(sa.select(t.audit_event).where(t.audit_event.c.ticket_id.is_not(None))
                              .order_by(t.audit_event.c.id)).all()
    last: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.after and set(SNAPSHOT_KEYS) <= set(event.after):
            last[event.ticket_id] = event.after
    live = {e.ticket_id: e.status for e in _entries(app) if e.status != "signed_off"}
    for order in _orders(app):
        snap = last[order.id]
        assert (snap["status"], snap["assignee_id"], snap["level"], snap["version"]) == (
            order.status, order.assignee_id, order.level, order.version), (order, snap)
        assert datetime.fromisoformat(snap["due_at"]) == order.due_at, (order, snap)
        shown = snap["entry_status"] if snap["entry_status"] != "signed_off" else None
        assert shown == live.get(order.id), (order, snap, live.get(order.id))


def _check_list(app: App, after_sweep: bool) -> None:
    entries = _entries(app)
    live = [e.ticket_id for e in entries if e.status != "signed_off"]
    assert len(live) == len(set(live)), "an order has two live entries"
    if not after_sweep:
        return
    with app.engine.connect() as conn:
        active = {c.id for c in conn.execute(sa.select(t.enterprise_case.c.id).where(
            t.enterprise_case.c.status == "active"))}
    now = app.clock.now()
    for order in _orders(app):
        if order.status in OPEN_STATUSES and order.due_at <= now and order.case_id in active:
            open_entries = [e for e in entries if e.ticket_id == order.id and e.status == "open"]
            assert len(open_entries) == 1, (order, open_entries)


def _check_round_trip(app: App, town: Town, workdir: Path) -> None:
    from tests.services.test_dump import _snapshot

    path = workdir / "dump.json"
    dump.export_to_file(app, town.admin, path)
    target = make_app(f"sqlite:///{workdir / 'restored.db'}", app.clock, workdir)  # type: ignore[arg-type]
    try:
        dump.import_dump(target, path)
        assert _snapshot(target) == _snapshot(app)
    finally:
        target.engine.dispose()


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=4, max_size=14))
def test_random_lives_keep_history_list_and_audit_consistent(
    steps: list[tuple[str, int, int, int]], sqlite_template: Path,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        shutil.copy(sqlite_template, workdir / "caseflow.db")
        clock = FixedClock(START)
        app = make_app(f"sqlite:///{workdir / 'caseflow.db'}", clock, workdir)
        try:
            town = Town(app)
            frozen: dict[str, list[dict[str, Any]]] = {}
            for action, n, choice, hours in steps:
                clock.advance(hours=hours)
                # a refusal changes nothing; the checks below say so too
                with contextlib.suppress(CaseflowError):
                    _act(town, clock, action, n, choice)
                for label in _finished_weeks(app):
                    figures = _weekly(app, label)
                    assert frozen.setdefault(label, figures) == figures, label
                _check_list(app, after_sweep=action == "sweep")
                _check_snapshots(app)
            _check_round_trip(app, town, workdir)
        finally:
            app.engine.dispose()
