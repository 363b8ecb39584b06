"""``caseflow demo`` and the city-scale generator: a town that looks like the reports,
worked through the services, with an audit trail that agrees with the tables."""

from __future__ import annotations

import contextlib
import io
from datetime import datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseflow.adapters.demo import city
from caseflow.adapters.demo.run import build_and_simulate
from caseflow.clock import SHANGHAI
from caseflow.domain.credit_code import is_valid_credit_code
from caseflow.errors import Refused
from caseflow.persistence.db import make_engine


def _one(conn: sa.Connection, sql: str) -> int:
    return int(conn.execute(sa.text(sql)).scalar_one())


@pytest.fixture(scope="module")
def shenwan(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, object]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'shenwan.db'}"
    return url, build_and_simulate(url, "shenwan", weeks=3, seed=7)


def test_shenwan_has_its_office_four_task_forces_52_staff_and_2540_66_mu(shenwan) -> None:
    url, _result = shenwan
    engine = make_engine(url)
    with engine.connect() as conn:
        assert _one(conn, "SELECT count(*) FROM team") == 5
        assert _one(conn, "SELECT count(*) FROM app_user WHERE role != 'admin'") == 52
        assert _one(conn, "SELECT count(*) FROM app_user WHERE role = 'supervisor'") >= 3
        assert _one(conn, "SELECT count(*) FROM project") == 11
        area = conn.execute(sa.text("SELECT sum(area_mu) FROM project")).scalar_one()
        assert round(area, 2) == 2540.66
        codes = conn.execute(sa.text("SELECT credit_code FROM enterprise_case")).scalars().all()
        names = conn.execute(sa.text("SELECT name FROM enterprise_case")).scalars().all()
        stages = conn.execute(sa.text(
            "SELECT DISTINCT stage FROM enterprise_case")).scalars().all()
    engine.dispose()
    assert len(codes) > 100 and all(is_valid_credit_code(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert all(n.startswith("中山市") and n.endswith("公司") for n in names)
    assert {"negotiate", "relocate", "demolish"} <= set(stages)


def test_the_simulated_weeks_left_a_consistent_audit_trail(shenwan) -> None:
    url, result = shenwan
    engine = make_engine(url)
    with engine.connect() as conn:
        closed = _one(conn, "SELECT count(*) FROM ticket WHERE status = 'closed'")
        close_events = _one(conn, "SELECT count(*) FROM audit_event WHERE action = 'ticket.close'")
        reopens = _one(conn, "SELECT count(*) FROM audit_event WHERE action = 'ticket.reopen'")
        tickets = _one(conn, "SELECT count(*) FROM ticket")
        open_events = _one(conn, "SELECT count(*) FROM audit_event WHERE action = 'ticket.open'")
        moves = _one(conn, "SELECT count(*) FROM audit_event WHERE action IN "
                           "('case.relocate', 'case.demolish', 'case.build', 'case.attract')")
    engine.dispose()
    # an order reopened (a supervisor rejected its closure) and closed again closes twice
    assert closed == close_events - reopens and tickets == open_events
    stats = result.stats
    assert stats.closed_on_time > 3 * stats.closed_late > 0  # most on time, some late
    assert moves == stats.advanced > 0
    assert stats.swept == 21  # the sweep ran every evening, weekends too
    assert stats.signed_off > 0


def test_the_demo_leaves_a_clear_list_and_a_burndown_the_reports_can_read(shenwan) -> None:
    from caseflow.clock import FixedClock
    from caseflow.services import clearlist, reports
    from caseflow.services.app import App

    url, result = shenwan
    end = datetime.combine(result.end, time(18, 0), SHANGHAI)
    app = App.from_settings(database_url=url, clock=FixedClock(end))
    try:
        series = reports.burndown(app, 21)
        listed = clearlist.list_entries(app, include_signed_off=True)
        week = reports.weekly(app, reports.Week.containing(result.end).label, by="team")
    finally:
        app.engine.dispose()
    assert series.dates[0] == result.start and series.dates[-1] == result.end
    assert max(series.open_counts) > 0
    assert series.open_counts[-1] == listed.left  # the chart ends where the list stands
    assert any(e.status == "signed_off" for e in listed.entries)
    assert sum(r.closed for r in week.rows) > 0


def test_the_demo_never_writes_into_a_database_with_data(shenwan) -> None:
    url, _ = shenwan
    with pytest.raises(Refused, match="already holds caseflow data"):
        build_and_simulate(url, "tongxiang", weeks=1, seed=1)


def test_caseflow_demo_command_shows_each_users_view(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from caseflow.adapters.cli.main import main

    monkeypatch.setenv("COLUMNS", "100")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["demo", "--town", "tongxiang", "--weeks", "1",
                     "--db", f"sqlite:///{tmp_path / 'tx.db'}"])
    text = out.getvalue()
    assert code == 0, err.getvalue()
    assert "桐乡市" in text and "ticket list --mine" in text
    assert "report weekly" in text and "report burndown" in text and "clearlist" in text


def test_city_generator_writes_consistent_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    report = city.generate(url, cases=1500)
    assert report.counts["enterprise_case"] == 1500
    assert report.counts["ticket"] > 1500 * 8
    engine = make_engine(url)
    with engine.connect() as conn:
        def one(sql: str) -> int:
            return _one(conn, sql)
        assert one("SELECT count(*) FROM audit_event WHERE action = 'ticket.open'") == \
            report.counts["ticket"]
        assert one("SELECT count(*) FROM audit_event WHERE action = 'ticket.close'") == \
            one("SELECT count(*) FROM ticket WHERE status = 'closed'")
        assert one("SELECT count(*) FROM audit_event WHERE action = 'ticket.cancel'") == \
            one("SELECT count(*) FROM ticket WHERE status = 'cancelled'")
        # every overdue open order is on the clear-to-zero list, at its level
        assert one(f"SELECT count(*) FROM ticket WHERE status IN ('open', 'in_progress') "
                   f"AND due_at < '{city.REFERENCE.replace(tzinfo=None)}'") == \
            one("SELECT count(*) FROM clear_list_entry WHERE status = 'open'")
        assert one("SELECT count(*) FROM clear_list_entry e JOIN ticket t ON t.id = e.ticket_id "
                   "WHERE e.status = 'open' AND e.level != t.level") == 0
        codes = conn.execute(sa.text("SELECT credit_code FROM enterprise_case")).scalars().all()
        indexes = conn.execute(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        ).scalar_one()
    engine.dispose()
    assert all(is_valid_credit_code(c) for c in codes)
    assert indexes >= 10  # dropped for the load, rebuilt after
